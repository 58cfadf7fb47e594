from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support import EVENTS, logged, ready

from chatbot.answering.assistant import Assistant
from chatbot.channels.web.app import create_app
from chatbot.domain import Kind, Match, Reply
from chatbot.settings import Settings
from chatbot.storage.store import DB_FILE, UnansweredStore
from chatbot.telemetry.events import Recorder
from chatbot.telemetry.metrics import Metrics

PRIVATE = "zebra quantum marmalade, call me at 555-867-5309 or jo@example.com"


def test_one_json_line_per_question_without_the_patients_words(
    fake: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with TestClient(create_app(Settings(var_dir=tmp_path), load=lambda: fake)) as client:
        ready(client)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            client.post("/v1/ask", json={"question": PRIVATE})
            client.post("/v1/ask", json={"question": "What is the cost?"})
    lines = logged(caplog.records, "reply")
    assert [(line["channel"], line["kind"], line["id"]) for line in lines] == [
        ("web", "fallback", None),
        ("web", "answer", "cost"),
    ]
    assert all(isinstance(line["ms"], float) for line in lines)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for private in ["zebra", "867", "5309", "jo@example.com"]:
        assert private not in everything


def test_every_channel_counts_and_its_fallbacks_are_kept(tmp_path: Path) -> None:
    metrics = Metrics(lambda: None)
    store = UnansweredStore(tmp_path / DB_FILE, retention_days=30)
    recorder = Recorder(metrics, store)
    recorder.record(
        "sms", "do you take medicare? 555-867-5309", Reply(Kind.FALLBACK, "…", None, 0.4, (Match("cost", 0.4),)), 0.01
    )
    recorder.record("sms", "how much is it", Reply(Kind.ANSWER, "…", "cost", 0.9), 0.01)
    assert 'chatbot_requests_total{channel="sms",kind="fallback"} 1.0' in metrics.exposition().decode()
    (row,) = store.rows()
    assert (row.channel, row.question) == ("sms", "do you take medicare? [phone]")
    store.close()


def test_a_stuck_database_write_holds_up_only_its_own_request() -> None:
    import asyncio
    import threading

    class StuckStore:
        def __init__(self) -> None:
            self.writing, self.release, self.rows = threading.Event(), threading.Event(), []

        def add(self, channel: str, question: str, candidates: object) -> None:
            self.writing.set()
            self.release.wait(5)
            self.rows.append(question)

    store = StuckStore()
    recorder = Recorder(None, store)  # type: ignore[arg-type]

    async def main() -> None:
        stuck = asyncio.create_task(recorder.record_soon("web", "is there parking", Reply(Kind.FALLBACK, "…"), 0.01))
        await asyncio.to_thread(store.writing.wait, 5)
        await asyncio.wait_for(recorder.record_soon("web", "how much", Reply(Kind.ANSWER, "…", "cost", 0.9), 0.01), 1)
        assert not stuck.done()
        store.release.set()
        await stuck

    asyncio.run(main())
    assert store.rows == ["is there parking"]


def test_refusals_are_events_on_the_same_log_without_the_clients_address(
    fake: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A 429 and a 504 are logged where the replies are, as typed events, and say nothing of who asked."""
    from starlette.types import Receive, Scope, Send

    from chatbot.channels.web.middleware import Timeout

    async def stuck(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(1)

    with caplog.at_level(logging.INFO, logger=EVENTS):
        with TestClient(create_app(Settings(var_dir=tmp_path, rate_limit="1/minute"), load=lambda: fake)) as client:
            ready(client)
            statuses = [client.post("/v1/ask", json={"question": "What is the cost?"}).status_code for _ in range(2)]
        assert statuses == [200, 429]
        assert TestClient(Timeout(stuck, seconds=0.01)).get("/slow").status_code == 504
    (limited,) = logged(caplog.records, "rate-limited")
    assert limited["path"] == "/v1/ask" and 1 <= int(limited["retry_after"]) <= 60
    assert logged(caplog.records, "timeout") == [{"event": "timeout", "path": "/slow", "seconds": 0.01}]
    assert "testclient" not in "\n".join(r.getMessage() for r in caplog.records if r.name == EVENTS)
