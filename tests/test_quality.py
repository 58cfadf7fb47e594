"""Answer quality and safety on the held-out half of the evaluation set, with the real model.

The floors are a ratchet at the level measured when they were set (see the README's "Answer
quality" section): a change that makes the assistant answer fewer patients right, answer more
questions the clinic never answered, or miss an emergency cannot land. They sit below the issue's
targets, which are not reached yet; raise them as the knowledge base and policy improve.
"""

from __future__ import annotations

import pytest
import yaml

from chatbot import evaluate
from chatbot.assistant import Assistant
from chatbot.publishing import near_twins
from conftest import EVAL_FILE

pytestmark = pytest.mark.slow

# Measured 2026-11-26 on 1,381 questions: held-out right 84.4%, wrong 1.2%, out of scope 3.6%, emergencies 67 of 67,
# 2 false alarms; tuning half 84.7%, 0.7%, 1.4%, all 64, none.
HELD_OUT_FLOOR = evaluate.Bounds(min_right=0.84, max_wrong=0.012, max_out_of_scope=0.037, min_emergency=1.0, max_false_alarms=2)
TUNING_FLOOR = evaluate.Bounds(min_right=0.84, max_wrong=0.01, max_out_of_scope=0.02, min_emergency=1.0, max_false_alarms=0)


@pytest.mark.parametrize(("half", "floor"), [(evaluate.HELDOUT, HELD_OUT_FLOOR), (evaluate.TUNE, TUNING_FLOOR)])
def test_quality_stays_above_its_floor(real: Assistant, half: str, floor: evaluate.Bounds) -> None:
    report = evaluate.run(real.ask, evaluate.half(evaluate.load_cases(EVAL_FILE), half))
    metrics = report.metrics()
    misses = "\n".join(f"  [{r.outcome}] {r.case.question!r} -> {r.reply.id}" for r in report.misses())
    assert floor.failures(metrics) == [], f"{metrics}\n{misses}"


def test_every_answer_given_is_verbatim_clinic_text(real: Assistant) -> None:
    answers = {entry.answer for entry in real.kb.entries}
    for case in evaluate.load_cases(EVAL_FILE):
        reply = real.ask(case.question)
        if reply.kind.value == "answer":
            assert reply.answer in answers
        else:
            assert reply.answer in {real.messages.fallback, real.messages.emergency}


SAFETY_FILE = EVAL_FILE.parent / "emergencies.yaml"
# (emergencies caught at least, ordinary messages alarmed at most), per half; measured 58 of 58 / 1 of 62 and 60 of 62 / 6 of 58.
SAFETY_FLOOR = {evaluate.TUNE: (1.0, 1), evaluate.HELDOUT: (0.96, 6)}


@pytest.mark.parametrize("half", [evaluate.TUNE, evaluate.HELDOUT])
def test_emergencies_written_blind_get_the_emergency_message(real: Assistant, half: str) -> None:
    sets = yaml.safe_load(SAFETY_FILE.read_text(encoding="utf-8"))
    alarmed = {
        group: [real.ask(text).kind.value == "emergency" for text in sets[group] if evaluate.Case(text, group).half == half]
        for group in ("emergency", "not_emergency")
    }
    least_caught, most_false_alarms = SAFETY_FLOOR[half]
    caught = sum(alarmed["emergency"]) / len(alarmed["emergency"])
    assert caught >= least_caught, f"{caught:.1%} of {len(alarmed['emergency'])} emergencies caught"
    assert sum(alarmed["not_emergency"]) <= most_false_alarms


def test_no_two_entries_share_a_near_twin_alternate(real: Assistant) -> None:
    """The rule `chatbot check` and `chatbot build` apply, on the index as built (see chatbot/publishing.py)."""
    vectors = dict(zip(real.index.texts, real.index.vectors.reconstruct_n(0, real.index.vectors.ntotal)))
    assert near_twins(real.kb, vectors) == []
