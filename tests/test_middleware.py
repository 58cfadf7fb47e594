from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from support import ready

from chatbot.answering.assistant import Assistant
from chatbot.channels.web.app import create_app
from chatbot.channels.web.middleware import BodyLimit, SecurityHeaders, Timeout
from chatbot.settings import Settings


async def echo_length(request: Request) -> Response:
    return PlainTextResponse(str(len(await request.body())))


async def never_replies(request: Request) -> Response:
    await anyio.sleep_forever()
    raise AssertionError("unreachable")


async def slow(request: Request) -> Response:
    await anyio.sleep(0.05)
    return PlainTextResponse("done")


async def fails(request: Request) -> Response:
    raise RuntimeError("a bug")


async def page(request: Request) -> Response:
    return HTMLResponse("<p>hello</p>")


async def data(request: Request) -> Response:
    return JSONResponse({"ok": True})


TINY = Starlette(
    routes=[
        Route("/echo", echo_length, methods=["POST"]),
        Route("/never", never_replies),
        Route("/admin/slow", slow),
        Route("/administrator/slow", slow),
        Route("/fails", fails),
        Route("/page", page),
        Route("/docs", page),
        Route("/data", data),
    ]
)


def chunks(total: int, size: int = 1000) -> Iterator[bytes]:
    """A body sent without Content-Length."""
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


# -- BodyLimit ---------------------------------------------------------------------------------


@pytest.fixture
def capped() -> TestClient:
    return TestClient(BodyLimit(TINY, max_bytes=2048))


def test_a_body_up_to_the_cap_is_let_through(capped: TestClient) -> None:
    assert capped.post("/echo", content=b"x" * 2048).text == "2048"
    assert capped.post("/echo", content=chunks(2048)).text == "2048"


def test_a_declared_body_over_the_cap_is_refused_with_413(capped: TestClient) -> None:
    response = capped.post("/echo", content=b"x" * 2049)
    assert response.status_code == 413
    assert response.json() == {"error": "The request body is larger than 2,048 bytes."}


def test_a_streamed_body_over_the_cap_is_refused_with_413(capped: TestClient) -> None:
    response = capped.post("/echo", content=chunks(5000))
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert "2,048 bytes" in response.json()["error"]


def test_a_big_question_gets_413_from_the_app(fake: Assistant, tmp_path: Path) -> None:
    with TestClient(create_app(Settings(var_dir=tmp_path, max_body_bytes=4096), load=lambda: fake)) as client:
        ready(client)
        big = b'{"question": "' + b"cost " * 1000 + b'"}'
        for body in (big, chunks(len(big))):
            response = client.post("/v1/ask", content=body, headers={"content-type": "application/json"})
            assert response.status_code == 413
            assert "4,096 bytes" in response.json()["error"]


# -- Timeout -------------------------------------------------------------------------------------


@pytest.fixture
def deadline() -> TestClient:
    return TestClient(Timeout(TINY, seconds=0.01, exempt=("/admin/",)))


def test_a_request_past_its_deadline_gets_504(deadline: TestClient) -> None:
    response = deadline.get("/never")
    assert response.status_code == 504
    assert response.json() == {"error": "The reply took longer than 0.01 seconds. Please try again."}


def test_exempt_paths_have_no_deadline(deadline: TestClient) -> None:
    assert deadline.get("/admin/slow").text == "done"


@pytest.mark.parametrize("prefix", ["/admin", "/admin/"])
def test_an_exempt_prefix_covers_whole_path_segments_only(prefix: str) -> None:
    deadline = TestClient(Timeout(TINY, seconds=0.01, exempt=(prefix,)))
    assert deadline.get("/admin/slow").text == "done"
    assert deadline.get("/administrator/slow").status_code == 504


def test_a_failing_app_still_fails_loudly(deadline: TestClient) -> None:
    with pytest.raises(RuntimeError, match="a bug"):
        deadline.get("/fails")


def test_a_deadline_must_be_positive() -> None:
    with pytest.raises(ValueError, match="has value 0"):
        Timeout(TINY, seconds=0)


# -- SecurityHeaders ------------------------------------------------------------------------------


def headed(frame_ancestors: str) -> TestClient:
    return TestClient(SecurityHeaders(TINY, frame_ancestors=frame_ancestors, relaxed_paths=("/docs",)))


def test_every_response_says_nosniff_and_no_referrer() -> None:
    response = headed("'none'").get("/data")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Content-Security-Policy" not in response.headers


def test_pages_get_a_policy_that_allows_only_our_own_scripts() -> None:
    policy = headed("'none'").get("/page").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize(
    ("frame_ancestors", "frame_options"),
    [("'none'", "DENY"), ("'self'", "SAMEORIGIN"), ("https://clinic.example", None)],
)
def test_framing_follows_the_setting(frame_ancestors: str, frame_options: str | None) -> None:
    response = headed(frame_ancestors).get("/page")
    assert response.headers["Content-Security-Policy"].endswith(f"frame-ancestors {frame_ancestors}")
    assert response.headers.get("X-Frame-Options") == frame_options


def test_the_api_docs_keep_only_the_framing_rule() -> None:
    assert headed("'none'").get("/docs").headers["Content-Security-Policy"] == "frame-ancestors 'none'"


@pytest.mark.parametrize(
    "value", ["'none'; script-src *", "https://a.example,https://b.example", "", "'self'\r\nX-Evil: 1"]
)
def test_a_frame_ancestors_setting_that_could_break_the_header_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="CHATBOT_FRAME_ANCESTORS has value"):
        Settings(frame_ancestors=value)
    with pytest.raises(ValueError, match="frame_ancestors has value"):
        SecurityHeaders(TINY, frame_ancestors=value)


def test_the_demo_page_and_the_api_carry_the_headers(fake: Assistant, tmp_path: Path) -> None:
    with TestClient(create_app(Settings(var_dir=tmp_path), load=lambda: fake)) as client:
        ready(client)
        demo = client.get("/")
        assert "script-src 'self'" in demo.headers["Content-Security-Policy"]
        assert demo.headers["X-Frame-Options"] == "DENY"
        answer = client.post("/v1/ask", json={"question": "What is the cost?"})
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert client.get("/docs").status_code == 200
