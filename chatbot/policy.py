"""The decision policy: answer, or fall back. Pure: scores and thresholds in, a choice out.

An answer must be earned three ways at once: the best entry is close enough (`answer`), clearly
ahead of the runner-up entry (`margin`), and closer than every out-of-scope exemplar by
`out_of_scope_margin`. Anything less falls back, because a wrong medical answer is worse than
"please contact the office".
"""

from __future__ import annotations

from chatbot.domain import Evidence, Match, Thresholds


def decide(evidence: Evidence, thresholds: Thresholds) -> Match | None:
    """The entry to answer with, or None to fall back."""
    if not evidence.matches:
        return None
    best = evidence.matches[0]
    runner_up = evidence.matches[1].score if len(evidence.matches) > 1 else float("-inf")
    if best.score < thresholds.answer:
        return None
    if best.score - runner_up < thresholds.margin:
        return None
    if best.score - evidence.out_of_scope < thresholds.out_of_scope_margin:
        return None
    return best
