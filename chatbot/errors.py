"""Domain exceptions. The library raises these; the CLI and the routes turn them into exit codes and HTTP errors."""

from __future__ import annotations

from dataclasses import dataclass


class ChatbotError(Exception):
    """Base class of everything the library raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base, located by file, entry and field."""

    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: entry {self.entry!r}, field {self.field!r}: {self.message}"


class KnowledgeError(ChatbotError):
    """The knowledge base is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"The knowledge base has {len(problems)} problem(s):\n{lines}")


class WeightsMismatch(ChatbotError):
    """The model's weights are not the file we verified; we refuse to answer with them."""


class ModelNotFound(ChatbotError):
    """CHATBOT_MODEL names nothing we can load without a download."""


class StaleIndex(ChatbotError):
    """The index on disk was built from another knowledge base or model."""


class CorruptIndex(ChatbotError):
    """The index on disk cannot be read."""


class MissingIndex(ChatbotError):
    """There is no index on disk yet."""


class StateUnavailable(ChatbotError):
    """The shared state store (e.g. Redis) cannot be reached; callers go on as if nothing were stored."""


class UnknownChoice(ChatbotError):
    """A "did you mean" choice that names no entry of the knowledge base."""
