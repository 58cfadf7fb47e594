"""The encoder comparison of `make bench` (scripts/encoders.py): its table, its bounds and its one-alternate edit.

The measurements themselves take minutes and are never asserted; these tests feed the report a results dict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import encoders
import pytest
from conftest import KNOWLEDGE

from chatbot.kb import knowledge

HELDOUT = {
    "right": 0.793,
    "resolved": 0.947,
    "wrong": 0.009,
    "out_of_scope_answered": 0.03,
    "emergency_caught": 1.0,
    "false_alarms": 2,
}


def measured(name: str, model: str, **figures: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "encoder": name,
        "model": model,
        "answer_model": "" if model else "adapted",  # the packaged model with its adapted answer encoder: the default
        "skipped": None,
        "calibration_failed": None,
        "heldout": HELDOUT,
        "build_s": 56.0,
        "rebuild_s": 12.3,
        "answer_ms": 5.8,
        "http_ms": 9.0,
        "http_over_answer": 1.55,
        "rss_mib": 272.0,
        "fresh_ask_s": 1.2,
    } | figures
    return result | {"bounds": encoders.verdicts(result)}


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip("|").split("|")]


def header(text: str) -> list[str]:
    """The table's column names after the label column."""
    return cells(next(line for line in text.splitlines() if line.startswith("|")))[1:]


def row(text: str, label: str) -> list[str]:
    """The cells after the label of the table row that starts with `label`."""
    return cells(next(line for line in text.splitlines() if line.startswith(f"| {label}")))[1:]


def test_the_encoders_are_columns_of_one_table_with_the_default_marked() -> None:
    text = encoders.render(
        {
            "questions": 200,
            "fresh_runs": 3,
            "encoders": [
                measured("all-MiniLM-L6-v2", ""),
                measured(
                    "all-mpnet-base-v2",
                    "models/all-mpnet-base-v2",
                    heldout=HELDOUT | {"right": 0.819},
                    answer_ms=40.0,
                    rss_mib=760.0,
                ),
            ],
        }
    )
    assert header(text) == ["all-MiniLM-L6-v2 (default)", "all-mpnet-base-v2"]
    assert row(text, "held-out: answered right") == ["79.3%", "81.9%"]
    assert row(text, "held-out: false alarms") == ["2", "2"]
    assert row(text, "in-process answer, median ms") == ["5.8", "40"]
    assert row(text, "serving process resident MiB (≤ 700)") == ["272 pass", "760 FAIL"]
    assert "over 200 questions" in text


def test_an_encoder_not_installed_gets_a_line_saying_how_to_install_it() -> None:
    reason = encoders.Choice("all-mpnet-base-v2", "/nowhere/all-mpnet-base-v2", "mpnet").missing()
    assert reason is not None and "make mpnet" in reason
    text = encoders.render(
        {
            "questions": 200,
            "fresh_runs": 3,
            "encoders": [
                measured("all-MiniLM-L6-v2", ""),
                {"encoder": "all-mpnet-base-v2", "model": "/nowhere", "skipped": reason},
            ],
        }
    )
    assert header(text) == ["all-MiniLM-L6-v2 (default)"]
    assert f"all-mpnet-base-v2: skipped, {reason}." in text.splitlines()


@pytest.mark.parametrize(
    ("figures", "failing"),
    [
        ({}, {"http_over_answer"}),
        ({"http_over_answer": 1.2}, set()),  # the bound itself passes: "at most"
        ({"http_ms": 50.01, "http_over_answer": 1.0}, {"http_ms"}),
        ({"fresh_ask_s": 2.5, "rss_mib": 700.5, "http_over_answer": 1.1}, {"fresh_ask_s", "rss_mib"}),
    ],
)
def test_each_serving_bound_is_judged_at_most(figures: dict[str, float], failing: set[str]) -> None:
    verdicts = encoders.verdicts(measured("all-MiniLM-L6-v2", "", **figures))
    assert {field for field, passed in verdicts.items() if not passed} == failing


def test_a_failed_calibration_is_said_under_the_table() -> None:
    result = measured("all-mpnet-base-v2", "models/all-mpnet-base-v2", calibration_failed="No thresholds keep …")
    text = encoders.render({"questions": 200, "fresh_runs": 3, "encoders": [result]})
    assert "all-mpnet-base-v2: calibration failed (No thresholds keep …)" in text


def test_the_rebuild_edit_adds_one_alternate_and_is_undone_word_for_word(knowledge_copy: Path) -> None:
    before = knowledge.load(knowledge_copy)
    original = (knowledge_copy / "faq.yaml").read_bytes()
    with encoders.one_alternate_added(knowledge_copy):
        edited = knowledge.load(knowledge_copy)
        assert sum(len(e.alternates) for e in edited.entries) == sum(len(e.alternates) for e in before.entries) + 1
        assert edited.fingerprint != before.fingerprint
    assert (knowledge_copy / "faq.yaml").read_bytes() == original


def test_an_encoder_that_cannot_build_is_listed_with_the_build_error(tmp_path: Path) -> None:
    not_a_model = tmp_path / "not-a-model"
    not_a_model.mkdir()
    comparison = encoders.compare(
        [encoders.Choice("not-a-model", str(not_a_model))], KNOWLEDGE, encoders.EVAL_FILE, [], fresh_runs=1
    )
    [result] = comparison["encoders"]
    assert result["skipped"].startswith(f"`chatbot build` failed with it: CHATBOT_MODEL is '{not_a_model}'")
    assert f"`CHATBOT_MODEL={not_a_model} chatbot check` lists the problems" in result["skipped"]  # outside cwd
    assert f"not-a-model: skipped, {result['skipped']}." in encoders.render(comparison)
