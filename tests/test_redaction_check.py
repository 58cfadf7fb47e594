"""Redaction measured on the blind personal-details set; `make test` holds the held-out half to its measured level."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.errors import DetailsSetError
from chatbot.quality import redaction_check
from chatbot.quality.evaluate import HELDOUT, TUNE

DETAILS_FILE = Path(__file__).resolve().parent / "data" / "personal-details.yaml"


@pytest.fixture(scope="module")
def details_set() -> redaction_check.DetailsSet:
    return redaction_check.load(DETAILS_FILE)


def test_the_set_is_as_big_as_promised(details_set: redaction_check.DetailsSet) -> None:
    assert len(details_set.personal) >= 220 and len(details_set.ordinary) >= 120
    assert {m.half for m in details_set.personal} == {TUNE, HELDOUT}


# Measured 2026-12-01 (README, "Privacy"): held-out 206 of 213 details (96.7%), every one but names
# (170 of 170), names 36 of 43; 3 of 81 ordinary questions changed. A change that loses any of it fails.
@pytest.mark.parametrize(
    ("half", "min_all", "min_all_but_names", "max_changed"),
    [(TUNE, 0.988, 1.0, 0), (HELDOUT, 0.967, 1.0, 3)],
)
def test_redaction_holds_its_measured_level(
    details_set: redaction_check.DetailsSet, half: str, min_all: float, min_all_but_names: float, max_changed: int
) -> None:
    measured = redaction_check.measure(details_set.half(half))
    assert measured.recall() >= min_all
    assert measured.recall(kind for kind in measured.total if kind != "name") >= min_all_but_names
    assert len(measured.changed) <= max_changed


def test_a_detail_is_caught_only_when_all_its_words_are(tmp_path: Path) -> None:
    path = tmp_path / "details.yaml"
    path.write_text(
        "personal:\n"
        "  - text: 'call 555-123-4567 or write to Jo at jo dot smith at gmail dot com'\n"
        "    details: [{kind: phone, value: '555-123-4567'}, {kind: email, value: 'jo dot smith at gmail dot com'},"
        " {kind: name, value: 'Jo'}]\n"
        "ordinary: ['is there parking', 'Is it open Mon\u2013Fri?', 'is it open on March 3?']\n"
    )
    measured = redaction_check.measure(redaction_check.load(path))
    assert dict(measured.caught) == {"phone": 1, "email": 1}
    assert [detail.value for _, detail in measured.missed] == ["Jo"]
    assert measured.changed == [("is it open on March 3?", "is it open on [date]?")]  # a dash made plain is no change


def test_a_detail_that_is_not_in_its_message_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "details.yaml"
    path.write_text("personal:\n  - text: 'call me'\n    details: [{kind: phone, value: '555-1234'}]\n")
    with pytest.raises(DetailsSetError, match="personal message 1: detail '555-1234' is not in its text"):
        redaction_check.load(path)
