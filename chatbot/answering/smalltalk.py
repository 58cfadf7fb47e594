"""Small talk: whole messages that are a greeting, a thank-you, a goodbye... and nothing else.

The short ones ("ty", "bye", "hi") are too short for the embedding to place, so the knowledge base lists them as
`words` (and `words_es`, answered in Spanish), compared with the whole message, punctuation and case aside. Longer
small talk is recognised by its exemplars, in the index like every other phrasing (`Assistant`).
"""

from __future__ import annotations

import re
import unicodedata

from chatbot.answering.language import spanish_words
from chatbot.answering.normalise import normalise
from chatbot.domain import SmallTalk


def bare(text: str) -> str:
    """A message as small-talk words are compared: normalised, letters and digits only, one space apart; a message of
    emoji alone is its emoji, each once ("👍👍" is "👍"), since a thumbs-up is a whole reply on a phone."""
    text = normalise(text)
    words = "".join(c if c.isalnum() else " " for c in text).split()
    if words:
        return " ".join(words)
    return " ".join(dict.fromkeys(c for c in text if unicodedata.category(c) == "So"))


# The intents a message may open with before another whole intent: "hola, tengo una pregunta", "gracias, hasta
# mañana". The reply is the last intent's: what the patient is saying now.
COURTESIES = frozenset({"greeting", "thanks"})
# A message that starts with an "ok" of SMS: normalising would read "k" as ketamine ("k thanks": "ketamine thanks").
_ACKNOWLEDGED = re.compile(r"\s*(?:k+|ok+|okay|okie)(?![\w'])[\s,.!]*", re.IGNORECASE)
# The hour and day of the next visit in a goodbye ("see you tuesday at 3", "nos vemos el martes a las 10", "hasta el
# lunes"), and what the listed goodbyes say in their place: nothing for the hour, the word for a day to come for the
# day. The lists cannot hold every day and hour.
_NEXT_VISIT = (
    (
        re.compile(
            r"\s*\b(?:at|a las?|@)\s*\d{1,2}(?:[:.]\d{2})?"
            r"(?:\s*(?:am|pm|a\.m\.|p\.m\.|y media|de la (?:ma[nñ]ana|tarde|noche)))?(?!\w)",
            re.IGNORECASE,
        ),
        "",
    ),
    (
        re.compile(
            r"\b(?:(?:on|this|next) )?(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\bnext week\b", re.IGNORECASE
        ),
        "tomorrow",
    ),
    (
        re.compile(
            r"\b(?:(?:el|este) (?:pr[oó]ximo )?)?(?:lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)\b"
            r"|\bla (?:pr[oó]xima semana|semana que viene)\b",
            re.IGNORECASE,
        ),
        "mañana",
    ),
)


class Words:
    """The small-talk intent a whole message says in so many words, if any, and whether it says it in Spanish."""

    def __init__(self, smalltalk: SmallTalk):
        self._intents = {
            bare(word): intent
            for listed in (smalltalk.words, smalltalk.words_es)
            for intent, words in listed.items()
            for word in words
        }
        self._spanish = {bare(word) for words in smalltalk.words_es.values() for word in words}

    def read(self, message: str) -> tuple[str | None, bool]:
        """The small-talk intent of the whole message, and whether one of its listed words is Spanish ("hola", "ok
        gracias"). The intent is the whole message's; failing that, that of what follows a leading "k" or "ok" ("k
        bye"), where a bare "k" is "ok"; failing that, of the message with Spanish shorthand spelled out ("q me
        llamen"); failing that, of what follows a greeting or a thank-you ("hola, buenos dias", "hi, i have a question",
        "gracias, hasta mañana"); failing that, a goodbye naming a day or an hour ("ok gracias, nos vemos el martes").
        None, and not Spanish, when the message is not small talk in so many words."""
        said = self._said(message)
        return (self._intents[said[-1]] if said else None), any(words in self._spanish for words in said)

    def _said(self, message: str) -> tuple[str, ...]:
        """The listed words the message is made of, the intent's last (empty when it is not small talk)."""
        return self._listed(message) or self._until(message)

    def _until(self, message: str) -> tuple[str, ...]:
        """The listed goodbye the message is once the hour it names is left out and the day read as tomorrow, else
        nothing: "thanks, tuesday" says no goodbye."""
        text = message
        for when, listed_as in _NEXT_VISIT:
            text = when.sub(listed_as, text)
        said = self._listed(text) if text != message else ()
        return said if said and self._intents[said[-1]] == "goodbye" else ()

    def _listed(self, message: str) -> tuple[str, ...]:
        """The listed words the message is made of as written, after an "ok", spelled out, or after a courtesy."""
        plain = bare(message)
        if plain in self._intents:
            return (plain,)
        if ok := _ACKNOWLEDGED.match(message):
            rest = bare(message[ok.end() :] or "ok")
            if rest in self._intents:
                return ("ok", rest)
            if after := self._after_courtesy(rest):
                return ("ok", *after)
        spelled = bare(spanish_words(message))
        if spelled in self._intents:
            return (spelled,)
        return self._after_courtesy(plain) or self._after_courtesy(spelled)

    def _after_courtesy(self, words: str) -> tuple[str, ...]:
        """What follows a leading greeting or thank-you, when that is a whole intent too: patients open with a hello
        ("hola, tengo una pregunta") and close with thanks and a goodbye, and the listed words cannot hold every
        pairing."""
        split = words.split()
        for cut in range(1, len(split)):
            courtesy, rest = " ".join(split[:cut]), " ".join(split[cut:])
            if self._intents.get(courtesy) in COURTESIES and rest in self._intents:
                return (courtesy, rest)
        return ()
