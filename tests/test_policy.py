from __future__ import annotations

import math
from dataclasses import replace

import pytest

from chatbot.answering.policy import (
    JUDGE,
    MOST_WORDS,
    OUT_OF_SCOPE,
    TOO_CLOSE,
    TOO_FAR,
    decide,
    judged,
    objections,
)
from chatbot.domain import Evidence, Judge, Match, Thresholds

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


# A judge in the shape calibrate fits: every input pulls towards an answer but the uncovered share.
J = Judge(bias=-6.7, best=3.0, lead=1.5, out_of_scope_lead=6.3, words=2.3, uncovered=-2.4)
JT = replace(T, answer=0.5, judge=J)


def judged_ev(best: float, runner_up: float, oos: float, words: int, uncovered: float = 0.0) -> Evidence:
    return Evidence((Match("companion", best), Match("outpatient", runner_up)), oos, "an exemplar", words, uncovered)


def test_the_judge_answers_a_close_plain_question_the_thresholds_refuse() -> None:
    """ "can my husband drive me home": companion at 0.965, far ahead of the runner-up, but an out-of-scope
    exemplar about a husband who had a stroke sits just behind it."""
    evidence = judged_ev(0.965, 0.6, 0.951, words=3)
    assert decide(evidence, T) is None
    choice = decide(evidence, JT)
    assert choice is not None and choice.id == "companion"


def test_the_judge_refuses_what_the_entry_does_not_cover() -> None:
    answered = judged_ev(0.8, 0.6, 0.6, words=8)
    assert decide(answered, JT) is not None
    assert decide(replace(answered, uncovered=1.0), JT) is None


def test_length_cannot_talk_the_judge_into_an_answer() -> None:
    """Past MOST_WORDS, more words add nothing; and below the floor nothing is answered, however long."""
    long = judged_ev(0.55, 0.45, 0.5, words=MOST_WORDS)
    assert judged(long, J) == judged(replace(long, words=10 * MOST_WORDS), J)
    far = judged_ev(0.45, 0.3, 0.2, words=MOST_WORDS)
    assert judged(far, J) > 0 and decide(far, replace(JT, answer=0.5)) is None


def test_a_lone_entry_is_judged_with_a_finite_lead() -> None:
    lone = Evidence((Match("e0", 0.9),), float("-inf"), "", 5, 0.0)
    assert math.isfinite(judged(lone, J)) and decide(lone, JT) is not None


def test_spanish_questions_are_decided_by_the_thresholds_not_the_judge() -> None:
    """The judge was fit on English questions only: a Spanish one must still earn `spanish_answer`."""
    spanish = replace(JT, spanish_answer=1.02).in_language("es")
    evidence = judged_ev(0.965, 0.6, 0.5, words=3)
    assert decide(evidence, replace(JT, spanish_answer=1.02)) is not None
    assert spanish.judge is None and decide(evidence, spanish) is None


def test_a_judged_fallback_says_what_the_judge_weighed_then_the_weakest_rule() -> None:
    evidence = judged_ev(0.965, 0.6, 0.96, words=3, uncovered=0.5)
    why = objections(evidence, JT)
    assert [o.rule for o in why] == [JUDGE, OUT_OF_SCOPE]
    assert why[0].message.startswith(f"the judge scores companion at {judged(evidence, J):+.2f}: an answer needs 0")
    assert "3 telling words, 50% of them not in the entry" in why[0].message


def test_objections_are_empty_exactly_when_the_judge_answers() -> None:
    for evidence in (judged_ev(0.965, 0.6, 0.951, 3), judged_ev(0.5, 0.45, 0.55, 12), judged_ev(0.8, 0.6, 0.6, 8, 1.0)):
        assert (objections(evidence, JT) == ()) == (decide(evidence, JT) is not None)
