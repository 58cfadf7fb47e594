"""The widget's HTTP side: the script, the demo page, the greeting's notice, and CORS."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SlowLoad
from fastapi.testclient import TestClient
from httpx import Response
from support import ready

from chatbot.answering.assistant import Assistant
from chatbot.channels.web.app import create_app
from chatbot.domain import Kind, Messages
from chatbot.settings import Settings

ALLOWED = "https://clinic.example"


@pytest.fixture
def client(fake: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(allowed_origins=ALLOWED), load=lambda: fake)) as test_client:
        yield ready(test_client)


def test_the_widget_is_served_as_javascript_with_a_short_cache(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["cache-control"] == "public, max-age=300"
    assert "customElements.define" in response.text


def test_the_widget_is_revalidated_by_its_etag(client: TestClient) -> None:
    etag = client.get("/widget.js").headers["etag"]
    again = client.get("/widget.js", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""


def test_the_widget_asks_no_third_party_and_never_parses_replies_as_html(client: TestClient) -> None:
    script = client.get("/widget.js").text
    urls = re.findall(r"https?://[^\s'\"`)]+", script)
    assert all("HOST" in url for url in urls), f"only the API is contacted, found {urls}"
    assert "import(" not in script and "eval(" not in script
    # The one innerHTML is the constant template; nothing else may use it.
    assert re.findall(r"[\w.]*innerHTML\s*\+?=", script) == ["template.innerHTML ="]
    assert "insertAdjacentHTML" not in script and "outerHTML" not in script


def test_the_widget_knows_every_kind_of_reply_the_server_sends(client: TestClient) -> None:
    declared = re.search(r"const KINDS = \[([^\]]*)\]", client.get("/widget.js").text)
    assert declared, "widget.js no longer lists the kinds of reply as `const KINDS = [...]`"
    assert set(re.findall(r"'([^']*)'", declared.group(1))) == {kind.value for kind in Kind}


def office_texts(script: str) -> dict[str, dict[str, str]]:
    """The office's texts the server wrote into the served widget."""
    written = re.search(r"^  const OFFICE = (.*);$", script, re.M)
    assert written, "the served widget.js has no `const OFFICE = {...};` line"
    texts: dict[str, dict[str, str]] = json.loads(written.group(1))
    return texts


def unreachable(messages: Messages) -> dict[str, dict[str, str]]:
    return {lang: {"unreachable": messages.in_language(lang).unreachable} for lang in ("en", "es")}


def test_the_widget_says_the_offices_words_from_clinic_yaml_when_it_cannot_reach_us(
    client: TestClient, fake: Assistant
) -> None:
    script = client.get("/widget.js").text
    assert office_texts(script) == unreachable(fake.messages)
    # One text for each language the widget speaks.
    assert set(office_texts(script)) == set(re.findall(r"^    ([a-z]{2}): \{$", script, re.M))


def test_new_words_in_clinic_yaml_reach_the_widget_with_a_new_etag(client: TestClient, fake: Assistant) -> None:
    reworded = dataclasses.replace(fake.messages, unreachable="We are away: call 911, or call or text 988.")
    changed = Assistant(fake.kb, fake.index, fake.encoder, reworded)
    with TestClient(create_app(Settings(), load=lambda: changed)) as other:
        response = ready(other).get("/widget.js")
    assert office_texts(response.text)["en"]["unreachable"] == "We are away: call 911, or call or text 988."
    assert response.headers["etag"] != client.get("/widget.js").headers["etag"]


def test_while_the_assistant_loads_the_widget_has_the_words_read_at_the_start(fake: Assistant) -> None:
    slow_load = SlowLoad(fake)
    with TestClient(create_app(Settings(), load=slow_load)) as client:
        response = client.get("/widget.js")
        slow_load.finish()
    assert response.status_code == 200
    assert office_texts(response.text) == unreachable(fake.messages)


def test_without_any_knowledge_base_the_widget_is_not_served(fake: Assistant, tmp_path: Path) -> None:
    def broken() -> Assistant:
        raise RuntimeError("no knowledge base")

    settings = Settings(knowledge_dir=tmp_path / "missing", index_dir=tmp_path / "index", var_dir=tmp_path)
    with TestClient(create_app(settings, load=broken)) as client:
        response = client.get("/widget.js")
    assert response.status_code == 503
    assert "no valid knowledge base" in response.text


def test_the_demo_page_embeds_the_widget_with_one_tag_and_no_inline_script(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = re.sub(r"<!--.*?-->", "", response.text, flags=re.S)
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts == ['<script src="/widget.js" defer>'], "one tag, and no inline script (CSP script-src 'self')"
    assert "<style" not in page and not re.search(r"\s(on[a-z]+|style)\s*=", page), "no inline handlers or styles"
    assert client.get("/demo.css").headers["content-type"].startswith("text/css")


def test_the_static_files_are_not_in_the_api_docs(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/widget.js" not in paths and "/" not in paths


def test_the_greeting_carries_the_notice(client: TestClient, fake: Assistant) -> None:
    body = client.get("/v1/greeting").json()
    assert body["kind"] == "greeting"
    assert body["answer"] == fake.messages.greeting
    assert body["notice"] == fake.messages.notice
    assert "911" in body["notice"]


def test_ask_keeps_its_contract_without_a_notice(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "What is the cost?"}).json()
    assert set(body) == {"kind", "answer", "id", "score", "lang", "preface", "suggestions", "candidates", "why"}


def preflight_from(client: TestClient, origin: str) -> Response:
    """What a browser asks before a page on `origin` may POST JSON to the API."""
    headers = {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    return client.options("/v1/ask", headers=headers)


def test_a_configured_origin_may_call_the_api(client: TestClient) -> None:
    preflight = preflight_from(client, ALLOWED)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    response = client.post("/v1/ask", json={"question": "What is the cost?"}, headers={"origin": ALLOWED})
    assert response.headers["access-control-allow-origin"] == ALLOWED


@pytest.mark.parametrize("origin", ["https://evil.example", "https://clinic.example.evil.example", "null"])
def test_any_other_origin_is_refused(client: TestClient, origin: str) -> None:
    preflight = preflight_from(client, origin)
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    response = client.get("/v1/greeting", headers={"origin": origin})
    assert "access-control-allow-origin" not in response.headers


def test_no_origin_is_allowed_unless_configured(fake: Assistant) -> None:
    with TestClient(create_app(Settings(allowed_origins=""), load=lambda: fake)) as client:
        response = client.get("/healthz", headers={"origin": ALLOWED})
        assert "access-control-allow-origin" not in response.headers
