"""The questions the assistant could not answer, and patients' thumbs up or down on its answers,
kept (redacted) so staff can learn from them.

Two backends behind one small protocol, with one schema: by default one SQLite file,
`CHATBOT_VAR_DIR/chatbot.db` (nothing to install), in WAL mode with a busy timeout so several
worker processes can write to it at once; with `CHATBOT_DATABASE_URL` set, a PostgreSQL database
that every replica writes (`chatbot/storage/postgres.py`). Each row holds the time, the channel, the
question with its personal details removed (`redact.py`) and the nearest entries with their
scores; a feedback row, the entry answered, whether it helped and the question, redacted alike.
Rows older than the retention period are never read, and are deleted on the first write
and then at most once an hour; SQLite overwrites deleted rows (`secure_delete`), not just unlinks
them, and checkpoints and truncates its write-ahead log after every prune and on close, so no copy
of a deleted row waits in `chatbot.db-wal` for SQLite's own checkpoint (about a thousand pages later).

Recording must never cost a patient their reply: `add` does not raise. When the database cannot
be written (PostgreSQL down, a full disk) the error is logged once, and the rows, already redacted,
wait in memory: at most `KEEP_AT_MOST`, the oldest dropped first (and counted in the log). A
thread tries the database again every `RETRY_SECONDS` and writes them, oldest first, once it
answers; meanwhile new rows queue behind them, so no reply waits on a database that is down.
Closing the store makes one last attempt and says how many rows were lost.
"""

from __future__ import annotations

import datetime
import functools
import json
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from chatbot.domain import Match
from chatbot.errors import StoreError
from chatbot.settings import DB_FILE
from chatbot.storage.redact import redact

log = logging.getLogger("chatbot")

PRUNE_EVERY_SECONDS = 3600
BUSY_TIMEOUT_SECONDS = 5.0
KEEP_AT_MOST = 1000  # rows waiting in memory while the database cannot be written: a day of a busy clinic's fallbacks
RETRY_SECONDS = 5.0  # how often the waiting rows are tried again
DAY_SECONDS = 86_400
T = TypeVar("T", bound=Any)

Row = tuple[float, str, str, str]
"""One row as the backends store it: (at, channel, redacted question, candidates as JSON)."""
FeedbackRow = tuple[float, str, int, str]
"""One feedback row as the backends store it: (at, entry, helpful as 0 or 1, redacted question)."""


@dataclass(frozen=True)
class Sql:
    """The statements every backend runs, in its own dialect: the same table and columns on both."""

    schema: str
    insert: str
    prune: str
    select: str
    insert_feedback: str
    prune_feedback: str
    select_feedback: str

    @classmethod
    def dialect(cls, placeholder: str, id_column: str, real: str) -> Sql:
        p = placeholder
        return cls(
            schema=(
                f"CREATE TABLE IF NOT EXISTS unanswered (id {id_column}, at {real} NOT NULL, channel TEXT NOT NULL, "
                "question TEXT NOT NULL, candidates TEXT NOT NULL);\n"
                "CREATE INDEX IF NOT EXISTS unanswered_at ON unanswered (at);\n"
                f"CREATE TABLE IF NOT EXISTS feedback (id {id_column}, at {real} NOT NULL, entry TEXT NOT NULL, "
                "helpful INTEGER NOT NULL, question TEXT NOT NULL);\n"
                "CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at);"
            ),
            insert=f"INSERT INTO unanswered (at, channel, question, candidates) VALUES ({p}, {p}, {p}, {p})",
            prune=f"DELETE FROM unanswered WHERE at < {p}",
            select=f"SELECT at, channel, question, candidates FROM unanswered WHERE at >= {p} ORDER BY at, id",
            insert_feedback=f"INSERT INTO feedback (at, entry, helpful, question) VALUES ({p}, {p}, {p}, {p})",
            prune_feedback=f"DELETE FROM feedback WHERE at < {p}",
            select_feedback=f"SELECT at, entry, helpful, question FROM feedback WHERE at >= {p} ORDER BY at, id",
        )


