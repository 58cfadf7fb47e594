"""A lexical signal for the rare words an embedding blurs (WiFi, TMJ, midazolam, PCP, NMDA).

BM25 (rank-bm25) over one document per entry: its question, alternates and answer. Scores are
scaled by the query's own best possible score, so the signal reads as "how much of what is
rare in this question does the entry contain", between 0 and 1, whatever the query's length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi

_WORD = re.compile(r"[a-z0-9]+")
# Words too common in this clinic's questions to tell entries apart.
# fmt: off
_STOP = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "do", "does", "for", "from", "had",
    "has", "have", "how", "i", "if", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "should", "so",
    "that", "the", "their", "them", "then", "there", "they", "this", "to", "was", "we", "what", "when", "where",
    "which", "who", "why", "will", "with", "would", "you", "your", "ketamine", "infusion", "infusions",
])
# fmt: on


def tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


class Lexical:
    """BM25 over one document per entry."""

    def __init__(self, documents: Sequence[str]):
        self.size = len(documents)
        self.bm25 = BM25Okapi([tokens(document) for document in documents])

    def scores(self, text: str) -> np.ndarray:
        """Per entry, in entry order, a score in [0, 1]; all zeros when no query word is known."""
        query = [w for w in tokens(text) if w in self.bm25.idf]
        if not query:
            return np.zeros(self.size)
        raw = np.asarray(self.bm25.get_scores(query))
        ceiling = sum(max(self.bm25.idf[w], 0.0) for w in set(query)) * (self.bm25.k1 + 1)
        return np.clip(raw / ceiling, 0.0, 1.0) if ceiling > 0 else np.zeros(self.size)
