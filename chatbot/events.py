"""What happened to each question, recorded in one place for every channel.

One JSON log line per question (channel, kind, entry id, score, latency), never the patient's
words or phone number.
"""

from __future__ import annotations

import json
import logging

from chatbot.domain import Reply

log = logging.getLogger("chatbot.requests")


class Recorder:
    """Called once per answered question by every channel (HTTP, SMS)."""

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
