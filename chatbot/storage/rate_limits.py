"""The per-client rate limit on `POST /v1/ask`, with slowapi counting in `limits` storage.

Counts live where CHATBOT_LIMITS_STORAGE says: `memory://` (each process its own) or a Redis URI
shared by every replica. A client is its address as uvicorn sees it (behind a proxy, set
uvicorn's `FORWARDED_ALLOW_IPS` so that is the patient's and not the proxy's). If the storage is
unreachable, each process counts on its own rather than refusing patients (slowapi's fallback,
with one log line when it starts and one when the storage is back).

Only the routes given the returned dependency are limited: the SMS webhook has its own per-sender
limit, and the widget and health checks none.
"""

from __future__ import annotations

import functools
import logging
import math
import time

from fastapi import Depends, FastAPI, Request
from fastapi.params import Depends as Dependency
from fastapi.responses import JSONResponse
from limits.storage import Storage, storage_from_string
from slowapi import Limiter
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

from chatbot.settings import RATE_OFF, check_rate, describe_storage
from chatbot.storage.failover import REDIS_TIMEOUT_SECONDS
from chatbot.telemetry.events import RateLimited, RateLimitFailed, emit

log = logging.getLogger("chatbot")


def storage_options(storage_uri: str) -> dict[str, float]:
    """Options for `limits` storage: short Redis timeouts, so an unreachable Redis fails fast and we fall back."""
    return (
        {}
        if storage_uri.startswith("memory://")
        else {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS}
    )


def limits_storage(storage_uri: str) -> Storage:
    """The `limits` storage CHATBOT_LIMITS_STORAGE names; its failures raise `limits.errors.StorageError`.

    Raises:
        ValueError: the URI names one of `limits`' asyncio storages (`async+redis://`), which cannot count here.
    """
    storage = storage_from_string(storage_uri, wrap_exceptions=True, **storage_options(storage_uri))
    if not isinstance(storage, Storage):
        raise ValueError(f"{describe_storage(storage_uri)!r} is an asyncio storage; use memory:// or redis://")
    return storage


def per_client_limit(app: FastAPI, rate: str, storage_uri: str) -> list[Dependency]:
    """Set up the limiter on `app` and return the dependency that counts a request against it.

    Args:
        rate: e.g. `60/minute`; `off` returns no dependency at all.
        storage_uri: a `limits` storage URI, e.g. `memory://` or `redis://host:6379`.

    Returns:
        The dependencies to put on the limited routes (empty when the limit is off). Only POST
        requests count, so `GET /v1/greeting` beside `/v1/ask` is free.
    """
    if check_rate(rate) == RATE_OFF:
        return []
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=storage_uri,
        strategy="moving-window",
        key_prefix="chatbot",
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        # slowapi declares dict[str, str], but hands the options to `limits`, whose Redis needs its timeouts as numbers.
        storage_options=storage_options(storage_uri),  # type: ignore[arg-type]
    )
    limiter.logger = _FallbackNews(describe_storage(storage_uri))  # type: ignore[assignment]
    app.add_exception_handler(RateLimitExceeded, functools.partial(_too_many_requests, limiter))

    @limiter.limit(rate, methods=["POST"])
    def per_client(request: Request) -> None:
        """Counts this request against its client's limit (the decorator does the counting)."""

    return [Depends(per_client)]


def _too_many_requests(limiter: Limiter, request: Request, exc: Exception) -> JSONResponse:
    """429 with `Retry-After`: how many seconds until this client may ask again."""
    item, identifiers = request.state.view_rate_limit
    reset_at, _ = limiter.limiter.get_window_stats(item, *identifiers)
    wait = max(1, math.ceil(reset_at - time.time()))
    emit(RateLimited(request.url.path, wait))
    return JSONResponse(
        {"error": f"Too many questions from this address (the limit is {item}). Please try again in {wait} seconds."},
        status_code=429,
        headers={"Retry-After": str(wait)},
    )


class _FallbackNews:
    """Stands in for slowapi's logger. Its lines about the storage going and coming back are said in
    ours; the rest is not: each refusal carries the client's address (ours says the same without it)."""

    def __init__(self, where: str):
        self.where = where

    def warning(self, message: str, *args: object, **kwargs: object) -> None:
        if message.startswith("Rate limit storage unreachable"):
            log.error(
                "The /v1/ask rate limit's storage %s is unreachable; "
                "each process counts on its own until it answers again. Patients still get their replies.",
                self.where,
            )

    def info(self, message: str, *args: object, **kwargs: object) -> None:
        if message.startswith("Rate limit storage recovered"):
            log.warning("The /v1/ask rate limit's storage %s is back; shared again.", self.where)

    def exception(self, message: str, *args: object, **kwargs: object) -> None:
        emit(RateLimitFailed(message))

    def __getattr__(self, name: str) -> object:
        return lambda *args, **kwargs: None
