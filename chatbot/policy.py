"""The decision policy: answer, offer "did you mean", or fall back. Pure: scores and thresholds in, a choice out.

An answer must be earned three ways at once: the best entry is close enough (`answer`), clearly
ahead of the runner-up entry (`margin`), and closer than every out-of-scope exemplar by
`out_of_scope_margin`. Anything less falls back, because a wrong medical answer is worse than
"please contact the office". The one exception: a best entry at or above `certain` (practically a
restatement of one of its keys) needs no lead over the runner-up, since two neighbouring entries
that both match that well usually both answer the question.

Short of an answer, the entries at or above `clarify` (at most three) may be offered as "did you
mean", unless an out-of-scope exemplar is closer than the best of them by more than
`-clarify_out_of_scope_margin`: then the question is most likely one the clinic has not answered.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

from chatbot.domain import Evidence, Match, Thresholds

Score = TypeVar("Score", float, np.ndarray)


def decide(evidence: Evidence, thresholds: Thresholds) -> Match | None:
    """The entry to answer with, or None to fall back."""
    if not evidence.matches:
        return None
    best = evidence.matches[0]
    runner_up = evidence.matches[1].score if len(evidence.matches) > 1 else float("-inf")
    return best if bool(confident(best.score, runner_up, evidence.out_of_scope, thresholds)) else None


def confident(best: Score, runner_up: Score, out_of_scope: Score, thresholds: Thresholds) -> Score:
    """Whether the best entry has earned an answer. Elementwise on numpy arrays too, so calibration
    can try a threshold on every question at once with this very rule."""
    close_enough = best >= thresholds.answer
    clear_lead = (best - runner_up >= thresholds.margin) | (best >= thresholds.certain)
    not_out_of_scope = best - out_of_scope >= thresholds.out_of_scope_margin
    return close_enough & clear_lead & not_out_of_scope


def suggestions(evidence: Evidence, thresholds: Thresholds, most: int) -> tuple[Match, ...]:
    """The entries to offer as "did you mean" when no answer was earned: best first, possibly none."""
    if not evidence.matches or evidence.matches[0].score - evidence.out_of_scope < thresholds.clarify_out_of_scope_margin:
        return ()
    return tuple(m for m in evidence.matches[:most] if m.score >= thresholds.clarify)
