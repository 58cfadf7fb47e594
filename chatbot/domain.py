"""The small frozen values that cross module boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class Kind(StrEnum):
    """What sort of reply the patient gets."""

    ANSWER = "answer"
    FALLBACK = "fallback"
    EMERGENCY = "emergency"
    GREETING = "greeting"
    CLARIFY = "clarify"  # "did you mean": the patient picks one of the suggestions
    SMALLTALK = "smalltalk"  # a greeting, thanks, goodbye...: `id` names the small-talk intent


# The choice that says none of the suggested questions was the patient's: it gets the fallback.
NONE_OF_THESE = "none"
# At most this many suggestions in a "did you mean" reply (SMS asks for "1, 2 or 3").
MAX_SUGGESTIONS = 3

# Labels of the index's keys that are not an entry's: exemplars the policy and the safety check compare
# against. Here, not in `chatbot.kb.index` which writes them, so that answering reads them without the kb.
OUT_OF_SCOPE = "~out-of-scope"
EMERGENCY = "~emergency"
NOT_EMERGENCY = "~not-emergency"
SMALLTALK = "~smalltalk:"  # followed by the intent: "~smalltalk:thanks"
SPANISH_EMERGENCY = "~emergency-es"
SPANISH_NOT_EMERGENCY = "~not-emergency-es"
# The small-talk intents whose words may be a plea for help ("please help", a bare "help"). A whole message in the
# words of any other intent ("ok", "sup", "adiós") is read by the emergency patterns only: the semantic nets, made
# for sentences, sent the emergency message to "alright", "sup", "buenas noches" and "adios".
MAY_PLEAD = frozenset({"human", "capabilities"})


def ordinary_in_english(label: str) -> bool:
    """Whether a key with this label is one of the ordinary phrasings an English message must stand out from to
    sound like an emergency: an entry's key, an out-of-scope question or a `not_emergency` exemplar.

    The one definition both semantic nets share: the nearest-exemplar check compares with these keys and the English
    n-gram model is trained on them. Small talk is left out: "you're useless" must not make "I feel useless, I want to
    die" sound ordinary.
    """
    return label not in (EMERGENCY, SPANISH_EMERGENCY, SPANISH_NOT_EMERGENCY) and not label.startswith(SMALLTALK)


@dataclass(frozen=True)
class Entry:
    """One answer of the clinic's, and the ways patients ask for it.

    `answer` is always a verbatim excerpt of the clinic's pages.
    """

    id: str
    question: str
    answer: str
    alternates: tuple[str, ...] = ()
    source: str = ""
    spanish: tuple[str, ...] = ()  # Spanish alternates (spanish.yaml): keys for Spanish questions

    @property
    def keys(self) -> tuple[str, ...]:
        """Every phrasing that should retrieve this entry."""
        return (self.question, *self.alternates, *self.spanish)

    @property
    def wordings(self) -> tuple[str, ...]:
        """The patients' wordings of it, English and Spanish: every key but the page's own question."""
        return (*self.alternates, *self.spanish)


@dataclass(frozen=True)
class Messages:
    """Office-authored texts: the only words the bot says that are not the clinic's pages."""

    clinic_name: str
    fallback: str
    emergency: str
    greeting: str
    notice: str
    # What the website widget shows when it cannot reach the assistant (offline, starting, over the rate limit):
    # with 911 and 988, as an emergency typed then must still meet them.
    unreachable: str
    sms_help: str
    sms_start: str
    sms_limit: str
    clarify: str
    sms_clarify: str
    # In English, the one short reply to a message in a language we do not answer in (it says so in English
    # and Spanish, and gives 911 and 988); in Spanish, the line that introduces the clinic's English answer.
    other_language: str = ""
    english_answer: str = ""
    lang: str = "en"
    spanish: Messages | None = None
    smalltalk: dict[str, str] = field(default_factory=dict)  # the reply to each small-talk intent

    def in_language(self, lang: str) -> Messages:
        """The texts to reply with in `lang` (`es`, or anything else for English)."""
        return self.spanish if lang == "es" and self.spanish is not None else self

    def emergency_in(self, lang: str) -> str:
        """The emergency message for a message in `lang`; in a language we do not answer in, English then Spanish."""
        return self.in_language(lang).emergency if lang in ("en", "es") else self.bilingual_emergency

    @property
    def bilingual_emergency(self) -> str:
        """The emergency message in English and then Spanish, for a message in a language we do not answer in."""
        return f"{self.emergency}\n\n{self.in_language('es').emergency}"

    def variants(self, name: str) -> frozenset[str]:
        """Every form the office text `name` may be sent in: English, Spanish and, for the fallback and the
        emergency message, the reply to a language we do not answer in."""
        texts = {getattr(self, name), getattr(self.in_language("es"), name)}
        texts |= {"fallback": {self.other_language}, "emergency": {self.bilingual_emergency}}.get(name, set())
        return frozenset(texts)


@dataclass(frozen=True)
class SmallTalk:
    """How patients make small talk, by intent (greeting, thanks...); the replies are in `Messages`."""

    words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # whole messages that are the intent
    exemplars: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The same in Spanish: said alone they get the Spanish reply, where the language detector cannot tell on so few
    # words ("hola" and "perdon" got the English greeting and acknowledgement).
    words_es: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Judge:
    """Whether an English question's best entry has earned an answer, as one linear score over what the search
    found: answer when `bias` plus each weight times its input (`policy.judge_inputs`) is at least zero.

    Fit by `chatbot calibrate` (a logistic regression on the tuning half). It weighs the same three things as the
    thresholds (how close, how far ahead of the runner-up, how far ahead of the out-of-scope exemplars) against each
    other instead of each alone, and two more: how long the question is (a long question's right entry scores lower
    than a short one's) and how much of it the entry's own words do not cover.
    """

    bias: float
    best: float
    lead: float
    out_of_scope_lead: float
    words: float
    uncovered: float


