"""The answering path, top-down: question → normalise → safety check → encode → search → decide → reply."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chatbot import index as keys
from chatbot.domain import Evidence, Kind, Match, Messages, Reply, Thresholds
from chatbot.lexical import Lexical
from chatbot.normalise import normalise
from chatbot.policy import decide
from chatbot.safety import mentions_emergency, sounds_like_emergency

if TYPE_CHECKING:
    from chatbot.encoder import Encoder
    from chatbot.index import Index
    from chatbot.knowledge import KnowledgeBase

TOP_CANDIDATES = 5


class Assistant:
    """One knowledge base, its index and an encoder, ready to answer. Immutable once built."""

    def __init__(self, kb: KnowledgeBase, index: Index, encoder: Encoder, messages: Messages):
        self.kb = kb
        self.index = index
        self.encoder = encoder
        self.messages = messages
        self.thresholds: Thresholds = kb.thresholds
        self.answers = {entry.id: entry.answer for entry in kb.entries}
        self.entry_ids = [entry.id for entry in kb.entries]
        labels = np.asarray(index.labels)
        # For each entry, which of the index's keys are its phrasings.
        self._entry_rows = [np.flatnonzero(labels == entry_id) for entry_id in self.entry_ids]
        self._out_of_scope = np.flatnonzero(labels == keys.OUT_OF_SCOPE)
        self._emergency = np.flatnonzero(labels == keys.EMERGENCY)
        self._not_emergency = np.flatnonzero(labels == keys.NOT_EMERGENCY)
        self.lexical = Lexical([normalise(" ".join((*e.keys, e.answer))) for e in kb.entries])

    def ask(self, question: str) -> Reply:
        text = normalise(question)
        if not text:
            return Reply(Kind.FALLBACK, self.messages.fallback)
        if mentions_emergency(text):
            return Reply(Kind.EMERGENCY, self.messages.emergency)
        vector = self.encoder.encode([text])[0]
        scores = self.index.scores(vector)
        if sounds_like_emergency(_best(scores, self._emergency), _best(scores, self._not_emergency), self.thresholds):
            return Reply(Kind.EMERGENCY, self.messages.emergency)
        evidence = self.evidence(text, scores)
        choice = decide(evidence, self.thresholds)
        candidates = evidence.matches[:TOP_CANDIDATES]
        if choice is None:
            top = candidates[0].score if candidates else None
            return Reply(Kind.FALLBACK, self.messages.fallback, None, top, candidates)
        return Reply(Kind.ANSWER, self.answers[choice.id], choice.id, choice.score, candidates)

    def evidence(self, text: str, scores: np.ndarray) -> Evidence:
        """Each entry's best key, plus the lexical signal, ranked; and the closest out-of-scope exemplar."""
        semantic = np.asarray([_best(scores, rows) for rows in self._entry_rows])
        combined = semantic + self.thresholds.lexical_weight * self.lexical.scores(text)
        order = np.argsort(-combined)
        matches = tuple(Match(self.entry_ids[i], float(combined[i])) for i in order)
        return Evidence(matches, _best(scores, self._out_of_scope))

    def greeting(self) -> Reply:
        return Reply(Kind.GREETING, self.messages.greeting)


def _best(scores: np.ndarray, rows: np.ndarray) -> float:
    return float(scores[rows].max()) if len(rows) else float("-inf")
