"""What counts as a question we will try to answer: the one rule HTTP, SMS and the terminal share."""

from __future__ import annotations

from chatbot.errors import ChatbotError

MAX_QUESTION_CHARS = 1000


class InvalidQuestion(ChatbotError, ValueError):
    """The input cannot be asked; the message says why, for the person who sent it."""


def check_question(value: object) -> str:
    """Return the question unchanged if it can be asked.

    Raises:
        InvalidQuestion: not a string, empty after trimming, or longer than 1,000 characters.
    """
    if not isinstance(value, str):
        raise InvalidQuestion(f"question must be a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidQuestion("question is empty after trimming whitespace")
    if len(value) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(f"question is {len(value):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    return value
