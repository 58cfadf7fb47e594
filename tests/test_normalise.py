from __future__ import annotations

import pytest

from chatbot.answering.normalise import clean, normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hw much 4 1", "how much for 1"),
        ("wen do i stop eating", "when do i stop eating"),
        ("r u open sat??", "are you open sat ?"),
        ("do u have wifi", "do you have wifi"),
        ("Can I eat b4 my infussion?", "can i eat before my infusion ?"),
        ("will ketamin make me halucinate", "will ketamine make me hallucinations"),
        ("i want 2 kill myself", "i want to kill myself"),
        ("Is it $750 each?", "is it $750 each ?"),
        ("sooooo tired!!!!!", "soo tired !"),
        ("ＷＩＦＩ？", "wifi ?"),
        ("wifi pw?", "wifi password ?"),
        ("menu", "menu"),
    ],
)
def test_shorthand_and_misspellings_are_spelled_out(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zero\u200bwidth", "zerowidth"),
        ("null\x00byte", "nullbyte"),
        ("  tabs\tand\nnewlines  ", "tabs and newlines"),
        ("\u202eright to left\u202c", "right to left"),
        ("curly ’quotes’", "curly 'quotes'"),
    ],
)
def test_invisible_and_control_characters_are_removed(text: str, expected: str) -> None:
    assert clean(text) == expected


def test_nothing_but_invisible_characters_normalises_to_empty() -> None:
    assert normalise("\u200b\u200d\x00 \ufeff") == ""
