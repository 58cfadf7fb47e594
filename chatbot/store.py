"""The questions the assistant could not answer, and patients' thumbs up or down on its answers,
kept (redacted) so staff can learn from them.

One SQLite file, `CHATBOT_VAR_DIR/chatbot.db`, in WAL mode with a busy timeout so several worker
processes can write to it at once. Each row holds the time, the channel, the question with its
personal details removed (`redact.py`) and the nearest entries with their scores; a feedback row,
the entry answered, whether it helped and the question, redacted alike. Rows older than
the retention period are deleted when the store is opened and, at most once an hour, when it is
written; deleted rows are overwritten (`secure_delete`), not just unlinked, and the write-ahead log
is checkpointed and truncated after every prune and on close, so no copy of a deleted row waits in
`chatbot.db-wal` for SQLite's own checkpoint (about a thousand pages later).

Recording must never cost a patient their reply: `add` does not raise. When the database cannot
be written the error is logged once, and once more when writing works again.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from chatbot.domain import Match
from chatbot.errors import ChatbotError
from chatbot.redact import redact

log = logging.getLogger("chatbot")

DB_FILE = "chatbot.db"
PRUNE_EVERY_SECONDS = 3600
BUSY_TIMEOUT_SECONDS = 5.0
DAY_SECONDS = 86_400

_SCHEMA = """
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    channel TEXT NOT NULL,
    question TEXT NOT NULL,
    candidates TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS unanswered_at ON unanswered (at);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    entry TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    question TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at);
"""
TABLES = ("unanswered", "feedback")


class StoreError(ChatbotError):
    """The unanswered-questions database cannot be read."""


@dataclass(frozen=True)
class Unanswered:
    """One question the assistant fell back on, as stored: already redacted."""

    at: datetime.datetime
    channel: str
    question: str
    candidates: tuple[Match, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(timespec="seconds"),
            "channel": self.channel,
            "question": self.question,
            "candidates": [m.to_dict() for m in self.candidates],
        }


@dataclass(frozen=True)
class Feedback:
    """A patient's verdict on one answer, as stored: the question already redacted."""

    at: datetime.datetime
    entry: str
    helpful: bool
    question: str


class UnansweredStore:
    """The database of unanswered questions; safe to share between threads."""

    def __init__(self, path: Path, retention_days: int, clock: Callable[[], float] = time.time):
        """
        Args:
            path: the SQLite file; its folder is created on first use.
            retention_days: rows older than this many days are deleted.
            clock: seconds since the epoch (tests pass their own).
        """
        self.path = path
        self.retention_seconds = retention_days * DAY_SECONDS
        self._clock = clock
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._pruned_at = float("-inf")
        self._failing = False

    def add(self, channel: str, question: str, candidates: Sequence[Match]) -> None:
        """Record one unanswered question, redacted. Never raises: a failure is logged once."""
        self._write(
            "INSERT INTO unanswered (at, channel, question, candidates) VALUES (?, ?, ?, ?)",
            lambda: (self._clock(), channel, redact(question), json.dumps([[m.id, m.score] for m in candidates])),
        )

    def add_feedback(self, entry: str, helpful: bool, question: str) -> None:
        """Record a thumbs up or down on `entry`'s answer to `question`, redacted. Never raises."""
        self._write(
            "INSERT INTO feedback (at, entry, helpful, question) VALUES (?, ?, ?, ?)",
            lambda: (self._clock(), entry, int(helpful), redact(question)),
        )

    def rows(self) -> list[Unanswered]:
        """Every unanswered question still within the retention period, oldest first.

        Raises:
            StoreError: the database exists but cannot be read.
        """
        found = self._read("SELECT at, channel, question, candidates FROM unanswered ORDER BY at, id")
        return [_row(*values) for values in found]

    def feedback(self) -> list[Feedback]:
        """Every feedback row still within the retention period, oldest first.

        Raises:
            StoreError: the database exists but cannot be read.
        """
        found = self._read("SELECT at, entry, helpful, question FROM feedback ORDER BY at, id")
        return [Feedback(_when(at), str(entry), bool(helpful), str(question)) for at, entry, helpful, question in found]

    def _write(self, sql: str, row: Callable[[], tuple[object, ...]]) -> None:
        with self._lock:
            try:
                db = self._open()
                with db:
                    db.execute(sql, row())
                if self._clock() - self._pruned_at >= PRUNE_EVERY_SECONDS:
                    self._prune(db)
            except Exception as exc:  # noqa: BLE001 - whatever goes wrong here must never cost a patient the reply
                self._close()
                if not self._failing:
                    log.error("Cannot record unanswered questions in %s (%s); patients still get their replies. "
                              "This is logged once until it works again.", self.path, exc)
                    self._failing = True
                return
            if self._failing:
                log.warning("Recording unanswered questions in %s again.", self.path)
                self._failing = False

    def _read(self, sql: str) -> list[tuple[object, ...]]:
        if not self.path.exists():
            return []
        with self._lock:
            try:
                return list(self._open().execute(sql))
            except (sqlite3.Error, OSError, ValueError) as exc:
                self._close()
                raise StoreError(f"Cannot read {self.path}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._close()

    def _open(self) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Create the file readable by its owner only; SQLite gives its WAL files the same mode.
        os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA secure_delete = ON")
            db.executescript(_SCHEMA)
            self._prune(db)
        except BaseException:
            db.close()
            raise
        self._db = db
        return db

    def _prune(self, db: sqlite3.Connection) -> int:
        now = self._clock()
        with db:
            deleted = sum(db.execute(f"DELETE FROM {table} WHERE at < ?", (now - self.retention_seconds,)).rowcount for table in TABLES)
        _truncate_wal(db)
        self._pruned_at = now
        return deleted

    def _close(self) -> None:
        if self._db is not None:
            try:
                _truncate_wal(self._db)
            finally:
                self._db.close()
                self._db = None


def _truncate_wal(db: sqlite3.Connection) -> None:
    """Copy the write-ahead log into the database and empty it. Another worker reading at that moment
    makes it a no-op (SQLite reports busy); the next prune or close tries again."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def _row(at: float, channel: str, question: str, candidates: str) -> Unanswered:
    matches = tuple(Match(str(entry_id), float(score)) for entry_id, score in json.loads(candidates))
    return Unanswered(_when(at), channel, question, matches)


def _when(at: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(at, tz=datetime.timezone.utc)

