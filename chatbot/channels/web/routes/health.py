"""`GET /healthz` (the process is alive) and `GET /readyz` (it can answer)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from chatbot.channels.web.services import Wired

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(services: Wired) -> JSONResponse:
    holder = services.holder
    if holder.assistant is None:
        detail = holder.error or "loading the index"
        return JSONResponse({"status": "not ready", "detail": detail}, status_code=503)
    kb = holder.assistant.kb
    body = {
        "status": "ready",
        "entries": len(kb.entries),
        "fingerprint": kb.fingerprint,
        "stale": bool(kb.problems_on_disk),
    }
    if kb.problems_on_disk:
        # Still answering (with the last good knowledge base), so still ready; monitoring sees why it is stale.
        body["problems"] = [str(problem) for problem in kb.problems_on_disk]
    return JSONResponse(body)
