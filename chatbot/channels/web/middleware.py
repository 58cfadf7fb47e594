"""Small ASGI middlewares, one concern each: a cap on the request body, a deadline per request,
and security headers. Each checks its settings when it is built and has one `__call__`.

(The per-client rate limit is not here but in `limits.py`: it applies to one route only.)
"""

from __future__ import annotations

from collections.abc import Collection

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatbot.settings import check_source_list
from chatbot.telemetry.events import TimedOut, emit

# Every HTML page we serve loads its script and styles from this server and calls the API here.
# Styles may be inline: the widget's Shadow DOM carries its own.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)


class BodyLimit:
    """Answer 413 to a request body over `max_bytes`.

    A declared Content-Length over the cap is refused before the app runs; a body sent without
    one (chunked) is counted as it arrives and refused the moment it passes the cap, whatever the
    app was doing with it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError(f"BodyLimit max_bytes has value {max_bytes!r}. It must be 0 or more.")
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        over = started = False

        async def counting_receive() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    over = True
                    raise _BodyTooLarge
            return message

        async def send_unless_over(message: Message) -> None:
            nonlocal started
            if over:
                return  # whatever the app makes of the error, the reply is ours
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, send_unless_over)
        except Exception:
            if not over:
                raise
        if over and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = f"The request body is larger than {self.max_bytes:,} bytes."
        await JSONResponse({"error": error}, status_code=413)(scope, receive, send)


class _BodyTooLarge(Exception):
    """Raised into the app when the streamed body passes the cap."""


class Timeout:
    """Answer 504 when the app has not started its reply within `seconds`.

    The app keeps running in the background until it finishes (a worker thread cannot be
    stopped), but the patient is not left waiting. Paths under the router prefixes in `exempt`
    (e.g. `/admin`, where a reload builds an index) have no deadline; a prefix is matched by whole
    path segments, so `/admin` covers `/admin/reload` but not `/administrator`.
    """

    def __init__(self, app: ASGIApp, seconds: float, exempt: Collection[str] = ()) -> None:
        if not seconds > 0:
            raise ValueError(f"Timeout seconds has value {seconds!r}. It must be more than 0.")
        self.app = app
        self.seconds = seconds
        self.exempt = tuple(prefix.rstrip("/") + "/" for prefix in exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["path"] + "/").startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        started = late = False
        failure: Exception | None = None
        finished = anyio.Event()

        async def send_unless_late(message: Message) -> None:
            nonlocal started
            if late:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        async def run() -> None:
            nonlocal failure
            try:
                await self.app(scope, receive, send_unless_late)
            except Exception as exc:
                failure = exc
            finally:
                finished.set()

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(run)
            with anyio.move_on_after(self.seconds):
                await finished.wait()
            if not finished.is_set() and not started:
                late = True
                emit(TimedOut(scope["path"], self.seconds))
                error = f"The reply took longer than {self.seconds:g} seconds. Please try again."
                await JSONResponse({"error": error}, status_code=504)(scope, receive, send)
                tasks.cancel_scope.cancel()
        if failure is not None and not late:
            raise failure


class SecurityHeaders:
    """No MIME sniffing and no referrer on every response; a content security policy on HTML pages.

    `frame_ancestors` is the CSP source list of the sites that may frame our pages; `'none'`
    also sends `X-Frame-Options: DENY` for browsers that predate CSP. Pages under
    `relaxed_paths` (FastAPI's /docs, which loads Swagger UI from a CDN) get only the framing rule.
    """

    def __init__(self, app: ASGIApp, frame_ancestors: str, relaxed_paths: Collection[str] = ()) -> None:
        frame_ancestors = check_source_list(frame_ancestors)
        self.app = app
        self.relaxed_paths = frozenset(relaxed_paths)
        self.page_policy = f"{PAGE_POLICY}; frame-ancestors {frame_ancestors}"
        self.framing_policy = f"frame-ancestors {frame_ancestors}"
        self.frame_options = {"'none'": "DENY", "'self'": "SAMEORIGIN"}.get(frame_ancestors.strip())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.framing_policy if scope["path"] in self.relaxed_paths else self.page_policy

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if self.frame_options:
                    headers.setdefault("X-Frame-Options", self.frame_options)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
