"""Shared fixtures: a deterministic fake encoder for fast tests, and one real build per session."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest
from servers import PostgresServer, RedisServer, find_postgres, find_redis

from chatbot.answering.assistant import Assistant
from chatbot.answering.normalise import normalise
from chatbot.domain import Thresholds
from chatbot.kb import index, knowledge
from chatbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
EVAL_FILE = ROOT / "tests" / "data" / "eval.yaml"


class FakeEncoder:
    """Bag of hashed words: the same words give the same vector, no model needed."""

    name = "fake"
    dims = 256

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                rows[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dims] += 1.0
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.clip(norms, 1e-12, None)


class SlowLoad:
    """A loader for `create_app(load=...)` that hands over `assistant` only once `finish()` is called, so the
    app can be seen still starting (bounded: it gives up waiting after 5 s)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self._gate = threading.Event()

    def __call__(self) -> Assistant:
        self._gate.wait(5)
        return self.assistant

    def finish(self) -> None:
        self._gate.set()


# The fake encoder's scores are nothing like the model's, so its tests use these fixed thresholds rather than
# the calibrated ones in knowledge/policy.yaml, which move whenever `chatbot calibrate` runs.
FAKE_THRESHOLDS = Thresholds(
    answer=0.7,
    margin=0.08,
    certain=1.0,
    out_of_scope_margin=0.14,
    lexical_weight=0.2,
    emergency=0.49,
    emergency_margin=0.01,
)


# With these the fake offers "did you mean" too: "will i be groggy after" gets three suggestions.
FAKE_CLARIFYING = dataclasses.replace(FAKE_THRESHOLDS, clarify=0.5)
CLARIFIED = "will i be groggy after"


def fake_assistant(kb: knowledge.KnowledgeBase, folder: Path, thresholds: Thresholds = FAKE_THRESHOLDS) -> Assistant:
    kb = dataclasses.replace(kb, thresholds=thresholds)
    encoder = FakeEncoder()
    labelled = index.keys_of(kb)
    labels = [label for label, _ in labelled]
    texts = [text for _, text in labelled]
    vectors = encoder.encode([normalise(t) for t in texts])
    manifest = index.Manifest("fake", "0" * 64, kb.fingerprint, {"keys": len(labels)}, "now", 0.0)
    index.write(folder, labels, texts, vectors, manifest, {})
    return Assistant(kb, index.read(folder), encoder, knowledge.fill(kb.messages, "555-0100"))


@pytest.fixture(autouse=True)
def private_var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unanswered questions recorded by a test go to its own folder, never the repo's var/."""
    monkeypatch.setenv("CHATBOT_VAR_DIR", str(tmp_path / "var"))


@pytest.fixture(scope="session")
def kb() -> knowledge.KnowledgeBase:
    return knowledge.load(KNOWLEDGE)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of the knowledge base that a test may break."""
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    return folder


@pytest.fixture(scope="session")
def fake(kb: knowledge.KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return fake_assistant(kb, tmp_path_factory.mktemp("fake-index"))


@pytest.fixture(scope="session")
def clarifying(kb: knowledge.KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The fake assistant with a "did you mean" band."""
    return fake_assistant(kb, tmp_path_factory.mktemp("clarifying-index"), FAKE_CLARIFYING)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose index is built once per session with the real model and its ONNX export."""
    from chatbot.kb.startup import ensure_ready

    settings = Settings(knowledge_dir=KNOWLEDGE, index_dir=tmp_path_factory.mktemp("index"), office_phone="555-0100")
    ensure_ready(settings)
    return settings


@pytest.fixture(scope="session")
def real(real_settings: Settings) -> Assistant:
    from chatbot.kb.startup import load_assistant

    return load_assistant(real_settings)


# -- private Redis and PostgreSQL servers, one of each per session ------------------------------

Server = TypeVar("Server", RedisServer, PostgresServer)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    yield from _private(RedisServer, find_redis(), "redis-server")


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, running (a test may have stopped it) and empty."""
    if not redis_server.running:
        redis_server.start()
    redis_server.flush()
    return redis_server.url


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    yield from _private(PostgresServer, find_postgres(), "postgresql")


def _private(server: type[Server], found: Any, package: str) -> Iterator[Server]:
    if found is None:
        pytest.skip(
            f"{package} is not installed and could not be: `make services` installs it (apt-get install {package})"
        )
    with server(found) as started:
        yield started


_databases = itertools.count(1)


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> str:
    """A new empty database on the session's PostgreSQL, running (a test may have stopped it)."""
    if not postgres_server.running:
        postgres_server.start()
    return postgres_server.create_database(f"test_{next(_databases)}")
