"""Every exception the library raises on purpose, in one module (as httpx keeps its `_exceptions.py`).

The library raises these and never exits; the CLI turns them into exit codes, the routes into HTTP errors.
Every class below is a direct subclass of `ChatbotError` except where drawn otherwise:

* ChatbotError
  + the knowledge base:  KnowledgeError (carries every `Problem`), UnknownChoice
  + serving:             AssistantStarting (nothing loaded to answer with yet)
  + the question:        InvalidQuestion (also a `ValueError`)
  + the model:           ModelNotFound, WeightsMismatch, ExportFailed, ExportMismatch
  + the index on disk:   MissingIndex, StaleIndex, CorruptIndex, IndexNotWritable
  + a build:             BuildFailed
  + storage:             StoreError, StateUnavailable
  + SMS:                 SmsNotConfigured, ForgedRequest
  + quality files:       EvalSetError, DetailsSetError, CalibrationFailed
* DatabaseDown (an `Exception`, raised by the PostgreSQL backend): the store logs it on a write and turns it
  into a StoreError on a read, so it never reaches a patient.

Two signals are not here because they never leave the module that raises them: `HeadersTooLarge` (raised in
httptools' callback, which answers 400) and the body-size middleware's private `_BodyTooLarge`.
"""

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


class ExportMismatch(ChatbotError):
    """The ONNX export does not reproduce the reference encoder; serving with it would change answers."""


class StaleIndex(ChatbotError):
    """The index on disk was built from another knowledge base or model."""


class CorruptIndex(ChatbotError):
    """The index on disk cannot be read."""


class MissingIndex(ChatbotError):
    """There is no index on disk yet."""


class IndexNotWritable(ChatbotError):
    """The index folder cannot be written (permissions, a read-only mount, a full disk)."""


class BuildFailed(ChatbotError):
    """A build run in a child process (see `chatbot.kb.startup.open_index`) exited with an error."""


class StoreError(ChatbotError):
    """The unanswered-questions database cannot be read."""


class StateUnavailable(ChatbotError):
    """The shared state store (e.g. Redis) cannot be reached; callers go on as if nothing were stored."""


class DatabaseDown(Exception):
    """The database could not be reached moments ago; not tried again yet."""


class SmsNotConfigured(ChatbotError):
    """There is no auth token (or no public URL) to check Twilio's signature with."""


class ForgedRequest(ChatbotError):
    """`X-Twilio-Signature` is missing or does not match the request."""


class UnknownChoice(ChatbotError):
    """A "did you mean" choice that names no entry of the knowledge base."""


class AssistantStarting(ChatbotError):
    """Nothing is loaded to answer with yet: the server has just started (or its first load failed)."""

    def __init__(self) -> None:
        super().__init__("The assistant is still starting; try again in a few seconds.")


class InvalidQuestion(ChatbotError, ValueError):
    """The input cannot be asked; the message says why, for the person who sent it."""


class EvalSetError(ChatbotError):
    """The evaluation file is malformed."""


class DetailsSetError(ChatbotError):
    """The personal-details file is malformed."""


class CalibrationFailed(ChatbotError):
    """No thresholds meet the bounds on the tuning half: the knowledge base needs more exemplars."""
