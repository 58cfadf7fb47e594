"""The answering path, top-down: question → language → normalise → safety check (every language) → encode →
search → decide → reply.

Deciding, in order: an emergency; small talk in so many words ("thanks"); a confident answer; small
talk by its exemplars ("thank you, that clears it up"); "did you mean" when the best entries are
close but not sure enough; else the fallback. An answer comes before small talk by exemplar, so
"hi, how much does it cost?" is answered as the question.

`ask` is `observe` (everything that needs the model) followed by `respond` (pure arithmetic on what
was observed, under a set of thresholds), so calibration can observe each question once and try
thousands of thresholds through exactly the code that serves patients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from chatbot.answering.language import ENGLISH, OTHER, SPANISH, latin_words, read, spanish_words
from chatbot.answering.lexical import Lexical, tokens
from chatbot.answering.normalise import normalise
from chatbot.answering.policy import decide, objections, suggestions
from chatbot.answering.safety import carries_meaning, settled, sounds_like_emergency, stated_in
from chatbot.answering.smalltalk import Words
from chatbot.answering.spelling import Speller, acronyms
from chatbot.answering.spelling import english as dictionary
from chatbot.domain import (
    EMERGENCY,
    MAX_SUGGESTIONS,
    MAY_PLEAD,
    NONE_OF_THESE,
    OUT_OF_SCOPE,
    SMALLTALK,
    SPANISH_EMERGENCY,
    SPANISH_NOT_EMERGENCY,
    Evidence,
    Kind,
    Match,
    Messages,
    Reply,
    Suggestion,
    Thresholds,
    ordinary_in_english,
)
from chatbot.errors import StaleIndex, UnknownChoice

if TYPE_CHECKING:
    from chatbot.kb.encoder import Encoder
    from chatbot.kb.index import Index
    from chatbot.kb.knowledge import KnowledgeBase

TOP_CANDIDATES = 5


@dataclass(frozen=True)
class Observation:
    """What the model and the patterns say about one question, before any threshold is applied."""

    text: str
    lang: str = ENGLISH
    stated_emergency: bool = False
    emergency: float = float("-inf")
    not_emergency: float = float("-inf")
    emergency_ngrams: float = 0.0  # the n-gram model's probability, by the model of the language it is read in
    semantic: np.ndarray | None = None  # per entry: its best key's cosine
    lexical: np.ndarray | None = None  # per entry: the rare-word overlap, 0 to 1
    out_of_scope: float = float("-inf")  # the closest out-of-scope exemplar
    out_of_scope_lexical: float = 0.0  # the rare-word overlap with the out-of-scope exemplars, 0 to 1
    said: str | None = None  # the small-talk intent the whole message is in so many words ("thanks")
    said_in_spanish: bool = False  # ...and one of those words is Spanish ("hola"): the reply is Spanish
    smalltalk: float = float("-inf")  # the closest small-talk exemplar
    smalltalk_intent: str | None = None  # and its intent
    out_of_scope_text: str = ""  # the closest out-of-scope exemplar itself
    elsewhere: bool = False  # read as English, but the detector's best guess is a language we do not answer in
    meaningful: bool = True  # more than function words and punctuation: not "please", "right now", "???"
    settled: bool = False  # tells of trouble that is over: "it went away", "ya está bien"

    @property
    def read_by_nets(self) -> bool:
        """Whether the semantic nets read the message (the patterns read every one): not small talk in so many words
        but for the words of `MAY_PLEAD`, not function words alone, not a report of trouble that is over."""
        return self.meaningful and not self.settled and (self.said is None or self.said in MAY_PLEAD)


@dataclass(frozen=True)
class AnswerModel:
    """A second encoder, and its index of the same keys, that scores the entries and the out-of-scope exemplars
    (`CHATBOT_ANSWER_MODEL`). One adapted to the entries (`chatbot adapt --no-hold`) tells them apart better, but
    moves the emergency and small-talk exemplars too: those keep the first encoder's scores."""

    index: Index
    encoder: Encoder
    # What the policy is calibrated for, when not the weights' sha256: an adapted model's recipe (`adapt.recipe`).
    recipe: str | None = None
    # Reads the message as written, not normalised, as its index's keys were read (`multilingual.AS_WRITTEN`).
    as_written: bool = False


