"""Domain exceptions. The library raises these; the CLI and the routes turn them into exit codes and HTTP errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ChatbotError(Exception):
    """Base class of everything the library raises on purpose."""


NOWHERE = "-"  # a problem of a whole file or section has no entry or field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base, located by file, line (when known), entry and field."""

    file: str
    entry: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = [f"{self.file}, line {self.line}" if self.line else self.file]
        inside = [f"entry {self.entry!r}"] if self.entry != NOWHERE else []
        inside += [f"field {self.field!r}"] if self.field != NOWHERE else []
        if inside:
            where.append(", ".join(inside))
        return f"{': '.join(where)}: {self.message}"


class KnowledgeError(ChatbotError):
    """The knowledge base is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"The knowledge base has {len(problems)} problem(s):\n{numbered(problems)}")


def numbered(problems: Sequence[Problem]) -> str:
    """The problems as staff read them: one numbered item each, continuation lines indented under it."""
    return "\n".join(f"{n:>3}. " + str(p).replace("\n", "\n     ") for n, p in enumerate(problems, start=1))


class WeightsMismatch(ChatbotError):
    """The model's weights are not the file we verified; we refuse to answer with them."""


class ModelNotFound(ChatbotError):
    """CHATBOT_MODEL names nothing we can load without a download."""


class ExportFailed(ChatbotError):
    """The model cannot be exported to ONNX for serving."""


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


class AssistantStarting(ChatbotError):
    """Nothing is loaded to answer with yet: the server has just started (or its first load failed)."""

    def __init__(self) -> None:
        super().__init__("The assistant is still starting; try again in a few seconds.")
