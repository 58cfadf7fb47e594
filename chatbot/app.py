"""The HTTP application: `create_app(settings)` wires the routers to one assistant holder."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from chatbot.assistant import Assistant
from chatbot.events import Recorder
from chatbot.routes import ask, health
from chatbot.serving import AssistantHolder
from chatbot.settings import Settings

log = logging.getLogger("chatbot")


def create_app(settings: Settings | None = None, load: Callable[[], Assistant] | None = None) -> FastAPI:
    """Build the app. `load` makes the assistant (tests pass their own); by default it comes from `settings`."""
    settings = settings or Settings()
    if load is None:
        from chatbot.startup import load_assistant

        def load() -> Assistant:
            return load_assistant(settings)

    holder = AssistantHolder(load)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        holder.load_in_background()
        yield

    app = FastAPI(
        title="Clinic FAQ assistant",
        summary="Answers patients' questions with the clinic's own words, or says to contact the office.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.holder = holder
    app.state.recorder = Recorder()
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.include_router(health.router)
    app.include_router(ask.router)
    return app


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """A 422 whose `error` says in words what is wrong, beside FastAPI's usual `detail`."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    messages = []
    for error in errors:
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        messages.append(message if message.startswith(where) else f"{where}: {message}")
    detail = jsonable_encoder(errors, custom_encoder={bytes: lambda b: b.decode("utf-8", "replace")})
    return JSONResponse({"error": "; ".join(messages), "detail": detail}, status_code=422)


def factory() -> FastAPI:
    """For uvicorn's `--factory` (several workers re-import the app by name)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return create_app()
