from __future__ import annotations

import logging
import stat
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient
from test_api import ready

from chatbot.app import create_app
from chatbot.assistant import Assistant
from chatbot.domain import Match
from chatbot.settings import Settings
from chatbot.store import DB_FILE, PRUNE_EVERY_SECONDS, UnansweredStore

DAY = 86_400.0
NEAREST = (Match("cost", 0.51), Match("insurance", 0.47))


class Clock:
    def __init__(self, now: float = 1_750_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[UnansweredStore]:
    opened = UnansweredStore(tmp_path / "var" / DB_FILE, retention_days=30, clock=clock)
    yield opened
    opened.close()


def test_a_question_is_kept_redacted_with_its_channel_time_and_nearest_entries(store: UnansweredStore, clock: Clock) -> None:
    store.add("sms", "does medicare cover it? call me 555-123-4567", NEAREST)
    (row,) = store.rows()
    assert row.question == "does medicare cover it? call me [phone]"
    assert row.channel == "sms"
    assert row.at.timestamp() == clock.now
    assert row.candidates == NEAREST


def test_the_database_file_is_for_its_owner_only(store: UnansweredStore) -> None:
    store.add("web", "is there parking", NEAREST)
    assert stat.S_IMODE(store.backend.path.stat().st_mode) == 0o600  # type: ignore[attr-defined]


def test_rows_past_the_retention_period_are_pruned_when_the_store_is_opened(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / DB_FILE
    first = UnansweredStore(path, retention_days=30, clock=clock)
    first.add("web", "an old question", NEAREST)
    clock.now += 10 * DAY
    first.add("web", "a newer question", NEAREST)
    first.close()

    clock.now += 25 * DAY  # the first is 35 days old, the second 25
    assert [row.question for row in UnansweredStore(path, retention_days=30, clock=clock).rows()] == ["a newer question"]


def test_a_long_running_store_prunes_as_it_writes(store: UnansweredStore, clock: Clock) -> None:
    store.add("web", "an old question", NEAREST)
    clock.now += 31 * DAY + PRUNE_EVERY_SECONDS
    store.add("web", "a new question", NEAREST)
    assert [row.question for row in store.rows()] == ["a new question"]


def test_several_workers_write_to_one_database(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / DB_FILE
    workers = [UnansweredStore(path, retention_days=30, clock=clock) for _ in range(3)]
    for n in range(30):
        workers[n % 3].add("web", f"question {n}", NEAREST)
    assert len(workers[0].rows()) == 30
    for worker in workers:
        worker.close()


def test_text_sqlite_cannot_store_is_logged_not_raised(store: UnansweredStore, caplog: pytest.LogCaptureFixture) -> None:
    store.add("web", "a lone surrogate \ud800 slipped through", NEAREST)
    assert "Cannot record unanswered questions" in caplog.text
    store.add("web", "is there parking", NEAREST)
    assert [row.question for row in store.rows()] == ["is there parking"]


def test_an_unwritable_store_logs_once_and_never_raises(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    in_the_way = tmp_path / "var"
    in_the_way.write_text("a file where the folder should be")
    store = UnansweredStore(in_the_way / DB_FILE, retention_days=30)
    for _ in range(5):
        store.add("web", "is there parking", NEAREST)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "Cannot record unanswered questions" in errors[0].getMessage()

    in_the_way.unlink()
    store.add("web", "is there parking", NEAREST)
    assert [row.question for row in store.rows()] == ["is there parking"]
    assert "again" in caplog.records[-1].getMessage()
    store.close()


def test_a_patient_still_gets_the_fallback_when_the_store_is_unwritable(
    fake: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    in_the_way = tmp_path / "var"
    in_the_way.write_text("a file where the folder should be")
    with TestClient(create_app(Settings(var_dir=in_the_way), load=lambda: fake)) as client:
        ready(client)
        for _ in range(3):
            response = client.post("/v1/ask", json={"question": "zebra quantum marmalade"})
            assert response.status_code == 200 and response.json()["kind"] == "fallback"
    assert sum("Cannot record unanswered questions" in r.getMessage() for r in caplog.records) == 1


def test_fallbacks_are_recorded_and_answers_are_not(fake: Assistant, tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    with TestClient(create_app(settings, load=lambda: fake)) as client:
        ready(client)
        client.post("/v1/ask", json={"question": "What is the cost?"})
        client.post("/v1/ask", json={"question": "zebra quantum marmalade, email me at jo@example.com"})
    (row,) = UnansweredStore(tmp_path / DB_FILE, retention_days=30).rows()
    assert (row.channel, row.question) == ("web", "zebra quantum marmalade, email me at [email]")
    assert len(row.candidates) == 5


def test_nothing_recorded_yet_reads_as_no_rows_without_creating_a_database(tmp_path: Path) -> None:
    store = UnansweredStore(tmp_path / "var" / DB_FILE, retention_days=30)
    assert store.rows() == []
    assert not (tmp_path / "var").exists()
