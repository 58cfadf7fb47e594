"""Short-lived shared state: small values with an expiry, keyed by text.

What replicas must agree on besides the rate-limit counts lives here: an SMS sender's pending
"did you mean" choice, a Twilio `MessageSid` already answered. `memory://` keeps it in the
process (one worker, or tests); a shared store (Redis) makes every replica see the same values.

A store that fails must never cost a patient a reply: callers treat a failing `get` as "nothing
stored" and a failing `put` as done, and the store says so in the log.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Protocol


class State(Protocol):
    """Values that expire; every method may raise `chatbot.errors.StateUnavailable`."""

    def get(self, key: str) -> str | None:
        """The value stored under `key`, or None if there is none or it has expired."""

    def put(self, key: str, value: str, ttl_seconds: float) -> None:
        """Store `value` under `key` for `ttl_seconds`, replacing any earlier value."""

    def delete(self, key: str) -> None:
        """Forget `key` (nothing happens if it is not there)."""


class MemoryState:
    """State in this process's memory: a dict of (value, expiry), swept as it is written."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._values: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            found = self._values.get(key)
            if found is None:
                return None
            value, expires = found
            if expires <= self._clock():
                del self._values[key]
                return None
            return value

    def put(self, key: str, value: str, ttl_seconds: float) -> None:
        with self._lock:
            now = self._clock()
            # Sweep on write so a busy process never holds more than one window's worth of keys.
            self._values = {k: v for k, v in self._values.items() if v[1] > now}
            self._values[key] = (value, now + ttl_seconds)

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)
