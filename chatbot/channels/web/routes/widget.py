"""`GET /widget.js` (the website widget) and `GET /` (a demo clinic page that embeds it).

The files ship inside the package (`chatbot/channels/web/static/`) and never change while the server runs,
so each is read once. The widget gets a short cache and an ETag: clinic pages load it on every visit, and a fix
must still reach them within minutes.

The widget is served with the office's own words written in (`knowledge/clinic.yaml`): what it shows when it
cannot reach the assistant carries the emergency numbers, and it must have them at hand when nothing answers.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache, lru_cache
from pathlib import Path

from fastapi import APIRouter, Request, Response

from chatbot.channels.web.services import Wired
from chatbot.domain import Messages

STATIC = Path(__file__).resolve().parent.parent / "static"
WIDGET_CACHE = "public, max-age=300"
# Where widget.js takes the office's texts: this exact expression, replaced by them as the file is served.
OFFICE_PLACEHOLDER = b"/* the office's texts, written in by the server */ null"
WIDGET_LANGUAGES = ("en", "es")

router = APIRouter(include_in_schema=False)


def _tagged(body: bytes) -> tuple[bytes, str]:
    """The body and a strong ETag for it."""
    return body, f'"{hashlib.sha256(body).hexdigest()[:16]}"'


@cache
def _static(name: str) -> tuple[bytes, str]:
    return _tagged((STATIC / name).read_bytes())


def office_texts(messages: Messages) -> str:
    """The office's texts the widget needs, by language, as JSON (ASCII only, so any JavaScript parser takes it)."""
    return json.dumps({lang: {"unreachable": messages.in_language(lang).unreachable} for lang in WIDGET_LANGUAGES})


@lru_cache(maxsize=8)  # one version per wording: it changes only when a reload brings new texts
def _widget(office: str) -> tuple[bytes, str]:
    script, _ = _static("widget.js")
    if script.count(OFFICE_PLACEHOLDER) != 1:
        raise RuntimeError(f"{STATIC / 'widget.js'} must hold {OFFICE_PLACEHOLDER.decode()!r} exactly once")
    return _tagged(script.replace(OFFICE_PLACEHOLDER, office.encode("ascii")))


def _serve(request: Request, tagged: tuple[bytes, str], media_type: str, cache_control: str) -> Response:
    body, etag = tagged
    headers = {"cache-control": cache_control, "etag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/widget.js")
def widget_js(request: Request, services: Wired) -> Response:
    messages = services.messages()
    if messages is None:
        # No knowledge base could be read at all: nothing would ever answer, and the widget has no words to say so.
        reason = "The widget is not available: the server has no valid knowledge base (see its log)."
        return Response(reason, status_code=503, media_type="text/plain")
    return _serve(request, _widget(office_texts(messages)), "application/javascript; charset=utf-8", WIDGET_CACHE)


@router.get("/")
def demo_page(request: Request) -> Response:
    return _serve(request, _static("demo.html"), "text/html; charset=utf-8", "no-cache")


@router.get("/demo.css")
def demo_css(request: Request) -> Response:
    return _serve(request, _static("demo.css"), "text/css; charset=utf-8", "no-cache")
