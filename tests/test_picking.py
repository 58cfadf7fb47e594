"""Which "did you mean" suggestion a reply picks: by number or in words, English and Spanish, and nothing when the
reply says more than a pick."""

from pathlib import Path

import pytest
import yaml

from chatbot.answering.picking import chosen

BLIND = [Path(__file__).parent / "data" / name for name in ("short-messages.yaml", "short-messages-es.yaml")]


@pytest.mark.parametrize(
    ("reply", "index"),
    [
        ("1", 0),
        ("2.", 1),
        ("3)", 2),
        ("#2", 1),
        ("two", 1),
        ("the first one", 0),
        ("1st one pls", 0),
        ("option 3", 2),
        ("no. 2", 1),
        ("the top one", 0),
        ("the middle one", 1),
        ("the last one", 2),
        ("ummm the third", 2),
        ("el primero", 0),
        ("la 2", 1),
        ("La Segunda, por favor", 1),
        ("la 3ra porfa", 2),
        ("la última", 2),
    ],
)
def test_a_pick_by_number_or_in_words(reply: str, index: int) -> None:
    assert chosen(reply, 3) == index


@pytest.mark.parametrize(
    "reply",
    [
        "4",
        "0",
        "2 and 3",
        "the first one, but what about my insulin?",
        "not the first one",
        "is it the first infusion",
        "one more question",
        "2 hours",
        "yes",
        "",
    ],
)
def test_anything_more_or_other_than_a_pick_picks_nothing(reply: str) -> None:
    assert chosen(reply, 3) is None


def test_last_and_middle_depend_on_how_many_were_offered() -> None:
    assert (chosen("the last one", 2), chosen("the middle one", 2), chosen("3", 2)) == (1, None, None)


def test_the_blind_writers_picks_are_read() -> None:
    """The short-message sets' picks in words (README, "Short messages, written blind"): 36 of 37 read, both halves,
    where a bare digit alone was read before (1 of 37)."""
    picks = [item for path in BLIND for item in yaml.safe_load(path.read_text(encoding="utf-8"))["pick"]]
    read = sum(chosen(item["q"], 3) == item["number"] - 1 for item in picks)
    assert len(picks) == 37 and read >= 36
