from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from support import live_server, ready

from chatbot.answering.assistant import Assistant
from chatbot.channels.web.app import create_app
from chatbot.settings import Settings


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of GET /metrics, keyed by name and sorted labels."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


@pytest.fixture
def client(fake: Assistant, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(var_dir=tmp_path), load=lambda: fake)) as test_client:
        yield ready(test_client)


def test_requests_are_counted_by_channel_and_kind(client: TestClient) -> None:
    for question in ["What is the cost?", "do u have wifi", "zebra quantum marmalade", "I can't breathe"]:
        client.post("/v1/ask", json={"question": question})
    found = samples(client)
    assert found[("chatbot_requests_total", (("channel", "web"), ("kind", "answer")))] == 2
    assert found[("chatbot_requests_total", (("channel", "web"), ("kind", "fallback")))] == 1
    assert found[("chatbot_requests_total", (("channel", "web"), ("kind", "emergency")))] == 1
    assert found[("chatbot_reply_seconds_count", (("channel", "web"),))] == 4


def test_refused_questions_are_not_counted_as_replies(client: TestClient) -> None:
    client.post("/v1/ask", json={"question": ""})
    assert not any(name == "chatbot_requests_total" for name, _ in samples(client))


def test_the_knowledge_base_in_service_is_reported(client: TestClient, fake: Assistant) -> None:
    found = samples(client)
    assert found[("chatbot_knowledge_base_info", (("fingerprint", fake.kb.fingerprint),))] == 1
    assert found[("chatbot_knowledge_entries", ())] == len(fake.kb.entries)
    assert found[("chatbot_ready", ())] == 1


def test_two_apps_count_separately(fake: Assistant, tmp_path: Path) -> None:
    with (
        TestClient(create_app(Settings(var_dir=tmp_path), load=lambda: fake)) as one,
        TestClient(create_app(Settings(var_dir=tmp_path), load=lambda: fake)) as other,
    ):
        ready(one).post("/v1/ask", json={"question": "What is the cost?"})
        assert ("chatbot_requests_total", (("channel", "web"), ("kind", "answer"))) in samples(one)
        assert ("chatbot_requests_total", (("channel", "web"), ("kind", "answer"))) not in samples(ready(other))


def test_not_ready_reports_no_knowledge_base(tmp_path: Path) -> None:
    def never() -> Assistant:
        raise RuntimeError("no index")

    with TestClient(create_app(Settings(var_dir=tmp_path), load=never)) as client:
        found = samples(client)
    assert found[("chatbot_ready", ())] == 0
    assert not any(name.startswith("chatbot_knowledge") for name, _ in found)


def total_replies(url: str) -> float:
    """The replies a scrape of a fresh connection counts (so the scrape may land on any worker)."""
    text = httpx.get(f"{url}/metrics", headers={"connection": "close"}, timeout=10).text
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        if family.name == "chatbot_requests"
        for s in family.samples
        if s.name == "chatbot_requests_total"
    )


@pytest.mark.slow
def test_one_scrape_counts_the_replies_of_every_worker(real_settings: Settings, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    settings = real_settings.model_copy(update={"var_dir": tmp_path / "var", "rate_limit": "off"})
    env = settings.environment() | {"HF_HUB_OFFLINE": "1", "TMPDIR": str(scratch)}
    with live_server(env, 2, tmp_path / "serve.log") as (url, _pid):
        (folder,) = scratch.glob("chatbot-metrics-*")
        before = total_replies(url)
        for _ in range(30):
            httpx.post(
                f"{url}/v1/ask", json={"question": "What is the cost?"}, headers={"connection": "close"}, timeout=10
            )
        workers_counting = {path.stem.rsplit("_", 1)[-1] for path in folder.glob("counter_*.db")}
        assert len(workers_counting) == 2, "both workers answered"
        assert {total_replies(url) for _ in range(8)} == {before + 30}
    assert not folder.exists(), "chatbot serve deletes the metrics folder when it stops"