class Backend(Protocol):
    """Where rows are kept. Any method may raise; `UnansweredStore` decides what a failure costs."""

    where: str
    """The database in words for messages (a file, or host and database name without the password)."""

    def insert(self, row: Row) -> None: ...

    def insert_feedback(self, row: FeedbackRow) -> None: ...

    def prune(self, before: float) -> int:
        """Delete the rows (of both tables) older than `before` (seconds since the epoch); return how many."""

    def select(self, since: float) -> list[Row]:
        """The rows from `since` on, oldest first; none if nothing was ever recorded (and create nothing)."""

    def select_feedback(self, since: float) -> list[FeedbackRow]:
        """The feedback rows from `since` on, oldest first; none if nothing was ever recorded (and create nothing)."""

    def close(self) -> None: ...


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
    """The unanswered questions: redaction, retention and failure handling over a backend; thread-safe."""

    def __init__(self, backend: Backend | Path, retention_days: int, clock: Callable[[], float] = time.time):
        """
        Args:
            backend: where rows are kept; a path is a SQLite file (its folder is created on first use).
            retention_days: rows older than this many days are deleted.
            clock: seconds since the epoch (tests pass their own).
        """
        self.backend = SqliteBackend(backend) if isinstance(backend, Path) else backend
        self.retention_seconds = retention_days * DAY_SECONDS
        self._clock = clock
        self._lock = threading.Lock()  # the backend: one call at a time
        self._pruned_at = float("-inf")
        # Rows waiting for a database that failed, oldest first, each a write of one redacted row; the thread
        # writing them exists exactly while an outage lasts (both guarded by _waiting_lock).
        self._waiting: deque[Callable[[], None]] = deque()
        self._waiting_lock = threading.Lock()
        self._writer: threading.Thread | None = None
        self._kept = self._dropped = 0
        self._closing = threading.Event()

    @property
    def where(self) -> str:
        return self.backend.where

    def add(self, channel: str, question: str, candidates: Sequence[Match]) -> None:
        """Record one unanswered question, redacted. Never raises: a failure is logged once."""
        row = (self._clock(), channel, redact(question), json.dumps([[m.id, m.score] for m in candidates]))
        self._write(functools.partial(self.backend.insert, row))

    def add_feedback(self, entry: str, helpful: bool, question: str) -> None:
        """Record a thumbs up or down on `entry`'s answer to `question`, redacted. Never raises."""
        self._write(
            functools.partial(self.backend.insert_feedback, (self._clock(), entry, int(helpful), redact(question)))
        )

    def rows(self) -> list[Unanswered]:
        """Every unanswered question still within the retention period, oldest first.

        Raises:
            StoreError: the database exists but cannot be read.
        """
        return [_row(*values) for values in self._read(self.backend.select)]

    def feedback(self) -> list[Feedback]:
        """Every feedback row still within the retention period, oldest first.

        Raises:
            StoreError: the database exists but cannot be read.
        """
        found = self._read(self.backend.select_feedback)
        return [Feedback(_when(at), str(entry), bool(helpful), str(question)) for at, entry, helpful, question in found]

    def _write(self, write: Callable[[], None]) -> None:
        with self._waiting_lock:
            if self._writer is not None:  # the database failed moments ago: wait behind the rows already waiting
                self._keep(write)
                return
        try:
            self._apply(write)
        except Exception as exc:
            with self._waiting_lock:
                self._keep(write)
                if self._writer is not None:  # another request's write failed first and said so
                    return
                self._writer = threading.Thread(target=self._write_waiting, name="unanswered-writer", daemon=True)
                self._writer.start()
            log.error(
                "Cannot record unanswered questions in %s (%s); patients still get their replies. Up to %s are "
                "kept in memory and written when it works again; this is logged once until then.",
                self.where,
                exc,
                f"{KEEP_AT_MOST:,}",
            )

    def _apply(self, write: Callable[[], None]) -> None:
        """One row written (raising if it is not), then the expired ones deleted when that is due."""
        with self._lock:
            write()
            now = self._clock()
            if now - self._pruned_at < PRUNE_EVERY_SECONDS:
                return
            self._pruned_at = now
            try:
                self.backend.prune(now - self.retention_seconds)
            except Exception as exc:  # the row is written: it must not be kept to be written twice
                log.error(
                    "Cannot delete expired unanswered questions in %s (%s); trying again in an hour.", self.where, exc
                )

    def _keep(self, write: Callable[[], None], retried: bool = False) -> None:
        """Hold `write` until the database works again, past KEEP_AT_MOST dropping the oldest (the caller holds
        _waiting_lock). A `retried` write goes back to the head: it is the oldest."""
        if len(self._waiting) >= KEEP_AT_MOST:
            if not self._dropped:
                log.error(
                    "More than %s unanswered questions are waiting for %s; the oldest are dropped until it is back.",
                    f"{KEEP_AT_MOST:,}",
                    self.where,
                )
            self._dropped += 1
            if retried:
                return
            self._waiting.popleft()
        if retried:
            self._waiting.appendleft(write)
        else:
            self._waiting.append(write)
            self._kept += 1

    def _write_waiting(self) -> None:
        """The outage's writer: every RETRY_SECONDS, the waiting rows oldest first, until none is left."""
        while not self._closing.wait(RETRY_SECONDS):
            if self._write_all_waiting():
                return

    def _write_all_waiting(self) -> bool:
        """Write the waiting rows, oldest first: True once none is left (the outage is over), False if one fails."""
        while True:
            with self._waiting_lock:
                if not self._waiting:
                    self._writer = None
                    kept, dropped, self._kept, self._dropped = self._kept, self._dropped, 0, 0
                    break
                write = self._waiting.popleft()
            try:
                self._apply(write)
            except Exception:
                with self._waiting_lock:
                    self._keep(write, retried=True)
                return False
        log.warning(
            "Recording unanswered questions in %s again: the %s kept meanwhile are written%s.",
            self.where,
            f"{kept - dropped:,}",
            f", {dropped:,} older ones were dropped (at most {KEEP_AT_MOST:,} are kept)" if dropped else "",
        )
        return True

    def _read(self, select: Callable[[float], list[T]]) -> list[T]:
        with self._lock:
            try:
                return select(self._clock() - self.retention_seconds)
            except StoreError:
                raise
            except Exception as exc:
                raise StoreError(f"Cannot read {self.where}: {exc}") from exc

    def close(self) -> None:
        """Stop the outage's writer, try the waiting rows once more, and close the database."""
        self._closing.set()
        writer = self._writer
        if writer is not None:
            writer.join()
            if self._writer is not None and not self._write_all_waiting():  # still down: one last try
                log.error(
                    "%s unanswered questions could not be written to %s before closing and are lost.",
                    f"{len(self._waiting) + self._dropped:,}",
                    self.where,
                )
        with self._lock:
            self.backend.close()


