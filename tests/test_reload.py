from __future__ import annotations

import itertools
import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from conftest import copy_indexes
from fastapi.testclient import TestClient
from support import fake_assistant, free_port, ready, until

from chatbot.answering.assistant import Assistant
from chatbot.channels.web.app import create_app
from chatbot.kb import knowledge
from chatbot.settings import Settings

TOKEN = "a-long-enough-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NEW = "zebra quantum marmalade"  # no entry answers this until it is added to `wifi`


def add_alternate(folder: Path, entry_id: str = "wifi", alternate: str = NEW) -> None:
    _edit_entry(folder, entry_id, lambda entry: entry["alternates"].append(alternate))


def break_answer(folder: Path, entry_id: str = "cost") -> None:
    _edit_entry(folder, entry_id, lambda entry: entry.update(answer="Treatment is free for everyone."))


def _edit_entry(folder: Path, entry_id: str, change: Callable[[dict[str, object]], object]) -> None:
    path = folder / "faq.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(next(entry for entry in data["entries"] if entry["id"] == entry_id))
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000), encoding="utf-8")


@pytest.fixture
def load_from(knowledge_copy: Path, tmp_path: Path) -> Callable[[], Assistant]:
    """Loads like the server does (validate, build beside the old index, open), with the fake encoder."""
    return lambda: fake_assistant(knowledge.load(knowledge_copy), tmp_path / "index")


