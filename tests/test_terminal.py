from __future__ import annotations

import pytest

from chatbot.channels.terminal.printable import printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("is there parking", "is there parking"),
        ("caf\u00e9 \u00bfcu\u00e1nto cuesta? \U0001f600", "caf\u00e9 \u00bfcu\u00e1nto cuesta? \U0001f600"),
        ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),  # clear the screen
        ("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),  # set the window title
        ("\x1b[31mSTAFF NOTICE\x1b[0m", "\\x1b[31mSTAFF NOTICE\\x1b[0m"),
        ("\x9b2J", "\\x9b2J"),  # C1 control sequence introducer
        ("abc\u202edef", "abc\\u202edef"),  # right-to-left override
        ("a\x00b\rc\nd\te", "a\\x00b\\x0dc\\x0ad\\x09e"),
    ],
)
def test_control_characters_are_shown_never_obeyed(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_our_own_multi_line_texts_keep_their_lines() -> None:
    assert printable("line one\n\tline two\x1b[2J", keep_newlines=True) == "line one\n\tline two\\x1b[2J"