def open_store(database_url: str, var_dir: Path, retention_days: int) -> UnansweredStore:
    """The store CHATBOT_DATABASE_URL names: PostgreSQL for a URL, else the SQLite file in CHATBOT_VAR_DIR."""
    if database_url:
        from chatbot.storage.postgres import PostgresBackend

        return UnansweredStore(PostgresBackend(database_url), retention_days)
    return UnansweredStore(var_dir / DB_FILE, retention_days)


class SqliteBackend:
    """One SQLite file, opened on first use and reopened after a failure."""

    SQL = Sql.dialect("?", "INTEGER PRIMARY KEY", "REAL")

    def __init__(self, path: Path):
        self.path = path
        self.where = str(path)
        self._db: sqlite3.Connection | None = None

    def insert(self, row: Row) -> None:
        self._insert(self.SQL.insert, row)

    def insert_feedback(self, row: FeedbackRow) -> None:
        self._insert(self.SQL.insert_feedback, row)

    def prune(self, before: float) -> int:
        with self._failure_closes():
            db = self._open()
            with db:
                deleted = sum(db.execute(sql, (before,)).rowcount for sql in (self.SQL.prune, self.SQL.prune_feedback))
            _truncate_wal(db)
            return deleted

    def select(self, since: float) -> list[Row]:
        return self._select(self.SQL.select, since)

    def select_feedback(self, since: float) -> list[FeedbackRow]:
        return self._select(self.SQL.select_feedback, since)

    def _insert(self, sql: str, row: tuple[object, ...]) -> None:
        with self._failure_closes():
            db = self._open()
            with db:
                db.execute(sql, row)

    def _select(self, sql: str, since: float) -> list[T]:
        if not self.path.exists():
            return []
        with self._failure_closes():
            return list(self._open().execute(sql, (since,)))

    def close(self) -> None:
        if self._db is not None:
            try:
                _truncate_wal(self._db)
            finally:
                self._db.close()
                self._db = None

    @contextmanager
    def _failure_closes(self) -> Iterator[None]:
        """A failure closes the connection, so the next use opens it afresh."""
        try:
            yield
        except BaseException:
            self.close()
            raise

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
            db.executescript(self.SQL.schema)
        except BaseException:
            db.close()
            raise
        self._db = db
        return db


def _truncate_wal(db: sqlite3.Connection) -> None:
    """Copy the write-ahead log into the database and empty it. Another worker reading at that moment
    makes it a no-op (SQLite reports busy); the next prune or close tries again."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def _row(at: float, channel: str, question: str, candidates: str) -> Unanswered:
    matches = tuple(Match(str(entry_id), float(score)) for entry_id, score in json.loads(candidates))
    return Unanswered(_when(at), channel, question, matches)


def _when(at: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(at, tz=datetime.UTC)