class Assistant:
    """One knowledge base, its index, an encoder and perhaps an `AnswerModel`, ready to answer. Immutable once built."""

    def __init__(
        self,
        kb: KnowledgeBase,
        index: Index,
        encoder: Encoder,
        messages: Messages,
        answering: AnswerModel | None = None,
        spanish: AnswerModel | None = None,
    ):
        for other in (answering, spanish):
            if other is not None and other.index.labels != index.labels:
                raise StaleIndex(
                    f"The index in {other.index.folder} holds other keys than {index.folder}: build them all "
                    "(`chatbot build` builds every index the settings serve)."
                )
        self.kb = kb
        self.index = index
        self.encoder = encoder
        self.answering = answering
        self.spanish = spanish
        self.messages = messages
        self.thresholds: Thresholds = kb.thresholds
        self.answers = {entry.id: entry.answer for entry in kb.entries}
        self.questions = {entry.id: entry.question for entry in kb.entries}
        self.entry_ids = [entry.id for entry in kb.entries]
        labels = np.asarray(index.labels)
        # For each entry, which of the index's keys are its phrasings.
        self._entry_rows = [np.flatnonzero(labels == entry_id) for entry_id in self.entry_ids]
        self._out_of_scope = np.flatnonzero(labels == OUT_OF_SCOPE)
        # An emergency must stand out from every ordinary phrasing we hold, not only the scary-word ones. The Spanish
        # exemplars meet only messages read as Spanish: the encoder puts Spanish texts close together, and an
        # English message that borrows a Spanish word must not be judged against them.
        in_spanish = np.isin(labels, [SPANISH_EMERGENCY, SPANISH_NOT_EMERGENCY])
        alarming = np.isin(labels, [EMERGENCY, SPANISH_EMERGENCY])
        self._emergency = {ENGLISH: np.flatnonzero(alarming & ~in_spanish), SPANISH: np.flatnonzero(alarming)}
        chat = np.char.startswith(labels.astype(str), SMALLTALK)
        self._not_emergency = {
            ENGLISH: np.flatnonzero([ordinary_in_english(label) for label in index.labels]),
            SPANISH: np.flatnonzero(~alarming & ~chat),
        }
        self._smalltalk = {intent: np.flatnonzero(labels == SMALLTALK + intent) for intent in kb.smalltalk.exemplars}
        self.said = Words(kb.smalltalk)
        # The out-of-scope exemplars are one more document, so a rare word the clinic never answers about
        # (tramadol, breastfeeding, insurance) pulls towards the fallback as an entry's rare words pull towards it.
        documents = [normalise(" ".join((*e.keys, e.answer))) for e in kb.entries]
        self.lexical = Lexical([*documents, normalise(" ".join(kb.out_of_scope))])
        self._entry_words = {
            entry.id: frozenset(tokens(document)) for entry, document in zip(kb.entries, documents, strict=True)
        }
        clinic = [text for e in kb.entries for text in (e.answer, e.question)]
        patients = [*(a for e in kb.entries for a in e.wordings), *kb.out_of_scope, *kb.emergency, *kb.not_emergency]
        self.speller = Speller.from_texts(clinic=clinic, patients=patients)
        # The same texts' words beside the dictionary's, for the language check: the patients' own "whats" and "appt"
        # are English too, though the speller never corrects towards them.
        self.english_words = dictionary() | {word for text in (*clinic, *patients) for word in latin_words(text)}

    def weights(self) -> dict[str, str]:
        """What the policy must have been calibrated for, by role: the sha256 of the weights that read each message,
        or the recipe of an adapted answer encoder."""
        encoder = self.index.manifest.weights_sha256
        answers = (
            encoder if self.answering is None else self.answering.recipe or self.answering.index.manifest.weights_sha256
        )
        spanish = answers if self.spanish is None else self.spanish.index.manifest.weights_sha256
        return {"encoder": encoder, "answer_encoder": answers, "spanish_encoder": spanish}

    def ask(self, question: str) -> Reply:
        return self.respond(self.observe(question), self.thresholds)

    def observe(self, question: str, measure: bool = False) -> Observation:
        """Detect the language, normalise, check for a stated emergency (in every language), encode and search.

        A stated emergency skips the model entirely, unless `measure` asks for every score anyway
        (calibration judges the semantic check on its own); so does a language we do not answer in.
        """
        reading = read(question, self.english_words)
        lang = reading.lang
        english = self.speller.correct(normalise(question), keep=acronyms(question))
        # The speller would "correct" Spanish towards the clinic's English words; Spanish shorthand ("q", "xq")
        # is spelled out first, and `normalise` then writes the text as it writes every key.
        text = normalise(spanish_words(question)) if lang == SPANISH else english
        if not text:
            return Observation(text, lang)
        said, said_in_spanish = self.said.read(question)
        said_in = stated_in(question, english)
        stated = said_in is not None
        if said_in is not None and said_in != ENGLISH and lang == ENGLISH:
            lang = SPANISH if said_in == SPANISH else OTHER
        if (stated or lang == OTHER) and not measure:
            return Observation(text, lang, stated_emergency=stated)
        # A message meets the model of the language it is read in: the Spanish one learnt Spanish wording, and an
        # English message is unlike every Spanish ordinary exemplar it holds.
        model = self.index.ngrams.get(lang)
        emergency_ngrams = model.probability(question) if model else 0.0
        vector = self.encoder.encode([text])[0]
        exemplars = SPANISH if lang == SPANISH else ENGLISH
        scores = self.index.scores(vector)
        # The entries and the out-of-scope exemplars by the answer model of the message's language when there is one;
        # the rest by `encoder`.
        answering = self.spanish if lang == SPANISH and self.spanish is not None else self.answering
        if answering is None:
            for_entries = scores
        else:
            query = question if answering.as_written else text
            for_entries = answering.index.scores(answering.encoder.encode([query])[0])
        *lexical, out_of_scope_lexical = self.lexical.scores(text)
        chat = {intent: _best(scores, rows) for intent, rows in self._smalltalk.items()}
        intent = max(chat, key=chat.__getitem__, default=None)
        return Observation(
            text=text,
            lang=lang,
            stated_emergency=stated,
            emergency=_best(scores, self._emergency[exemplars]),
            not_emergency=_best(scores, self._not_emergency[exemplars]),
            emergency_ngrams=emergency_ngrams,
            semantic=np.asarray([_best(for_entries, rows) for rows in self._entry_rows]),
            lexical=np.asarray(lexical),
            out_of_scope=_best(for_entries, self._out_of_scope),
            out_of_scope_lexical=float(out_of_scope_lexical),
            said=said,
            said_in_spanish=said_in_spanish,
            smalltalk=chat[intent] if intent else float("-inf"),
            smalltalk_intent=intent,
            out_of_scope_text=self._closest_text(for_entries, self._out_of_scope),
            elsewhere=lang == ENGLISH and reading.leans_elsewhere,
            meaningful=carries_meaning(question),
            settled=settled(question, english),
        )

    def respond(self, seen: Observation, thresholds: Thresholds) -> Reply:
        thresholds = thresholds.in_language(seen.lang)
        if seen.stated_emergency or (
            seen.read_by_nets
            and sounds_like_emergency(seen.emergency, seen.not_emergency, seen.emergency_ngrams, thresholds)
        ):
            return self.emergency(seen.lang)
        if seen.lang == OTHER:
            return Reply(Kind.FALLBACK, self.messages.other_language)
        says = self.messages.in_language(seen.lang)
        if seen.said is not None:
            # On one or two words the detector cannot tell Spanish ("hola" read as English); the listed word can.
            return self.smalltalk(seen.said, SPANISH if seen.said_in_spanish else seen.lang)
        # Function words alone ask nothing: "now" was a goodbye by its nearest small-talk exemplar.
        if seen.semantic is None or seen.lexical is None or not seen.meaningful:
            return Reply(Kind.FALLBACK, says.fallback, lang=seen.lang)
        evidence = self.evidence(seen, thresholds)
        # A Spanish question is answered (in the clinic's English) only when we are as sure as for English ones.
        choice = decide(evidence, thresholds)
        candidates = evidence.matches[:TOP_CANDIDATES]
        if choice is not None:
            return self.picked(choice.id, seen.lang, choice.score, candidates)
        # The small-talk exemplars are English, and every Spanish sentence is far from the English keys: by exemplar,
        # Spanish questions got a small-talk reply ("¿Ustedes hacen infusiones en fin de semana?" the identity one),
        # 30 times for each one that was small talk. Spanish small talk is recognised in so many words only.
        if (
            seen.lang == ENGLISH
            and seen.smalltalk_intent
            and is_smalltalk(seen.smalltalk, candidates[0].score, thresholds)
        ):
            return self.smalltalk(seen.smalltalk_intent, seen.lang)
        why = objections(evidence, thresholds)
        offered = tuple(
            Suggestion(m.id, self.questions[m.id]) for m in suggestions(evidence, thresholds, MAX_SUGGESTIONS)
        )
        if offered:
            return Reply(
                Kind.CLARIFY,
                says.clarify,
                None,
                candidates[0].score,
                candidates,
                seen.lang,
                suggestions=offered,
                objections=why,
            )
        # Someone who may not read English gets the bilingual reply, which carries 911 and 988.
        fallback = self.messages.other_language if seen.elsewhere else says.fallback
        return Reply(Kind.FALLBACK, fallback, None, candidates[0].score, candidates, lang=seen.lang, objections=why)

    def smalltalk(self, intent: str, lang: str = ENGLISH) -> Reply:
        """The office's reply to small talk, in the patient's language.

        Every intent has a Spanish reply: loading the knowledge base checks it.
        """
        return Reply(Kind.SMALLTALK, self.messages.in_language(lang).smalltalk[intent], intent, lang=lang)

    def choose(self, question: str, choice: str) -> Reply:
        """The reply to a "did you mean" choice: the picked entry's answer, or the fallback for "None of these".

        The question goes through the safety check again, so nothing sent with a choice skips it.

        Raises:
            UnknownChoice: `choice` names no entry.
        """
        if choice != NONE_OF_THESE and choice not in self.answers:
            raise UnknownChoice(
                f"choice: no entry {choice!r}; send the id of one of the suggestions, or {NONE_OF_THESE!r}"
            )
        asked = self.ask(question)
        if asked.kind is Kind.EMERGENCY:
            return asked
        if choice == NONE_OF_THESE:
            fallback = self.messages.in_language(asked.lang).fallback
            return Reply(Kind.FALLBACK, fallback, None, asked.score, asked.candidates, lang=asked.lang)
        return self.picked(choice, asked.lang)

    def picked(
        self, entry_id: str, lang: str = ENGLISH, score: float | None = None, candidates: tuple[Match, ...] = ()
    ) -> Reply:
        """The answer with an entry: the clinic's own words, introduced in Spanish when the patient wrote in Spanish."""
        preface = self.messages.in_language(lang).english_answer if lang != ENGLISH else None
        return Reply(Kind.ANSWER, self.answers[entry_id], entry_id, score, candidates, lang, preface)

    def emergency(self, lang: str) -> Reply:
        """The emergency message in the patient's language; in a language we do not answer in, English and Spanish."""
        return Reply(Kind.EMERGENCY, self.messages.emergency_in(lang), lang=SPANISH if lang == SPANISH else ENGLISH)

    def evidence(self, seen: Observation, thresholds: Thresholds) -> Evidence:
        """Entries ranked by their best key plus the weighted lexical signal, and the out-of-scope exemplars scored
        alike."""
        assert seen.semantic is not None and seen.lexical is not None
        combined = seen.semantic + thresholds.lexical_weight * seen.lexical
        order = np.argsort(-combined)
        out_of_scope = seen.out_of_scope + thresholds.lexical_weight * seen.out_of_scope_lexical
        matches = tuple(Match(self.entry_ids[i], float(combined[i])) for i in order)
        words = tokens(seen.text)
        uncovered = (
            sum(w not in self._entry_words[matches[0].id] for w in words) / len(words) if words and matches else 0.0
        )
        return Evidence(matches, out_of_scope, seen.out_of_scope_text, len(words), uncovered)

    def _closest_text(self, scores: np.ndarray, rows: np.ndarray) -> str:
        return self.index.texts[rows[int(np.argmax(scores[rows]))]] if len(rows) else ""

    def greeting(self, lang: str = ENGLISH) -> Reply:
        return Reply(Kind.GREETING, self.messages.in_language(lang).greeting, lang=lang)


def is_smalltalk(smalltalk: float, best_entry: float, thresholds: Thresholds) -> bool:
    """A small-talk exemplar close enough, and clearly closer than every entry."""
    return smalltalk >= thresholds.smalltalk and smalltalk - best_entry >= thresholds.smalltalk_margin


def _best(scores: np.ndarray, rows: np.ndarray) -> float:
    return float(scores[rows].max()) if len(rows) else float("-inf")
