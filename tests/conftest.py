"""Shared fixtures: a deterministic fake encoder for fast tests, and one real build per session."""

from __future__ import annotations

import dataclasses
import itertools
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from servers import PostgresServer, RedisServer, find_postgres, find_redis
from support import FAKE_THRESHOLDS, fake_assistant

from chatbot.answering.assistant import Assistant
from chatbot.kb import knowledge
from chatbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
EVAL_FILE = ROOT / "tests" / "data" / "eval.yaml"


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


# With these the fake offers "did you mean" too: "will i be dizzy afterwards" gets three suggestions.
FAKE_CLARIFYING = dataclasses.replace(FAKE_THRESHOLDS, clarify=0.5)
CLARIFIED = "will i be dizzy afterwards"


@pytest.fixture(autouse=True)
def private_var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unanswered questions recorded by a test go to its own folder, never the repo's var/."""
    monkeypatch.setenv("CHATBOT_VAR_DIR", str(tmp_path / "var"))


@pytest.fixture(autouse=True)
def no_spanish_index_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that builds an index of its own builds it without the Spanish encoder's (CHATBOT_SPANISH_MODEL): that
    one takes a minute to build fresh. `real_settings` serve it, as a clinic's do, and so do the settings of every
    test that copies their indexes."""
    monkeypatch.setenv("CHATBOT_SPANISH_MODEL", "")


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
    """Settings whose indexes (the packaged encoder's, the answer encoder's and the Spanish encoder's, beside it) are
    built once per session with the real models and their ONNX exports."""
    from chatbot.kb.startup import answer_model_for, ensure_ready, spanish_model_for

    settings = Settings(
        knowledge_dir=KNOWLEDGE,
        index_dir=tmp_path_factory.mktemp("index"),
        office_phone="555-0100",
        spanish_model="e5",
    )
    kb, _, _ = ensure_ready(settings)
    answer_model_for(kb, settings)
    spanish_model_for(kb, settings)
    return settings


def copy_indexes(built: Settings, index_dir: Path, copy_function: Any = shutil.copy2) -> None:
    """Copy `built`'s indexes (and their key caches) to `index_dir` and to where settings with that `index_dir` keep
    the answer and Spanish indexes."""
    moved = built.model_copy(update={"index_dir": index_dir})
    shutil.copytree(built.index_dir, index_dir, symlinks=True, copy_function=copy_function)
    for beside in (Settings.for_answers, Settings.for_spanish):
        source, copied = beside(built), beside(moved)
        assert source is not None and copied is not None, "the session's settings serve every encoder"
        shutil.copytree(source.index_dir, copied.index_dir, symlinks=True, copy_function=copy_function)


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
