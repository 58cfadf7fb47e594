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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from chatbot.errors import StateUnavailable
from chatbot.settings import describe_storage
from chatbot.storage.failover import REDIS_TIMEOUT_SECONDS, Failover


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


class RedisState:
    """State in Redis, shared by every replica; values expire in Redis itself."""

    PREFIX = "chatbot:state:"  # apart from the rate-limit counts `limits` keeps in the same Redis

    def __init__(self, uri: str):
        import redis

        self._redis = redis.Redis.from_url(
            uri,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            decode_responses=True,
        )
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)

    def get(self, key: str) -> str | None:
        with self._unavailable_on_error():
            value = self._redis.get(self.PREFIX + key)
        return None if value is None else str(value)

    def put(self, key: str, value: str, ttl_seconds: float) -> None:
        with self._unavailable_on_error():
            self._redis.set(self.PREFIX + key, value, px=max(1, round(ttl_seconds * 1000)))

    def delete(self, key: str) -> None:
        with self._unavailable_on_error():
            self._redis.delete(self.PREFIX + key)

    @contextmanager
    def _unavailable_on_error(self) -> Iterator[None]:
        try:
            yield
        except self._errors as exc:
            raise StateUnavailable(str(exc)) from exc


class FallbackState:
    """A shared state that falls back to this process's memory while it is unreachable, and never raises."""

    def __init__(self, shared: State, failover: Failover):
        self._shared = shared
        self._local = MemoryState()
        self._failover = failover

    def get(self, key: str) -> str | None:
        return self._failover.call(lambda: self._shared.get(key), lambda: self._local.get(key), (StateUnavailable,))

    def put(self, key: str, value: str, ttl_seconds: float) -> None:
        self._failover.call(
            lambda: self._shared.put(key, value, ttl_seconds),
            lambda: self._local.put(key, value, ttl_seconds),
            (StateUnavailable,),
        )

    def delete(self, key: str) -> None:
        self._failover.call(lambda: self._shared.delete(key), lambda: self._local.delete(key), (StateUnavailable,))


def state_from_uri(uri: str) -> State:
    """The state CHATBOT_LIMITS_STORAGE names: `memory://` in this process, a Redis URI shared (with fallback).

    The URI is checked by `Settings` (`check_storage`) before it gets here.
    """
    if uri.startswith("memory://"):
        return MemoryState()
    where = describe_storage(uri)
    return FallbackState(RedisState(uri), Failover(f"Shared state in {where}", "keeping it in this process"))