@dataclass(frozen=True)
class Thresholds:
    """The decision policy's knobs, chosen by `chatbot calibrate`."""

    answer: float = 0.60
    margin: float = 0.04
    certain: float = 9.0  # above this the runner-up doesn't matter (9.0: never)
    out_of_scope_margin: float = 0.02
    lexical_weight: float = 0.0
    emergency: float = 0.80
    emergency_margin: float = 0.05
    # The n-gram emergency model of the message's language (`answering/ngrams.py`): a message whose probability
    # reaches this is an emergency (9.0: never).
    emergency_ngrams: float = 9.0
    smalltalk: float = 0.75  # an exemplar this close, and closer than every entry by `smalltalk_margin`
    smalltalk_margin: float = 0.05
    clarify: float = 9.0  # a best entry this close, not answered outright, gets "did you mean" (9.0: never)
    clarify_out_of_scope_margin: float = -9.0  # ...if no further behind the closest out-of-scope exemplar than this
    # A Spanish message meets an English-trained encoder, which puts Spanish texts close together: its best entry
    # must score at least `spanish_answer` (9.0: never), and the semantic emergency check has its own pair.
    spanish_answer: float = 9.0
    spanish_emergency: float = 0.80
    spanish_emergency_margin: float = 0.05
    spanish_emergency_ngrams: float = 9.0
    # "Did you mean" for a message read as Spanish (9.0: never), with its own out-of-scope margin: the encoder puts a
    # Spanish question close to the English out-of-scope exemplars as it puts it close to the entries, so the English
    # band offered suggestions to half the Spanish out-of-scope questions of eval-es.yaml's tuning half.
    spanish_clarify: float = 9.0
    spanish_clarify_out_of_scope_margin: float = -9.0
    # Spanish's own leads over the runner-up and over the out-of-scope exemplars: a multilingual encoder for Spanish
    # questions (CHATBOT_SPANISH_MODEL) has a scale of its own, its best scores spread a quarter as wide.
    spanish_margin: float = 0.04
    spanish_out_of_scope_margin: float = 0.02
    # When set, the judge decides English answers in place of `margin`, `certain` and `out_of_scope_margin`, and
    # `answer` is only a floor; all four still decide Spanish ones, which the judge was not fit on.
    judge: Judge | None = None

    def in_language(self, lang: str) -> Thresholds:
        """The thresholds a message in `lang` must meet: in Spanish, `answer` is raised to `spanish_answer`, and
        the leads, the emergency thresholds and the "did you mean" pair are Spanish's own."""
        if lang == "es":
            return replace(
                self,
                answer=max(self.answer, self.spanish_answer),
                margin=self.spanish_margin,
                out_of_scope_margin=self.spanish_out_of_scope_margin,
                judge=None,
                emergency=self.spanish_emergency,
                emergency_margin=self.spanish_emergency_margin,
                emergency_ngrams=self.spanish_emergency_ngrams,
                clarify=self.spanish_clarify,
                clarify_out_of_scope_margin=self.spanish_clarify_out_of_scope_margin,
            )
        return self


@dataclass(frozen=True)
class Suggestion:
    """An entry offered under "did you mean": its id and the clinic's own question for it."""

    id: str
    question: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "question": self.question}


@dataclass(frozen=True)
class Match:
    """How close a question came to one entry (its best key)."""

    id: str
    score: float

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Evidence:
    """What the search found: entries ranked best first, and the closest non-answer exemplar."""

    matches: tuple[Match, ...]
    out_of_scope: float
    out_of_scope_text: str = ""  # the exemplar that score belongs to
    words: int = 0  # the question's words that can tell entries apart (`lexical.tokens`)
    uncovered: float = 0.0  # the share of those the best entry's own text does not have


@dataclass(frozen=True)
class Objection:
    """One rule of the policy that the best entry failed, in words staff can act on, with the numbers."""

    rule: str  # one of policy.RULES
    summary: str  # a few words for the console's headline
    message: str
    exemplar: str | None = None  # for OUT_OF_SCOPE: the exemplar that vetoed the answer, and its score
    exemplar_score: float | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"rule": self.rule, "message": self.message}
        if self.exemplar is not None and self.exemplar_score is not None:
            data |= {"exemplar": self.exemplar, "exemplar_score": round(self.exemplar_score, 4)}
        return data


@dataclass(frozen=True)
class Reply:
    """The reply contract shared by HTTP, SMS and the terminal."""

    kind: Kind
    answer: str
    id: str | None = None
    score: float | None = None
    candidates: tuple[Match, ...] = field(default=())
    # The language of the conversation (BCP 47). The clinic's answers are always its own English words: a
    # Spanish question answered by one gets `preface`, an office line in Spanish saying so.
    lang: str = "en"
    preface: str | None = None
    suggestions: tuple[Suggestion, ...] | None = None  # only for `clarify`: 1 to 3, best first
    objections: tuple[Objection, ...] = field(default=())  # why a fallback fell back

    def to_dict(self, explain: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "kind": self.kind.value,
            "answer": self.answer,
            "id": self.id,
            "score": None if self.score is None else round(self.score, 4),
            "suggestions": None if self.suggestions is None else [s.to_dict() for s in self.suggestions],
            "lang": self.lang,
            "preface": self.preface,
        }
        if explain:
            data["candidates"] = [m.to_dict() for m in self.candidates]
            data["why"] = [o.to_dict() for o in self.objections]
        return data

    @property
    def text(self) -> str:
        """What a channel that shows one block of text (SMS, the terminal) sends: the preface, then the answer."""
        return f"{self.preface}\n\n{self.answer}" if self.preface else self.answer
