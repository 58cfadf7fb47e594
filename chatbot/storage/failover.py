"""A shared service that may go away (Redis): use it while it works, this process's own copy while it does not.

Patients must keep getting replies when Redis stops, so every caller of a shared store passes two
ways of doing the same thing, one shared and one local. The first failure switches to the local
one and logs one line; Redis is tried again every `RETRY_SECONDS` (so an outage adds no timeout to
each request), and the first success logs one more line and switches back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger("chatbot")

RETRY_SECONDS = 5.0
# Redis on the same network answers in a millisecond; longer than this and it is as good as down.
REDIS_TIMEOUT_SECONDS = 0.5
T = TypeVar("T")


class Failover:
    def __init__(
        self, shared: str, local: str, retry_seconds: float = RETRY_SECONDS, clock: Callable[[], float] = time.monotonic
    ):
        """
        Args:
            shared: the shared service in words, for the log (never with its password).
            local: what this process does instead while it is away, for the log.
        """
        self.shared, self.local = shared, local
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = float("-inf")

    def call(self, shared: Callable[[], T], local: Callable[[], T], failures: tuple[type[BaseException], ...]) -> T:
        """`shared()`, or `local()` if it raises one of `failures` or failed less than `retry_seconds` ago."""
        if self._down and self._clock() < self._retry_at:
            return local()
        try:
            result = shared()
        except failures as exc:
            self._failed(exc)
            return local()
        self._worked()
        return result

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            self._retry_at = self._clock() + self._retry_seconds
            if self._down:
                return
            self._down = True
        log.error(
            "%s is unreachable (%s: %s); %s until it answers again. Patients still get their replies.",
            self.shared,
            type(exc).__name__,
            exc,
            self.local,
        )

    def _worked(self) -> None:
        with self._lock:
            if not self._down:
                return
            self._down = False
        log.warning("%s is back; shared again.", self.shared)