@pytest.fixture
def client(load_from: Callable[[], Assistant], tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(admin_token=TOKEN, var_dir=tmp_path / "var", rate_limit="off")
    with TestClient(create_app(settings, load=load_from)) as test_client:
        yield ready(test_client)


def ask(client: TestClient, question: str) -> dict[str, object]:
    response = client.post("/v1/ask", json={"question": question})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-of-some-length"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer"},
    ],
)
def test_reload_without_the_token_is_401(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/admin/reload", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_without_an_admin_token_there_is_no_admin_route(fake: Assistant, tmp_path: Path) -> None:
    with TestClient(create_app(Settings(var_dir=tmp_path), load=lambda: fake)) as client:
        assert client.post("/admin/reload", headers=AUTH).status_code == 404


def test_a_short_admin_token_is_refused() -> None:
    with pytest.raises(ValueError, match="CHATBOT_ADMIN_TOKEN is 6 characters long; use at least 16"):
        Settings(admin_token="secret")


def test_a_changed_alternate_answers_after_reload(client: TestClient, knowledge_copy: Path) -> None:
    assert ask(client, NEW)["kind"] == "fallback"
    add_alternate(knowledge_copy)
    response = client.post("/admin/reload", headers=AUTH)
    assert response.status_code == 200
    assert response.json()["status"] == "reloaded"
    assert response.json()["fingerprint"] == knowledge.load(knowledge_copy).fingerprint
    assert ask(client, NEW)["id"] == "wifi"


def test_an_invalid_knowledge_base_leaves_the_old_one_answering(
    client: TestClient, knowledge_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = ask(client, "What is the cost?")
    break_answer(knowledge_copy)
    response = client.post("/admin/reload", headers=AUTH)
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("Not reloaded (still answering with knowledge base ")
    assert {"file": str(knowledge_copy / "faq.yaml"), "entry": "cost", "field": "answer"} in [
        {k: p[k] for k in ("file", "entry", "field")} for p in body["problems"]
    ]
    assert ask(client, "What is the cost?") == before
    refusal = next(r for r in caplog.records if r.levelno == logging.ERROR and "reload refused" in r.getMessage())
    assert "entry 'cost', field 'answer'" in refusal.getMessage()


def test_questions_asked_during_a_reload_are_answered_by_the_old_knowledge_base(
    knowledge_copy: Path, tmp_path: Path, fake: Assistant
) -> None:
    building, finish = threading.Event(), threading.Event()
    loads = iter([fake])

    def load() -> Assistant:
        first = next(loads, None)
        if first is not None:
            return first
        building.set()
        finish.wait(10)
        return fake_assistant(knowledge.load(knowledge_copy), tmp_path / "index")

    settings = Settings(admin_token=TOKEN, var_dir=tmp_path / "var", rate_limit="off")
    with TestClient(create_app(settings, load=load)) as client:
        ready(client)
        add_alternate(knowledge_copy)
        reload = threading.Thread(target=client.post, args=("/admin/reload",), kwargs={"headers": AUTH})
        reload.start()
        assert building.wait(10)
        assert ask(client, NEW)["kind"] == "fallback"  # the new index is being built; the old one answers
        finish.set()
        reload.join(10)
        assert ask(client, NEW)["id"] == "wifi"


def test_reloads_under_load_never_fail_a_request(knowledge_copy: Path, tmp_path: Path, fake: Assistant) -> None:
    add_alternate(knowledge_copy)
    updated = fake_assistant(knowledge.load(knowledge_copy), tmp_path / "index")
    versions = itertools.cycle([fake, updated])  # each reload swaps to the other version
    settings = Settings(admin_token=TOKEN, var_dir=tmp_path / "var", rate_limit="off")
    wifi, cost = fake.kb.entry("wifi").answer, fake.kb.entry("cost").answer
    replies: list[tuple[str, int, dict[str, object]]] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            for question in (NEW, "What is the cost?"):
                response = client.post("/v1/ask", json={"question": question})
                replies.append((question, response.status_code, response.json()))

    with TestClient(create_app(settings, load=lambda: next(versions))) as client:
        ready(client)
        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for thread in threads:
            thread.start()
        reloads: list[int] = []
        while len(reloads) < 20 or len(replies) < 400:  # reloading all the while they ask
            reloads.append(client.post("/admin/reload", headers=AUTH).status_code)
        stop.set()
        for thread in threads:
            thread.join(30)

    assert set(reloads) == {200}
    assert {status for _, status, _ in replies} == {200}
    fallback = fake.messages.fallback
    for question, _, reply in replies:
        if question == NEW:  # one version's reply or the other's, whole
            assert (reply["kind"], reply["id"], reply["answer"]) in {
                ("fallback", None, fallback),
                ("answer", "wifi", wifi),
            }
        else:
            assert (reply["id"], reply["answer"]) == ("cost", cost)


# -- SIGHUP, on a real server with the real model ----------------------------------------------


@pytest.mark.slow
def test_sighup_reloads_a_running_server(real_settings: Settings, knowledge_copy: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    copy_indexes(real_settings, index_dir)
    port = free_port()
    settings = Settings(
        knowledge_dir=knowledge_copy, index_dir=index_dir, var_dir=tmp_path / "var", port=port, rate_limit="off"
    )
    env = settings.environment() | {"HF_HUB_OFFLINE": "1"}
    log_file = tmp_path / "server.log"
    url = f"http://127.0.0.1:{port}"
    with log_file.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "chatbot", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        until(lambda: _get(f"{url}/readyz") == 200, "the server to be ready", 120, every=0.2)
        assert _ask(url, NEW)["kind"] == "fallback"
        started = log_file.read_text()
        assert f"Listening on {url} (pid {server.pid};" in started and f"`kill -HUP {server.pid}` reloads it" in started
        assert "SMS: off, CHATBOT_TWILIO_AUTH_TOKEN not set" in started

        add_alternate(knowledge_copy)
        server.send_signal(signal.SIGHUP)
        until(lambda: _ask(url, NEW)["id"] == "wifi", "the reload to answer the new alternate", 240, every=0.2)

        break_answer(knowledge_copy)
        server.send_signal(signal.SIGHUP)
        until(lambda: "reload refused" in log_file.read_text(), "the refusal in the log", 60, every=0.2)
        assert log_file.read_text().count("entry 'cost', field 'answer'") == 1  # said once, with file, entry and field
        assert _ask(url, NEW)["id"] == "wifi"
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(30)


def _get(url: str) -> int:
    try:
        return httpx.get(url, timeout=5).status_code
    except httpx.TransportError:
        return 0


def _ask(url: str, question: str) -> dict[str, object]:
    """Every question is answered (200), before, during and after the rebuild."""
    response = httpx.post(f"{url}/v1/ask", json={"question": question}, timeout=30)
    assert response.status_code == 200
    return response.json()


def test_reloads_are_counted_by_outcome(client: TestClient, knowledge_copy: Path) -> None:
    assert client.post("/admin/reload", headers=AUTH).status_code == 200
    break_answer(knowledge_copy)
    assert client.post("/admin/reload", headers=AUTH).status_code == 422
    metrics = client.get("/metrics").text
    assert 'chatbot_reloads_total{outcome="ok"} 1.0' in metrics
    assert 'chatbot_reloads_total{outcome="refused"} 1.0' in metrics
