from __future__ import annotations

import pytest

from chatbot.domain import Evidence, Match, Thresholds
from chatbot.policy import decide

T = Thresholds(answer=0.6, margin=0.05, out_of_scope_margin=0.02)


def ev(*scores: float, oos: float = 0.0) -> Evidence:
    return Evidence(tuple(Match(f"e{i}", s) for i, s in enumerate(scores)), oos)


@pytest.mark.parametrize(
    ("evidence", "answered"),
    [
        (ev(0.90, 0.50), "e0"),  # confident, clear, nothing out of scope near
        (ev(0.59, 0.10), None),  # not confident enough
        (ev(0.60, 0.10), "e0"),  # exactly at the bar
        (ev(0.80, 0.77), None),  # too close to the runner-up
        (ev(0.80, 0.75), "e0"),  # exactly the margin
        (ev(0.80, 0.10, oos=0.79), None),  # an out-of-scope exemplar is about as close
        (ev(0.80, 0.10, oos=0.78), "e0"),  # out of scope, but far enough behind
        (ev(0.80, 0.10, oos=0.95), None),  # the question is closer to something we don't answer
        (ev(0.70), "e0"),  # a single entry has no runner-up
        (ev(), None),  # an empty knowledge base answers nothing
    ],
)
def test_decide(evidence: Evidence, answered: str | None) -> None:
    choice = decide(evidence, T)
    assert (choice.id if choice else None) == answered
