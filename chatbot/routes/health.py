"""`GET /healthz` (the process is alive) and `GET /readyz` (it can answer)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    holder = request.app.state.holder
    if holder.assistant is None:
        detail = holder.error or "loading the index"
        return JSONResponse({"status": "not ready", "detail": detail}, status_code=503)
    kb = holder.assistant.kb
    return JSONResponse({"status": "ready", "entries": len(kb.entries), "fingerprint": kb.fingerprint})
