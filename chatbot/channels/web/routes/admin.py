"""`POST /admin/reload`: load the edited knowledge base while the server keeps answering.

Mounted only when CHATBOT_ADMIN_TOKEN is set; callers send `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import secrets
import time

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse

from chatbot.channels.web.holder import AssistantHolder
from chatbot.channels.web.services import Wired
from chatbot.errors import ChatbotError, KnowledgeError

# Where the admin routes live. The app exempts it from the request deadline: a reload builds an index, which takes
# longer than any reply may.
PREFIX = "/admin"


def router_for(token: str) -> APIRouter:
    """The admin routes, guarded by `token` (compared in constant time)."""
    if not token:
        raise ValueError("The admin routes need a token; without one they must not be mounted.")
    expected = token.encode()

    def authorised(request: Request) -> None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), expected):
            raise HTTPException(
                status_code=401,
                detail="Send Authorization: Bearer <CHATBOT_ADMIN_TOKEN>.",
                headers={"WWW-Authenticate": "Bearer"},
            )

    router = APIRouter(prefix=PREFIX, tags=["admin"], dependencies=[Depends(authorised)], include_in_schema=False)
    router.add_api_route("/reload", reload, methods=["POST"])
    return router


def reload(services: Wired) -> JSONResponse:
    """Validate the knowledge base, build its index beside the old one, and swap; the old one serves until then.

    A plain `def`: FastAPI runs it in a worker thread, so a build never blocks the event loop.
    """
    holder = services.holder
    started = time.perf_counter()
    try:
        fresh = holder.reload()
    except KnowledgeError as exc:
        problems = [
            {"file": p.file, "line": p.line, "entry": p.entry, "field": p.field, "message": p.message}
            for p in exc.problems
        ]
        return JSONResponse({"error": _still_serving(holder, str(exc)), "problems": problems}, status_code=422)
    except ChatbotError as exc:
        return JSONResponse({"error": _still_serving(holder, str(exc))}, status_code=409)
    except Exception as exc:
        reason = f"Unexpected {type(exc).__name__} while loading: {exc} (the server's log has the details)."
        return JSONResponse({"error": _still_serving(holder, reason)}, status_code=500)
    return JSONResponse(
        {
            "status": "reloaded",
            "entries": len(fresh.kb.entries),
            "fingerprint": fresh.kb.fingerprint,
            "seconds": round(time.perf_counter() - started, 2),
        }
    )


def _still_serving(holder: AssistantHolder, reason: str) -> str:
    now = holder.assistant
    serving = f"still answering with knowledge base {now.kb.fingerprint[:12]}" if now else "nothing is loaded yet"
    return f"Not reloaded ({serving}). {reason}"
