"""Small talk: whole messages that are a greeting, a thank-you, a goodbye... and nothing else.

The short ones ("ty", "bye", "hi") are too short for the embedding to place, so the knowledge
base lists them as `words`, compared with the whole message, punctuation and case aside. Longer
small talk is recognised by its exemplars, in the index like every other phrasing (`Assistant`).
"""

from __future__ import annotations

from chatbot.answering.normalise import normalise
from chatbot.domain import SmallTalk


def bare(text: str) -> str:
    """A message as small-talk words are compared: normalised, letters and digits only, one space apart."""
    return " ".join("".join(c if c.isalnum() else " " for c in normalise(text)).split())


class Words:
    """The small-talk intent a whole message says in so many words, if any."""

    def __init__(self, smalltalk: SmallTalk):
        self._intents = {bare(word): intent for intent, words in smalltalk.words.items() for word in words}

    def __call__(self, message: str) -> str | None:
        return self._intents.get(bare(message))
