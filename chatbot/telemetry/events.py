"""What happened, for people who run the service: one JSON line per event, written in one place.

Every event is a small frozen dataclass below, and `emit` is the only writer: one JSON line on the
`chatbot.events` logger (apart from the `chatbot` logger's sentences for people, so the lines can be
routed to a file or a collector on their own). Never the patient's words or phone number: an SMS
sender appears only as the desk's keyed hash, and an emergency without even that.

`Recorder` is what every channel calls once per answered question: the `reply` event, the metrics
`GET /metrics` reports, and, for each fallback, a redacted row in the unanswered-questions store that
`chatbot review` reads.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, ClassVar

from starlette.concurrency import run_in_threadpool

from chatbot.domain import Kind, Reply

if TYPE_CHECKING:
    from chatbot.storage.store import UnansweredStore
    from chatbot.telemetry.metrics import Metrics

log = logging.getLogger("chatbot.events")


@dataclass(frozen=True)
class Event:
    """One line of the event log: `{"event": name, **fields}` at `level`."""

    name: ClassVar[str]
    level: ClassVar[int] = logging.INFO

    def fields(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class Answered(Event):
    """A question got its reply, on any channel: what kind, which entry, how sure and how fast."""

    name = "reply"
    channel: str
    kind: str
    id: str | None
    score: float | None
    ms: float

    @classmethod
    def of(cls, channel: str, reply: Reply, seconds: float) -> Answered:
        score = None if reply.score is None else round(reply.score, 4)
        return cls(channel, reply.kind.value, reply.id, score, round(seconds * 1000, 2))


@dataclass(frozen=True)
class Feedback(Event):
    """A patient's thumbs up or down on the answer of entry `id`."""

    name = "feedback"
    id: str
    helpful: bool


@dataclass(frozen=True)
class TimedOut(Event):
    """A request to `path` had not started its reply within `seconds` and was answered 504."""

    name = "timeout"
    level = logging.WARNING
    path: str
    seconds: float


@dataclass(frozen=True)
class RateLimited(Event):
    """A client was answered 429 on `path`, told to come back in `retry_after` seconds (its address is not kept)."""

    name = "rate-limited"
    path: str
    retry_after: int


@dataclass(frozen=True)
class RateLimitFailed(Event):
    """The rate limiter itself failed (its message, which holds no address)."""

    name = "rate-limit-failed"
    level = logging.ERROR
    detail: str


@dataclass(frozen=True)
class Texted(Event):
    """What the SMS desk did with one text (`action`: answered, opt-out, limited, duplicate, emergency-…).

    `sender` is the keyed hash of the number. An emergency is logged without it: with the log key,
    anyone could hash candidate numbers and learn who texted in distress.
    """

    name = "sms"
    sender: str
    action: str

    def fields(self) -> dict[str, object]:
        if self.action.startswith("emergency"):
            return {"action": self.action}
        return {"sender": self.sender, "action": self.action}


def emit(event: Event) -> None:
    """Write `event` as one JSON line on the event log."""
    log.log(event.level, json.dumps({"event": event.name, **event.fields()}))


class Recorder:
    """Called once per answered question by every channel (HTTP, SMS)."""

    def __init__(self, metrics: Metrics | None = None, unanswered: UnansweredStore | None = None):
        self.metrics = metrics
        self.unanswered = unanswered

    async def record_soon(self, channel: str, question: str, reply: Reply, seconds: float) -> None:
        """`record` for async routes: a fallback's database write runs in a worker thread, so a locked
        database (up to its busy timeout) holds up that one request, not every request on the event loop."""
        if reply.kind is Kind.FALLBACK and self.unanswered is not None:
            await run_in_threadpool(self.record, channel, question, reply, seconds)
        else:
            self.record(channel, question, reply, seconds)

    async def feedback_soon(self, entry: str, helpful: bool, question: str) -> None:
        """A patient's thumbs up or down: logged without their words, stored (redacted) for `chatbot review`."""
        emit(Feedback(entry, helpful))
        if self.unanswered is not None:
            await run_in_threadpool(self.unanswered.add_feedback, entry, helpful, question)

    def record(self, channel: str, question: str, reply: Reply, seconds: float) -> None:
        emit(Answered.of(channel, reply, seconds))
        if self.metrics is not None:
            self.metrics.observe(channel, reply.kind.value, seconds)
        if self.unanswered is not None and reply.kind is Kind.FALLBACK:
            self.unanswered.add(channel, question, reply.candidates)
