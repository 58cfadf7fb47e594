"""What happened to each question, recorded in one place for every channel.

One JSON log line per question (channel, kind, entry id, score, latency), never the patient's
words or phone number; the metrics `GET /metrics` reports; and, for each fallback, a redacted row
in the unanswered-questions store that `chatbot review` reads.
"""

from __future__ import annotations

import json
import logging

from starlette.concurrency import run_in_threadpool

from chatbot.domain import Kind, Reply
from chatbot.storage.store import UnansweredStore
from chatbot.telemetry.metrics import Metrics

log = logging.getLogger("chatbot.requests")


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
        log.info(json.dumps({"event": "feedback", "id": entry, "helpful": helpful}))
        if self.unanswered is not None:
            await run_in_threadpool(self.unanswered.add_feedback, entry, helpful, question)

    def record(self, channel: str, question: str, reply: Reply, seconds: float) -> None:
        log.info(
            json.dumps(
                {
                    "event": "reply",
                    "channel": channel,
                    "kind": reply.kind.value,
                    "id": reply.id,
                    "score": None if reply.score is None else round(reply.score, 4),
                    "ms": round(seconds * 1000, 2),
                }
            )
        )
        if self.metrics is not None:
            self.metrics.observe(channel, reply.kind.value, seconds)
        if self.unanswered is not None and reply.kind is Kind.FALLBACK:
            self.unanswered.add(channel, question, reply.candidates)
