"""What counts as a question we will try to answer: the one rule HTTP, SMS and the terminal share."""

from __future__ import annotations

import re

from chatbot.errors import InvalidQuestion

MAX_QUESTION_CHARS = 1000
_SURROGATE = re.compile("[\ud800-\udfff]")  # half of a UTF-16 pair on its own, e.g. from JSON's "\ud800"


def check_question(value: object) -> str:
    """Return the question unchanged if it can be asked.

    Raises:
        InvalidQuestion: not a string, empty after trimming, longer than 1,000 characters, or holding
            an unpaired surrogate (JSON's "\\ud800"), which is not text and cannot be stored or encoded.
    """
    if not isinstance(value, str):
        raise InvalidQuestion(f"question must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidQuestion("question is empty after trimming whitespace")
    if len(value) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(f"question is {len(value):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    if surrogate := _SURROGATE.search(value):
        raise InvalidQuestion(
            f"question has an unpaired surrogate (U+{ord(surrogate.group()):04X}) "
            f"at character {surrogate.start() + 1:,}; it is not valid Unicode text"
        )
    return value
