"""Misspellings the embedding would blur ("outpatinet", "halucinate", "infussion"), corrected before encoding.

SymSpell (symspellpy) suggests, for a word that is neither English nor the clinic's, the closest
word the knowledge base uses, within one edit (two for long words). Only the knowledge base's
own correctly spelled words are targets, so a correction can only move a question towards
words the clinic uses, never invent a new term; English words are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache
from importlib import resources

from symspellpy import SymSpell, Verbosity

_WORD = re.compile(r"[a-z]+")
_CAPITALS = re.compile(r"\b[A-Z]{2,}s?\b")
MIN_LENGTH = 4


def acronyms(question: str) -> frozenset[str]:
    """The words a patient wrote in capitals (COPD, PTSD, CRPS), lower-cased as `normalise` leaves them.

    A condition's acronym is one edit from a clinic word as often as not ("copd" -> "cold"), and a
    correction would change the question. A message typed all in capitals names no acronym.
    """
    letters = [ch for ch in question if ch.isalpha()]
    if sum(ch.isupper() for ch in letters) * 2 > len(letters):
        return frozenset()
    return frozenset(word.lower() for word in _CAPITALS.findall(question))


@lru_cache(maxsize=1)
def english() -> frozenset[str]:
    """The ~83,000 English words shipped with symspellpy (static data, never stale)."""
    text = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8")
    return frozenset(line.split(" ", 1)[0] for line in text.splitlines() if line)


class Speller:
    def __init__(self, targets: Iterable[str]):
        self._english = english()
        self._targets: set[str] = set()
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        # Sorted: among equally close targets SymSpell returns the one added first, and a set's order
        # changes with each process's string hashing, so "copd" became "cord" in one worker and "cold"
        # in the next.
        for word in sorted(set(targets)):
            if len(word) >= MIN_LENGTH:
                self._symspell.create_dictionary_entry(word, 1)
                self._targets.add(word)

    @classmethod
    def from_texts(cls, clinic: Iterable[str], patients: Iterable[str]) -> Speller:
        """Targets: every word of the clinic's own texts (answers and questions, spelled by the clinic,
        "midazolam" and "phencyclidine" included), and the English words of the phrasings written as
        patients write. The typos those phrasings keep on purpose ("ketamin", "sucidal") never become targets."""
        words = english()
        targets = {w for text in clinic for w in _WORD.findall(text.lower())}
        targets |= {w for text in patients for w in _WORD.findall(text.lower()) if w in words}
        return cls(targets)

    def correct(self, text: str, keep: Collection[str] = ()) -> str:
        """`text` with each misspelt word replaced by the clinic's nearest; the words in `keep` stay as they are."""
        return _WORD.sub(lambda m: m.group(0) if m.group(0) in keep else self._word(m.group(0)), text)

    def _word(self, word: str) -> str:
        if len(word) < MIN_LENGTH or word in self._english or word in self._targets:
            return word
        distance = 1 if len(word) < 7 else 2
        found = self._symspell.lookup(word, Verbosity.TOP, max_edit_distance=distance)
        return found[0].term if found else word
