"""What the tests and the scripts (bench, loadtest) both need, written once.

A deterministic fake encoder and an assistant built on it; waiting until something is ready; a free
loopback port; a real `chatbot serve` to measure or test against, and questions asked of it one at a
time; reading a process's memory and libraries from /proc; timing a command or a call; and the few
formatting helpers the benchmark reports share.

It lives in `scripts/` because that folder is on the scripts' own `sys.path` (Python puts a script's
folder first) and on pytest's (`pythonpath = ["scripts"]` in pyproject.toml), so both import it as
`support` without installing anything or turning `tests/` into a package.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.client
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from chatbot.answering.assistant import Assistant
from chatbot.answering.normalise import normalise
from chatbot.domain import Thresholds
from chatbot.kb import index, knowledge, ngram_model
from chatbot.telemetry.events import log as event_log

if TYPE_CHECKING:
    import logging

    from fastapi.testclient import TestClient

QUESTION = "What is the cost?"  # answered by the `cost` entry in every version of the knowledge base
READY_LINE = "ready: "  # what each process serving answers logs once its assistant is loaded (holder.py)


# -- a fake model ------------------------------------------------------------------------------


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


def fake_assistant(
    kb: knowledge.KnowledgeBase,
    folder: Path,
    thresholds: Thresholds = FAKE_THRESHOLDS,
    encoder: FakeEncoder | None = None,
) -> Assistant:
    """An assistant over `kb` with a fake encoder (FakeEncoder unless given), its index written in `folder`."""
    kb = dataclasses.replace(kb, thresholds=thresholds)
    encoder = encoder or FakeEncoder()
    labelled = index.keys_of(kb)
    labels = [label for label, _ in labelled]
    texts = [text for _, text in labelled]
    vectors = encoder.encode([normalise(t) for t in texts])
    manifest = index.Manifest("fake", "0" * 64, kb.fingerprint, {"keys": len(labels)}, "now", 0.0)
    models = folder.parent / f"{folder.name}-ngrams"
    models.mkdir(parents=True, exist_ok=True)
    index.write(folder, labels, texts, vectors, manifest, ngram_model.write_all(ngram_model.train(labelled), models))
    return Assistant(kb, index.read(folder), encoder, knowledge.fill(kb.messages, "555-0100"))


# -- quality figures ---------------------------------------------------------------------------

# The evaluation figures the measuring scripts print side by side, as `Report.metrics()` names them.
QUALITY = ("right", "resolved", "wrong", "out_of_scope_answered", "out_of_scope_clarify", "false_alarms")


def quality_header(width: int = 13) -> str:
    """`QUALITY`'s names, shortened to fit `width` and right-aligned."""
    return " ".join(f"{name.replace('_', ' ').replace('out of scope', 'oos'):>{width}}" for name in QUALITY)


def quality_cells(metrics: Mapping[str, float], width: int = 13) -> str:
    """One report's `QUALITY` figures, right-aligned: shares as percentages, false alarms as a count (or a mean)."""
    return " ".join(
        f"{metrics[name]:>{width}g}" if name == "false_alarms" else f"{metrics[name]:>{width}.1%}" for name in QUALITY
    )


# -- waiting -----------------------------------------------------------------------------------


