"""The HTTP application: `create_app(settings)` wires the routers to one assistant holder."""

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
from starlette.middleware.trustedhost import TrustedHostMiddleware

from chatbot.answering.assistant import Assistant
from chatbot.channels.sms import route as sms_routes
from chatbot.channels.sms.desk import SmsDesk, startup_warnings
from chatbot.channels.web.holder import AssistantHolder
from chatbot.channels.web.middleware import BodyLimit, SecurityHeaders, Timeout
from chatbot.channels.web.routes import admin, ask, health, widget
from chatbot.channels.web.routes import metrics as metrics_routes
from chatbot.domain import Messages
from chatbot.errors import ChatbotError, KnowledgeError
from chatbot.kb import knowledge
from chatbot.settings import Settings
from chatbot.storage.rate_limits import per_client_limit
from chatbot.storage.state import state_from_uri
from chatbot.storage.store import open_store
from chatbot.telemetry.events import Recorder
from chatbot.telemetry.metrics import MULTIPROCESS_DIR_VARIABLE, Metrics

log = logging.getLogger("chatbot")


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
    first = None
    if load is None:
        from chatbot.kb.startup import load_assistant

        def load() -> Assistant:
            return load_assistant(settings)

        def first() -> Assistant:
            return load_assistant(settings, last_good=True)

    metrics = Metrics(lambda: holder.assistant, metrics_dir)
    holder = AssistantHolder(load, first=first, on_reload=metrics.reloaded)
    unanswered = open_store(settings.database_url, settings.var_dir, settings.retention_days)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder.load_in_background()
        with _reloading_on_sighup(holder) if reload_on_sighup else nullcontext():
            yield
        unanswered.close()

    app = FastAPI(
        title="Clinic FAQ assistant",
        summary="Answers patients' questions with the clinic's own words, or says to contact the office.",
        version="0.1.0",
        lifespan=lifespan,
        # A redirect from /v1/ask/ to /v1/ask would be built from the Host header the client sent.
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.holder = holder
    app.state.metrics = metrics
    app.state.recorder = Recorder(app.state.metrics, unanswered)
    # What replicas must agree on beyond rate counts (the SMS replies already sent, by MessageSid; issue 12's
    # "did you mean" choice): in Redis when CHATBOT_LIMITS_STORAGE names one.
    app.state.shared = state_from_uri(settings.limits_storage)
    app.state.sms = SmsDesk.from_settings(settings, app.state.shared)
    app.state.early_messages = _office_messages(settings)
    for warning in startup_warnings(settings):
        log.warning(warning)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    # Inside CORS, so that a 413 or 504 still carries the CORS headers.
    # Reloads (/admin/) may take longer than any reply.
    app.add_middleware(Timeout, seconds=settings.request_timeout_seconds, exempt=("/admin/",))
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # Browsers on other sites may call the API only from the configured origins; same-origin always works.
    # Best kept outermost, so that error responses (429, 503) carry the headers and the widget can read them.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["content-type"],
    )
    # Outside CORS: it only adds headers, so every response gets them, preflights included.
    app.add_middleware(
        SecurityHeaders,
        frame_ancestors=settings.frame_ancestors,
        relaxed_paths=[path for path in (app.docs_url, app.redoc_url) if path],
    )
    # Outermost: a request for a host this server is not is refused before anything reads it.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts, www_redirect=False)
    app.include_router(health.router)
    app.include_router(ask.router, dependencies=per_client_limit(app, settings.rate_limit, settings.limits_storage))
    app.include_router(widget.router)
    app.include_router(sms_routes.router)
    app.include_router(metrics_routes.router)
    if settings.admin_token:
        app.include_router(admin.router_for(settings.admin_token))
    return app


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
    """One of FastAPI's error dicts as JSON can carry it: an `input` JSON cannot (NaN, a lone surrogate) is left out."""
    try:
        encoded = jsonable_encoder(error, custom_encoder={bytes: lambda b: b.decode("utf-8", "replace")})
        json.dumps(encoded, ensure_ascii=False, allow_nan=False).encode("utf-8")
        return encoded
    except (ValueError, UnicodeEncodeError, RecursionError):
        return jsonable_encoder({key: value for key, value in error.items() if key != "input"})


def _office_messages(settings: Settings) -> Messages | None:
    """The office's messages, read at once so an emergency texted while the index still loads gets
    its reply: from the last good knowledge base if the one on disk is invalid (as the load in the
    background will serve, and say loudly); None if there is none."""
    from chatbot.kb.startup import last_good_knowledge

    try:
        kb = knowledge.load(settings.knowledge_dir)
    except KnowledgeError as invalid:
        kept = last_good_knowledge(settings.index_dir, invalid)
        return None if kept is None else knowledge.fill(kept.messages, settings.office_phone)
    except ChatbotError:
        return None
    return knowledge.fill(kb.messages, settings.office_phone)


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
