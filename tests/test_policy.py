from __future__ import annotations

import pytest

from chatbot.answering.policy import OUT_OF_SCOPE, TOO_CLOSE, TOO_FAR, decide, objections
from chatbot.domain import Evidence, Match, Thresholds

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


def test_objections_are_empty_exactly_when_decide_answers() -> None:
    cases = [
        ev(0.90, 0.50),
        ev(0.59, 0.10),
        ev(0.80, 0.77),
        ev(0.80, 0.10, oos=0.79),
        ev(0.70),
        ev(0.50, 0.49, oos=0.6),
    ]
    for evidence in cases:
        assert (objections(evidence, T) == ()) == (decide(evidence, T) is not None)


@pytest.mark.parametrize(
    ("evidence", "rules"),
    [
        (ev(0.59, 0.10), [TOO_FAR]),
        (ev(0.80, 0.77), [TOO_CLOSE]),
        (ev(0.80, 0.10, oos=0.79), [OUT_OF_SCOPE]),
        (ev(0.50, 0.49, oos=0.6), [TOO_FAR, TOO_CLOSE, OUT_OF_SCOPE]),
        (ev(), []),
    ],
)
def test_every_failed_rule_is_named(evidence: Evidence, rules: list[str]) -> None:
    assert [o.rule for o in objections(evidence, T)] == rules


def test_an_out_of_scope_veto_names_the_exemplar_and_its_score() -> None:
    evidence = Evidence(
        (Match("companion", 0.965), Match("outpatient", 0.6)),
        0.951,
        "my husband had a stroke last year can he drive me home",
    )
    (objection,) = objections(evidence, T)
    assert (
        objection.exemplar == "my husband had a stroke last year can he drive me home"
        and objection.exemplar_score == 0.951
    )
    assert objection.message == (
        "the out-of-scope exemplar 'my husband had a stroke last year can he drive me home' scores 0.951 "
        "against companion's 0.965: an answer needs a lead of 0.020"
    )
    assert objection.to_dict()["exemplar_score"] == 0.951


def test_a_runner_up_objection_names_the_runner_up() -> None:
    (objection,) = objections(ev(0.80, 0.77), T)
    assert objection.summary == "too close to e1 (0.770)"
    assert objection.message == "the runner-up, e1, scores 0.770 against e0's 0.800: an answer needs a lead of 0.050"
