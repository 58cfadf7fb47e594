"""`GET /widget.js` (the website widget) and `GET /` (a demo clinic page that embeds it).

The files ship inside the package (`chatbot/static/`) and never change while the server runs,
so each is read once. The widget gets a short cache and an ETag: clinic pages load it on every
visit, and a fix must still reach them within minutes.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request, Response

STATIC = Path(__file__).resolve().parent.parent / "static"
WIDGET_CACHE = "public, max-age=300"

router = APIRouter(include_in_schema=False)


@cache
def _static(name: str) -> tuple[bytes, str]:
    """The file's bytes and a strong ETag for them."""
    body = (STATIC / name).read_bytes()
    return body, f'"{hashlib.sha256(body).hexdigest()[:16]}"'


def _serve(request: Request, name: str, media_type: str, cache_control: str) -> Response:
    body, etag = _static(name)
    headers = {"cache-control": cache_control, "etag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.get("/widget.js")
def widget_js(request: Request) -> Response:
    return _serve(request, "widget.js", "application/javascript; charset=utf-8", WIDGET_CACHE)


@router.get("/")
def demo_page(request: Request) -> Response:
    return _serve(request, "demo.html", "text/html; charset=utf-8", "no-cache")


@router.get("/demo.css")
def demo_css(request: Request) -> Response:
    return _serve(request, "demo.css", "text/css; charset=utf-8", "no-cache")