def until(check: Callable[[], bool], what: str, seconds: float = 60, every: float = 0.02) -> None:
    """Return once `check()` is true; raise TimeoutError naming `what` if it is not within `seconds`."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {seconds:g} s")
        time.sleep(every)


def ready(client: TestClient, seconds: float = 120) -> TestClient:
    """`client` once its app says it is ready (GET /readyz is 200: the assistant is loaded)."""
    until(lambda: client.get("/readyz").status_code == 200, "the app to be ready", seconds)
    return client


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the event log -----------------------------------------------------------------------------

EVENTS = event_log.name  # the one logger `chatbot.telemetry.events.emit` writes to


def logged(records: Sequence[logging.LogRecord], event: str) -> list[dict[str, Any]]:
    """The JSON lines of one kind of event (`reply`, `sms`, …) among captured log records, parsed."""
    lines = [json.loads(r.getMessage()) for r in records if r.name == EVENTS]
    return [line for line in lines if line["event"] == event]


# -- a real server -----------------------------------------------------------------------------


def chatbot_command() -> list[str]:
    """The `chatbot` command of the running interpreter's environment."""
    script = Path(sys.executable).with_name("chatbot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "chatbot"]


@contextmanager
def live_server(env: dict[str, str], workers: int, log_file: Path) -> Iterator[tuple[str, int]]:
    """`chatbot serve` on a free loopback port, ready to answer; stopped (and its workers with it) on exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log_file.open("w") as log:
        server = subprocess.Popen(
            [*chatbot_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            warm_up(url, server, workers, log_file)
            yield url, server.pid
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def warm_up(url: str, server: subprocess.Popen[bytes], workers: int, log_file: Path, seconds: float = 180) -> None:
    """Wait until every worker has said it is ready in the log, then until 20 answers per worker come in a row,
    each on a new connection. Answers alone are not enough: a worker still starting accepts no connection at
    all, so the first one up can give every answer while another is still loading."""
    import httpx

    deadline = time.monotonic() + seconds

    def check() -> None:
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"`chatbot serve --workers {workers}` did not become ready; see {log_file}.")

    while log_file.read_text(encoding="utf-8", errors="replace").count(READY_LINE) < workers:
        check()
        time.sleep(0.2)
    in_a_row = 0
    with httpx.Client(base_url=url, timeout=10) as client:
        while in_a_row < 20 * workers:
            check()
            try:
                response = client.post("/v1/ask", json={"question": QUESTION}, headers={"connection": "close"})
                in_a_row = in_a_row + 1 if response.status_code == 200 else 0
            except httpx.TransportError:
                in_a_row = 0
            if in_a_row == 0:
                time.sleep(0.2)


def sequential_load(url: str, questions: Sequence[str]) -> list[float]:
    """One keep-alive connection, one question at a time. The standard library's client: httpx spends
    1 to 2 ms of CPU a request of its own, which would be measured as the server's latency."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    times = []
    try:
        for question in questions:
            body = json.dumps({"question": question})
            started = time.perf_counter()
            connection.request("POST", "/v1/ask", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            times.append(time.perf_counter() - started)
            if response.status != 200:
                raise RuntimeError(f"POST /v1/ask answered {response.status}")
    finally:
        connection.close()
    return times


# -- processes, from /proc ---------------------------------------------------------------------


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces): state, parent, …"""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def alive(pid: int) -> bool:
    """Whether `pid` is running (not gone, not a zombie waiting for its parent)."""
    try:
        return _stat(pid)[0] != "Z"
    except (OSError, IndexError):
        return False


def descendants(pid: int) -> list[int]:
    """Live processes below `pid`: children, grandchildren, …"""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = _stat(stat.parent.name)
            if fields[0] != "Z":
                parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def rss_mib(pid: int) -> float:
    """Resident memory of `pid` in MiB (0 once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def maps(pid: int, library: str) -> bool:
    """Whether process `pid` has a file whose path contains `library` mapped in memory."""
    try:
        return library in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def memory(pid: int) -> dict[str, Any]:
    """Resident memory of the server process and of its descendants (the workers), from /proc."""
    processes = [pid, *descendants(pid)]
    resident = {p: rss_mib(p) for p in processes}
    # With one worker, uvicorn serves in the `chatbot serve` process itself; with more, in its children.
    serving = [p for p in processes if maps(p, "onnxruntime")]
    return {
        "largest_worker_mib": round(max(resident[p] for p in serving), 1),
        "total_mib": round(sum(resident.values()), 1),
        "processes": len(processes),
        "torch_loaded": any(maps(p, "/torch/") for p in processes),
    }


# -- timing ------------------------------------------------------------------------------------


class CommandFailed(SystemExit):
    """A command a script runs failed: uncaught, the script stops with its message; `error` is the chatbot
    command's own one-line "Error: …" (or its last line of output)."""

    def __init__(self, command: list[str], status: int, stderr: str):
        super().__init__(f"{' '.join(command)} failed (exit status {status}):\n{stderr}")
        self.command = command
        lines = [line for line in stderr.splitlines() if line.strip()] or [f"exit status {status}"]
        last = next((line for line in reversed(lines) if line.startswith("Error: ")), lines[-1])
        # The CLI prints a multi-line message on one line with its newlines escaped; the first is the headline.
        self.error = last.removeprefix("Error: ").split("\\x0a")[0].rstrip(":")


def timed_run(command: list[str], env: dict[str, str]) -> float:
    """Wall clock of one command, start to exit.

    Raises:
        CommandFailed: it exited with a status other than 0.
    """
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise CommandFailed(command, done.returncode, done.stderr)
    return elapsed


def timed(call: Callable[..., object], *args: object) -> float:
    """Wall clock of one call, in seconds."""
    started = time.perf_counter()
    call(*args)
    return time.perf_counter() - started


# -- reports -----------------------------------------------------------------------------------


def summary(seconds: Sequence[float]) -> dict[str, float]:
    """Count, median, p95 and p99 of timings given in seconds, in milliseconds."""
    median, p95, p99 = np.percentile(np.asarray(seconds) * 1000, [50, 95, 99])
    return {
        "n": len(seconds),
        "median": round(float(median), 3),
        "p95": round(float(p95), 3),
        "p99": round(float(p99), 3),
    }


def cpu_model() -> str:
    """The CPU's model name, for the record of where a measurement ran."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, columns padded to their widest cell."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def number(value: float) -> str:
    """A measurement to three significant figures (whole numbers from 100)."""
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def say(message: str) -> None:
    """Progress, on stderr, so stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)
