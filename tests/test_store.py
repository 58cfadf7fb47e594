from __future__ import annotations

import json
import logging
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from pydantic import ValidationError
from servers import PostgresServer
from support import ready

from chatbot.answering.assistant import Assistant
from chatbot.channels.terminal.cli import cli
from chatbot.channels.web.app import create_app
from chatbot.domain import Match
from chatbot.settings import Settings
from chatbot.storage.postgres import PostgresBackend
from chatbot.storage.store import DB_FILE, PRUNE_EVERY_SECONDS, Row, SqliteBackend, UnansweredStore

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


@pytest.fixture(params=["sqlite", "postgresql"])
def opener(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Callable[[], UnansweredStore]:
    """Opens stores on one database of each backend: redaction, retention and sharing hold on both."""
    if request.param == "sqlite":
        return lambda: UnansweredStore(tmp_path / "var" / DB_FILE, retention_days=30, clock=clock)
    url = request.getfixturevalue("database_url")
    return lambda: UnansweredStore(PostgresBackend(url), retention_days=30, clock=clock)


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[UnansweredStore]:
    opened = UnansweredStore(tmp_path / "var" / DB_FILE, retention_days=30, clock=clock)
    yield opened
    opened.close()


def test_a_question_is_kept_redacted_with_its_channel_time_and_nearest_entries(
    opener: Callable[[], UnansweredStore], clock: Clock
) -> None:
    store = opener()
    store.add("sms", "does medicare cover it? call me 555-123-4567", NEAREST)
    (row,) = store.rows()
    assert row.question == "does medicare cover it? call me [phone]"
    assert row.channel == "sms"
    assert row.at.timestamp() == clock.now
    assert row.candidates == NEAREST


def test_the_database_file_is_for_its_owner_only(store: UnansweredStore) -> None:
    store.add("web", "is there parking", NEAREST)
    assert stat.S_IMODE(store.backend.path.stat().st_mode) == 0o600  # type: ignore[attr-defined]


def test_rows_past_the_retention_period_are_not_read(opener: Callable[[], UnansweredStore], clock: Clock) -> None:
    first = opener()
    first.add("web", "an old question", NEAREST)
    clock.now += 10 * DAY
    first.add("web", "a newer question", NEAREST)
    first.close()

    clock.now += 25 * DAY  # the first is 35 days old, the second 25
    assert [row.question for row in opener().rows()] == ["a newer question"]


def test_feedback_is_kept_redacted_for_the_same_retention_period(
    opener: Callable[[], UnansweredStore], clock: Clock
) -> None:
    first = opener()
    first.add_feedback("cost", False, "too much, text me at 555-867-5309")
    clock.now += 10 * DAY
    first.add_feedback("wifi", True, "do you have wifi")
    first.close()
    kept = opener().feedback()
    assert [(row.entry, row.helpful, row.question) for row in kept] == [
        ("cost", False, "too much, text me at [phone]"),
        ("wifi", True, "do you have wifi"),
    ]
    clock.now += 25 * DAY  # the first is 35 days old, the second 25
    assert [row.entry for row in opener().feedback()] == ["wifi"]


def test_a_long_running_store_deletes_old_rows_as_it_writes(
    opener: Callable[[], UnansweredStore], clock: Clock
) -> None:
    store = opener()
    store.add("web", "an old question", NEAREST)
    clock.now += 31 * DAY + PRUNE_EVERY_SECONDS
    store.add("web", "a new question", NEAREST)
    clock.now -= 31 * DAY + PRUNE_EVERY_SECONDS  # read as of the first write: the old row is gone, not just unread
    assert [row.question for row in store.rows()] == ["a new question"]


def test_a_pruned_question_is_gone_from_the_database_and_its_write_ahead_log(
    store: UnansweredStore, clock: Clock
) -> None:
    store.add("web", "can my parrot Zanzibar come along", NEAREST)
    clock.now += 31 * DAY + PRUNE_EVERY_SECONDS
    store.add("web", "a new question", NEAREST)  # prunes, with the store still open as in a running server
    files = [store.backend.path, store.backend.path.with_name(DB_FILE + "-wal")]
    leftovers = {path.name: b"Zanzibar" in path.read_bytes() for path in files if path.exists()}
    assert leftovers == {DB_FILE: False, DB_FILE + "-wal": False}
    assert b"a new question" in store.backend.path.read_bytes()  # what was kept reached the database itself


def test_closing_the_store_empties_its_write_ahead_log_while_another_worker_has_it_open(
    store: UnansweredStore, clock: Clock
) -> None:
    store.add("web", "is there parking", NEAREST)
    other_worker = UnansweredStore(store.backend.path, retention_days=30, clock=clock)
    other_worker.rows()
    store.add("web", "can my parrot Zanzibar come along", NEAREST)
    store.close()
    assert store.backend.path.with_name(DB_FILE + "-wal").stat().st_size == 0
    other_worker.close()


def test_several_workers_write_to_one_database(opener: Callable[[], UnansweredStore]) -> None:
    workers = [opener() for _ in range(3)]
    for n in range(30):
        workers[n % 3].add("web", f"question {n}", NEAREST)
    assert len(workers[0].rows()) == 30
    for worker in workers:
        worker.close()


def test_characters_that_are_not_text_are_dropped_before_storing(store: UnansweredStore) -> None:
    store.add("web", "a lone surrogate \ud800 slipped through", NEAREST)
    store.add("web", "\x1b[2J\x1b]0;HACKED\x07is \x1b[31mthere\x1b[0m parking\x00\r\n", NEAREST)
    assert [row.question for row in store.rows()] == [
        "a lone surrogate slipped through",
        "[2J]0;HACKEDis [31mthere[0m parking",
    ]


def test_an_unwritable_store_logs_once_never_raises_and_writes_the_kept_rows_when_it_can(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("chatbot.storage.store.RETRY_SECONDS", 0.05)
    in_the_way = tmp_path / "var"
    in_the_way.write_text("a file where the folder should be")
    store = UnansweredStore(in_the_way / DB_FILE, retention_days=30)
    for n in range(5):
        store.add("web", f"is there parking {n}", NEAREST)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "Cannot record unanswered questions" in errors[0].getMessage()

    in_the_way.unlink()
    store.add("web", "is there parking 5", NEAREST)
    eventually(lambda: len(store.rows()) == 6)
    assert [row.question for row in store.rows()] == [f"is there parking {n}" for n in range(6)]
    assert caplog.records[-1].getMessage().endswith("again: the 6 kept meanwhile are written.")
    store.close()


def eventually(done: Callable[[], bool], seconds: float = 30.0) -> None:
    """Wait until `done()` (a background writer at work), failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"not done after {seconds} s"
        time.sleep(0.05)


class Outage(SqliteBackend):
    """A SQLite file that refuses writes while `down`, or, while `hanging`, holds each write until `released`
    (a database that takes a connection attempt's whole timeout to fail)."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.down = self.hanging = False
        self.released = threading.Event()

    def insert(self, row: Row) -> None:
        if self.hanging:
            self.released.wait()
        if self.down:
            raise sqlite3.OperationalError("the database is down")
        super().insert(row)


def test_while_the_database_is_down_the_newest_rows_wait_in_memory_and_the_oldest_are_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("chatbot.storage.store.KEEP_AT_MOST", 3)
    backend = Outage(tmp_path / DB_FILE)
    store = UnansweredStore(backend, retention_days=30)
    backend.down = True
    for n in range(5):
        store.add("web", f"call me on 555-123-456{n}", NEAREST)
    backend.down = False
    store.close()  # its last try writes what waits

    stored = [row.question for row in UnansweredStore(tmp_path / DB_FILE, retention_days=30).rows()]
    assert stored == ["call me on [phone]"] * 3
    messages = [r.getMessage() for r in caplog.records]
    assert sum("the oldest are dropped" in m for m in messages) == 1
    assert messages[-1].endswith(
        "again: the 3 kept meanwhile are written, 2 older ones were dropped (at most 3 are kept)."
    )
    assert not any("555-123" in m for m in messages)


def test_rows_still_waiting_when_the_server_stops_are_counted_as_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    backend = Outage(tmp_path / DB_FILE)
    store = UnansweredStore(backend, retention_days=30)
    backend.down = True
    for n in range(2):
        store.add("web", f"question {n}", NEAREST)
    store.close()
    assert caplog.records[-1].getMessage() == (
        f"2 unanswered questions could not be written to {tmp_path / DB_FILE} before closing and are lost."
    )


def test_no_reply_waits_on_a_database_that_is_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a write has failed, new rows queue behind the waiting ones: they never wait for the database,
    even while the writer is stuck in a connection attempt."""
    monkeypatch.setattr("chatbot.storage.store.RETRY_SECONDS", 0.01)
    backend = Outage(tmp_path / DB_FILE)
    store = UnansweredStore(backend, retention_days=30)
    backend.down = True
    store.add("web", "question 0", NEAREST)  # fails at once: the outage starts
    backend.hanging = True  # the writer's next try hangs
    asking = threading.Thread(target=lambda: [store.add("web", f"question {n}", NEAREST) for n in range(1, 4)])
    asking.start()
    asking.join(10)
    done_while_hanging = not asking.is_alive()
    backend.down = False
    backend.released.set()
    asking.join()
    assert done_while_hanging, "a patient's reply waited on the database"
    eventually(lambda: len(store.rows()) == 4)
    assert [row.question for row in store.rows()] == [f"question {n}" for n in range(4)]
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


# What an attacker's pass found stored as typed (issue 17): each must reach the database redacted.
WRITTEN_TO_DODGE_REDACTION = [
    ("555\u2013123\u20134567", "[phone]"),
    ("555/123/4567", "[phone]"),
    ("555_123_4567", "[phone]"),
    ("555\u200b123\u200b4567", "[phone]"),
    ("\uff15\uff15\uff15\uff0d\uff11\uff12\uff13\uff0d\uff14\uff15\uff16\uff17", "[phone]"),
    ("five five five one two three four five six seven", "[phone]"),
    ("jane.doe at gmail dot com", "[email]"),
    ("jane.doe [at] gmail [dot] com", "[email]"),
    ("jane.doe@gmail", "[email]"),
    ("42 Elm Crescent", "[address]"),
    ("born in March 1980", "born in [date]"),
    ("my Medicare number 1EG4-TE5-MK73", "my Medicare number [id]"),
]


def test_details_written_to_dodge_redaction_are_stored_redacted(fake: Assistant, tmp_path: Path) -> None:
    with TestClient(create_app(Settings(var_dir=tmp_path), load=lambda: fake)) as client:
        ready(client)
        for detail, _ in WRITTEN_TO_DODGE_REDACTION:
            assert client.post("/v1/ask", json={"question": f"zebra quantum {detail}"}).json()["kind"] == "fallback"
    stored = [row.question for row in UnansweredStore(tmp_path / DB_FILE, retention_days=30).rows()]
    assert stored == [f"zebra quantum {redacted}" for _, redacted in WRITTEN_TO_DODGE_REDACTION]


# -- one PostgreSQL database for every replica ---------------------------------------------------


def test_two_replicas_write_to_one_postgresql_and_review_reads_both(
    fake: Assistant, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, question in [("a", "zebra quantum marmalade"), ("b", "can i pay in seashells, call 555-123-4567")]:
        with TestClient(
            create_app(Settings(var_dir=tmp_path / name, database_url=database_url), load=lambda: fake)
        ) as client:
            ready(client)
            assert client.post("/v1/ask", json={"question": question}).json()["kind"] == "fallback"
    monkeypatch.setenv("CHATBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("CHATBOT_VAR_DIR", str(tmp_path / "elsewhere"))
    result = CliRunner().invoke(cli, ["review", "--export", "-"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["question"] for line in result.output.splitlines()] == [
        "zebra quantum marmalade",
        "can i pay in seashells, call [phone]",
    ]
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists(), "no SQLite file beside PostgreSQL"


def test_questions_asked_while_postgresql_is_down_cost_no_reply_and_are_written_when_it_is_back(
    fake: Assistant,
    tmp_path: Path,
    postgres_server: PostgresServer,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr("chatbot.storage.store.RETRY_SECONDS", 0.1)  # try again soon, not after 5 s
    monkeypatch.setattr("chatbot.storage.postgres.RETRY_SECONDS", 0.0)
    monkeypatch.setenv("CHATBOT_DATABASE_URL", database_url)
    with_password = database_url.replace("postgres@", "postgres:secret-pw@")  # the server trusts any password
    asked: list[str] = []

    def ask_while_down(client: TestClient, when: str) -> None:
        for n in range(3):
            question = f"zebra quantum marmalade {when} {n}, call 555-123-456{n}"
            reply = client.post("/v1/ask", json={"question": question})
            assert reply.status_code == 200 and reply.json()["kind"] == "fallback"
            asked.append(f"zebra quantum marmalade {when} {n}, call [phone]")

    postgres_server.stop()
    try:
        with TestClient(
            create_app(Settings(var_dir=tmp_path, database_url=with_password), load=lambda: fake)
        ) as client:
            ready(client)
            ask_while_down(client, "down at start")
            postgres_server.start()
            eventually(lambda: reviewed() == asked)
            postgres_server.stop()
            ask_while_down(client, "down mid-run")
            postgres_server.start()
            eventually(lambda: reviewed() == asked)
    finally:
        if not postgres_server.running:
            postgres_server.start()
    messages = [r.getMessage() for r in caplog.records if r.name == "chatbot"]
    assert sum("Cannot record unanswered questions" in m for m in messages) == 2  # once per outage
    assert sum("again: the 3 kept meanwhile are written." in m for m in messages) == 2
    assert not any("secret-pw" in m for m in messages)


def reviewed() -> list[str]:
    """The questions `chatbot review` shows, oldest first."""
    result = CliRunner().invoke(cli, ["review", "--export", "-"])
    assert result.exit_code == 0, result.output
    return [json.loads(line)["question"] for line in result.output.splitlines()]


@pytest.mark.parametrize(
    "url", ["mysql://db.example/chatbot", "postgresql://db.example:port/chatbot", "db.example/chatbot"]
)
def test_a_database_url_that_cannot_be_used_is_refused_by_name(url: str) -> None:
    with pytest.raises(ValidationError, match="CHATBOT_DATABASE_URL has value"):
        Settings(database_url=url)
