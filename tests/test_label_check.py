"""The label check of an evaluation set (scripts/label_check.py): readers get every question once and nothing
of the assistant, and a label changes only on what both readers agree."""

from __future__ import annotations

from pathlib import Path

import label_check
import yaml
from conftest import EVAL_FILE

from chatbot.quality.evaluate import load_cases

LABEL_CHECK = EVAL_FILE.parent / "label-check" / "2026-12-03"


def fix(category: str, *ids: str) -> dict:
    return {"category": category, "ids": list(ids)}


def test_a_label_changes_only_where_both_readers_flag_it_with_the_same_category() -> None:
    first = {1: fix("out_of_scope"), 2: fix("in_scope", "cost"), 3: fix("in_scope", "wifi", "cost")}
    second = {1: fix("out_of_scope"), 2: fix("out_of_scope"), 3: fix("in_scope", "cost"), 4: fix("out_of_scope")}
    assert label_check.agreed([first, second]) == {1: fix("out_of_scope"), 3: fix("in_scope", "cost")}


def test_readers_naming_no_entry_in_common_change_nothing() -> None:
    assert label_check.agreed([{7: fix("in_scope", "wifi")}, {7: fix("in_scope", "cost")}]) == {}


def test_the_parts_hold_every_answer_label_once_and_nothing_of_the_halves(tmp_path: Path) -> None:
    label_check.write_parts(EVAL_FILE, tmp_path, parts=3)
    questions = [q for n in (1, 2, 3) for q in yaml.safe_load((tmp_path / f"part{n}.yaml").read_text())]
    labelled = [c for c in load_cases(EVAL_FILE) if c.category in ("in_scope", "out_of_scope")]
    assert sorted(q["q"] for q in questions) == sorted(c.question for c in labelled)
    assert all(set(q) == {"n", "category", "q", "ids"} for q in questions)
    assert {"entries.yaml", "clinic-site.txt", "prompt.md"} <= {p.name for p in tmp_path.iterdir()}


def test_the_changes_the_readers_agreed_on_are_in_the_evaluation_set(capsys) -> None:
    label_check.agree(LABEL_CHECK)
    changes = capsys.readouterr().out.splitlines()
    assert len(changes) == 3
    cases = {c.question: c for c in load_cases(EVAL_FILE)}
    assert cases["my sister is driving me, can she wait in the room with me?"].category == "out_of_scope"
    assert cases["what is the midazolam for"].ids == ("hallucinations",)
    assert cases["how will i feel after"].ids == ("feeling-afterwards", "side-effects-after-treatment")
