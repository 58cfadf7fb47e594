"""The unanswered-questions (and feedback) store on PostgreSQL, shared by every replica (CHATBOT_DATABASE_URL).

The same table as the SQLite file (`store.Sql`), written through a small psycopg connection pool.
Connections are made on demand, so a database that is down at start costs nothing until a
question is recorded. After a failure to reach it, writes fail at once for `RETRY_SECONDS` instead
of each waiting out a connection timeout, so an outage adds no latency to patients' replies;
the store (`store.UnansweredStore`) logs the outage once, keeps the rows in memory meanwhile and
writes them when the database is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from chatbot.errors import DatabaseDown
from chatbot.settings import describe_storage
from chatbot.storage.store import FeedbackRow, Row, Sql

CONNECT_SECONDS = 2
# How long a write waits for a connection: while the database is down, one fallback per RETRY_SECONDS
# (per process) waits this long for its reply; every other write fails at once.
WAIT_SECONDS = 1.0
RETRY_SECONDS = 5.0
POOL_SIZE = 4
SCHEMA_LOCK = 7_215_001  # any number: replicas starting together create the table one at a time

T = TypeVar("T")


class PostgresBackend:
    """Rows in a PostgreSQL database; the table is created on first use."""

    SQL = Sql.dialect("%s", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "DOUBLE PRECISION")

    def __init__(self, url: str, clock: Callable[[], float] = time.monotonic):
        self.where = describe_storage(url)
        self._url = url
        self._clock = clock
        self._pool = self._new_pool()
        # The pool retries connections in the background and logs each attempt; the store logs the outage once.
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
        self._schema_ready = False
        self._retry_at = float("-inf")

    def insert(self, row: Row) -> None:
        at, channel, question, candidates = row
        # PostgreSQL's text cannot hold NUL; nothing a patient meant is lost with it.
        self._run(lambda db: db.execute(self.SQL.insert, (at, channel, question.replace("\x00", ""), candidates)))

    def insert_feedback(self, row: FeedbackRow) -> None:
        at, entry, helpful, question = row
        self._run(lambda db: db.execute(self.SQL.insert_feedback, (at, entry, helpful, question.replace("\x00", ""))))

    def prune(self, before: float) -> int:
        statements = (self.SQL.prune, self.SQL.prune_feedback)
        return self._run(lambda db: sum(db.execute(sql, (before,)).rowcount for sql in statements))

    def select(self, since: float) -> list[Row]:
        return self._run(lambda db: list(db.execute(self.SQL.select, (since,))))

    def select_feedback(self, since: float) -> list[FeedbackRow]:
        return self._run(lambda db: list(db.execute(self.SQL.select_feedback, (since,))))

    def close(self) -> None:
        self._pool.close(timeout=CONNECT_SECONDS)

    def _new_pool(self) -> ConnectionPool:
        """Connections on demand (none while idle), each checked before use so one broken by a restart is replaced."""
        return ConnectionPool(
            self._url,
            min_size=0,
            max_size=POOL_SIZE,
            open=False,
            timeout=WAIT_SECONDS,
            name="chatbot-unanswered",
            kwargs={"autocommit": True, "connect_timeout": CONNECT_SECONDS},
            check=ConnectionPool.check_connection,
        )

    def _run(self, work: Callable[[psycopg.Connection], T]) -> T:
        if self._clock() < self._retry_at:
            raise DatabaseDown(f"{self.where} was unreachable less than {RETRY_SECONDS:g} s ago")
        if self._pool.closed:
            self._pool.open(wait=False)
        try:
            with self._pool.connection() as db:
                if not self._schema_ready:
                    self._create_schema(db)
                return work(db)
        except (psycopg.OperationalError, PoolTimeout):
            self._retry_at = self._clock() + RETRY_SECONDS
            # A fresh pool tries at once next time; this one would wait out its own reconnection backoff.
            self._pool.close(timeout=0)
            self._pool = self._new_pool()
            raise

    def _create_schema(self, db: psycopg.Connection) -> None:
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in self.SQL.schema.split(";"):
                if statement.strip():
                    db.execute(statement)
        self._schema_ready = True
