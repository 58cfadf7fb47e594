"""Text on its way to a staff member's terminal: control characters shown, never obeyed.

A patient's question may hold ANSI escape sequences (clear the screen, set the window title, red
"STAFF NOTICE" text), C1 controls or right-to-left overrides that reorder what is shown. Printed
as they are, the terminal obeys them; `printable` writes each as a visible escape (`\\x1b`,
`\\u202e`) instead, so staff see that something was there and nothing happens.
"""

from __future__ import annotations

import unicodedata

_CONTROL = {"Cc", "Cf"}  # C0 and C1 controls; format characters (bidi overrides, zero-width)


def printable(text: str, keep_newlines: bool = False) -> str:
    """`text` with every control and format character written as a visible escape.

    Args:
        text: anything that may reach a terminal.
        keep_newlines: leave line breaks (and tabs) alone, for multi-line texts of our own.
    """
    kept = "\n\t" if keep_newlines else ""
    return "".join(_escape(ch) if unicodedata.category(ch) in _CONTROL and ch not in kept else ch for ch in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
