"""Group the questions the assistant could not answer by meaning, most asked first; and the answers
patients marked unhelpful, by entry.

Each question is embedded with the assistant's own encoder and joins the first group whose centre
is within `threshold` cosine of it, else starts a new one (greedy, one pass, numpy only: a month of
fallbacks is hundreds of rows, not millions). For each group staff see how often it was asked, a
few of its wordings, and the entry it came nearest to, which tells them what to do: add an
alternate to that entry, add an out-of-scope exemplar, or ask the clinic for a new answer.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from chatbot.answering.normalise import normalise
from chatbot.domain import Match

if TYPE_CHECKING:
    from chatbot.kb.encoder import Encoder
    from chatbot.storage.store import Feedback, Unanswered

THRESHOLD = 0.6  # all-MiniLM-L6-v2: paraphrases of one question mostly score above this
EXAMPLES = 3


@dataclass(frozen=True)
class Group:
    """Questions that mean much the same thing, when they were last asked and on which channels how often."""

    count: int
    examples: tuple[str, ...]
    nearest: Match | None
    last_asked: datetime.datetime | None = None
    channels: tuple[tuple[str, int], ...] = ()


def group(rows: Sequence[Unanswered], encoder: Encoder, threshold: float = THRESHOLD) -> list[Group]:
    """The rows grouped by meaning, most asked first (ties: first asked first).

    Args:
        rows: unanswered questions, oldest first.
        encoder: the assistant's encoder (questions are normalised first, as when answering).
        threshold: the cosine a question must reach with a group's centre to join it.

    Returns:
        One `Group` per meaning, with up to three distinct wordings (most frequent first) and the
        entry most of its questions came nearest to, with the best score any of them reached.
    """
    if not rows:
        return []
    vectors = encoder.encode([normalise(row.question) for row in rows]).astype(np.float64)
    sums = np.zeros_like(vectors)  # row g: the sum of group g's vectors
    centres = np.zeros_like(vectors)  # row g: that sum, normalised
    members: list[list[int]] = []
    for i, vector in enumerate(vectors):
        similarities = centres[: len(members)] @ vector
        best = int(similarities.argmax()) if len(members) else -1
        if best < 0 or similarities[best] < threshold:
            best = len(members)
            members.append([])
        members[best].append(i)
        sums[best] += vector
        centres[best] = sums[best] / max(float(np.linalg.norm(sums[best])), 1e-12)
    groups = [_describe([rows[i] for i in indices]) for indices in members]
    return sorted(groups, key=lambda g: -g.count)  # stable: equal counts keep first-asked order


def _describe(rows: Sequence[Unanswered]) -> Group:
    wordings = Counter(row.question for row in rows)
    examples = tuple(text for text, _ in wordings.most_common(EXAMPLES))
    tops = [row.candidates[0] for row in rows if row.candidates]
    nearest = None
    if tops:
        entry_id, _ = Counter(m.id for m in tops).most_common(1)[0]
        nearest = Match(entry_id, max(m.score for m in tops if m.id == entry_id))
    channels = tuple(Counter(row.channel for row in rows).most_common())
    return Group(len(rows), examples, nearest, max(row.at for row in rows), channels)


@dataclass(frozen=True)
class Unhelpful:
    """An entry whose answer patients marked unhelpful, and the questions they had asked."""

    entry: str
    count: int
    questions: tuple[str, ...]


def unhelpful(feedback: Sequence[Feedback]) -> list[Unhelpful]:
    """The entries marked unhelpful, most often first (ties: first marked first), each with its distinct
    questions, most frequent first: each one belongs as an alternate of the right entry or as an out-of-scope
    exemplar."""
    by_entry: dict[str, Counter[str]] = {}
    for row in feedback:
        if not row.helpful:
            by_entry.setdefault(row.entry, Counter())[row.question] += 1
    found = [
        Unhelpful(entry, sum(asked.values()), tuple(q for q, _ in asked.most_common()))
        for entry, asked in by_entry.items()
    ]
    return sorted(found, key=lambda u: -u.count)
