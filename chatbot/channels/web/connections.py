"""How `chatbot serve` reads requests off the wire: headers bounded in size and in time.

uvicorn parses HTTP with httptools (fast, and chosen for that), which accepts headers of any size
and waits for them for ever: a 32 MB header was read whole, and a client trickling one header line
every few seconds held its connection open indefinitely. `BoundedHttpTools` is uvicorn's own
httptools protocol with two limits added: the request line and headers together may hold at most
`max_header_bytes` (more gets a 400 and the connection is closed), and they must arrive within
`header_timeout_seconds` of the request's first byte (or of the connection opening), else the
connection is closed. The body has its own limits (`middleware.BodyLimit`, `Timeout`).

A reverse proxy in front should still enforce its own limits (see the README): these are the
floor the app guarantees on its own.

An idle keep-alive connection is closed after `keep_alive_seconds`, not uvicorn's 5 s. Whoever closes
an idle connection races the other side's next request on it: a request already sent when the server's
timer runs is never read, and the client gets a connection reset instead of a reply (a POST cannot be
retried safely). With uvicorn's 5 s, exactly the idle time httpx's pool trusts, the load test lost 1 or
2 requests in 5,000 when a starved CPU held the event loop past the deadline, and a proxy (Caddy keeps
idle upstream connections 2 minutes) would lose them as 502s. The client must close first, so the
server waits longer than any client in front of it keeps a connection.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from chatbot.settings import Settings


class HeadersTooLarge(Exception):
    """Raised inside the parser's callback: httptools then reports the request as invalid (a 400)."""


class BoundedHttpTools(HttpToolsProtocol):
    def __init__(self, *args: Any, max_header_bytes: int, header_timeout_seconds: float, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._max_header_bytes = max_header_bytes
        self._header_timeout_seconds = header_timeout_seconds
        self._header_bytes = 0
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_done()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._await_headers()

    def on_url(self, url: bytes) -> None:
        self._count(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(name)
        self._count(value)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._headers_done()
        super().on_headers_complete()

    def _count(self, chunk: bytes) -> None:
        self._header_bytes += len(chunk)
        if self._header_bytes > self._max_header_bytes:
            raise HeadersTooLarge(f"request headers over {self._max_header_bytes} bytes")

    def _await_headers(self) -> None:
        self._headers_done()
        self._header_bytes = 0
        self._header_deadline = self.loop.call_later(self._header_timeout_seconds, self._headers_too_slow)

    def _headers_done(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def server_config(app: Any, settings: Settings, **options: Any) -> uvicorn.Config:
    """uvicorn's configuration for serving `app` with the header limits from `settings`.

    `options` are passed on to `uvicorn.Config` (host, port, workers, factory...).
    """
    protocol = functools.partial(
        BoundedHttpTools,
        max_header_bytes=settings.max_header_bytes,
        header_timeout_seconds=settings.header_timeout_seconds,
    )
    return uvicorn.Config(
        app,
        http=protocol,  # type: ignore[arg-type]
        timeout_keep_alive=settings.keep_alive_seconds,
        log_level="warning",
        access_log=False,  # request lines come from chatbot.telemetry.events, without query strings or patients' words
        **options,
    )
