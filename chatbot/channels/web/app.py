"""The HTTP application: `create_app(settings)` builds one `Services` and wires the routers and middlewares to it."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager, nullcontext
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from chatbot.answering.assistant import Assistant
from chatbot.channels.sms import route as sms_routes
from chatbot.channels.web.holder import AssistantHolder
from chatbot.channels.web.middleware import BodyLimit, SecurityHeaders, Timeout
from chatbot.channels.web.routes import admin, ask, health, widget
from chatbot.channels.web.routes import metrics as metrics_routes
from chatbot.channels.web.services import Services
from chatbot.errors import AssistantStarting
from chatbot.settings import Settings
from chatbot.storage.rate_limits import per_client_limit
from chatbot.telemetry.metrics import MULTIPROCESS_DIR_VARIABLE

log = logging.getLogger("chatbot")

# FastAPI's defaults, named because the security headers treat these pages apart (they load Swagger UI from a CDN).
DOCS_URL = "/docs"
REDOC_URL = "/redoc"


def create_app(
    settings: Settings | None = None,
    load: Callable[[], Assistant] | None = None,
    *,
    reload_on_sighup: bool = False,
    metrics_dir: str | None = None,
) -> FastAPI:
    """Build the app. `load` makes the assistant (tests pass their own); by default it comes from `settings`.

    `reload_on_sighup` (for a real server, main thread only) makes SIGHUP reload the knowledge base.
    `metrics_dir`: the folder where every worker process writes its metrics, so a scrape sums them.
    """
    settings = settings or Settings()
    services = Services.build(settings, load, metrics_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services.holder.load_in_background()
        with _reloading_on_sighup(services.holder) if reload_on_sighup else nullcontext():
            yield
        services.unanswered.close()

    app = FastAPI(
        title="Clinic FAQ assistant",
        summary="Answers patients' questions with the clinic's own words, or says to contact the office.",
        version="0.1.0",
        lifespan=lifespan,
        # A redirect from /v1/ask/ to /v1/ask would be built from the Host header the client sent.
        redirect_slashes=False,
        docs_url=DOCS_URL,
        redoc_url=REDOC_URL,
        middleware=_middleware(settings),
    )
    app.state.services = services
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(AssistantStarting, _starting)
    app.include_router(health.router)
    app.include_router(ask.router, dependencies=per_client_limit(app, settings.rate_limit, settings.limits_storage))
    app.include_router(widget.router)
    app.include_router(sms_routes.router)
    app.include_router(metrics_routes.router)
    if settings.admin_token:
        app.include_router(admin.router_for(settings.admin_token))
    return app


def _middleware(settings: Settings) -> list[Middleware]:
    """The middlewares, outermost first: each sees the request before the ones below it, and the response after."""
    return [
        # A request for a host this server is not is refused before anything reads it.
        Middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts, www_redirect=False),
        # It only adds headers, so it goes around everything that may answer: every response gets them,
        # preflights and CORS refusals included.
        Middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors, relaxed_paths=(DOCS_URL, REDOC_URL)),
        # Browsers on other sites may call the API only from the configured origins; same-origin always works.
        # Around the limits below and the routes, so that their refusals (413, 504, 429, 503) carry the CORS
        # headers and the widget can read them.
        Middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
        ),
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        Middleware(Timeout, seconds=settings.request_timeout_seconds, exempt=(admin.PREFIX,)),
    ]


async def _starting(request: Request, exc: Exception) -> JSONResponse:
    """A 503 while nothing is loaded yet, the same for every channel."""
    return JSONResponse({"detail": str(exc)}, status_code=503)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """A 422 whose `error` says in words what is wrong, beside FastAPI's usual `detail`."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    messages = "; ".join(_message(error) for error in errors)
    return JSONResponse({"error": messages, "detail": [_renderable(error) for error in errors]}, status_code=422)


def _message(error: Mapping[str, Any]) -> str:
    """One validation error in words, starting with where it is."""
    if error.get("type") == "json_invalid":
        reason = error.get("ctx", {}).get("error", "invalid")
        return f"body is not valid JSON: {reason} (at position {error['loc'][-1]})"
    if error.get("type") == "model_attributes_type" and isinstance(error.get("input"), bytes):
        return "body is not JSON: send it with Content-Type: application/json"
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return message if message.startswith(where) else f"{where}: {message}"


def _renderable(error: Mapping[str, Any]) -> Any:
    """One of FastAPI's error dicts as JSON can carry it: an `input` that JSON cannot carry (NaN, a lone
    surrogate) is left out."""
    try:
        encoded = jsonable_encoder(error, custom_encoder={bytes: lambda b: b.decode("utf-8", "replace")})
        json.dumps(encoded, ensure_ascii=False, allow_nan=False).encode("utf-8")
        return encoded
    except (ValueError, UnicodeEncodeError, RecursionError):
        return jsonable_encoder({key: value for key, value in error.items() if key != "input"})


@contextmanager
def _reloading_on_sighup(holder: AssistantHolder) -> Iterator[None]:
    """While serving, SIGHUP reloads the knowledge base; the handler only starts the worker thread that does it."""
    if not hasattr(signal, "SIGHUP") or threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, holder.reload_in_background)
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGHUP)


def factory() -> FastAPI:
    """For uvicorn's `--factory` (several workers re-import the app by name)."""
    if not logging.getLogger("chatbot").handlers:  # in `chatbot serve`'s own process the CLI already logs to stderr
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    # Set by `chatbot serve --workers N` before the workers start (prometheus-client reads it too).
    return create_app(reload_on_sighup=True, metrics_dir=os.environ.get(MULTIPROCESS_DIR_VARIABLE))
