"""Benchmark the answering path in one run, against the targets of issue 6.

    python scripts/bench.py [--questions N] [--out bench-results.json]     (or: make bench)

On the evaluation set's questions it measures: a fresh `chatbot build` into a temporary folder; one
sentence-transformers encode per question (the reference, torch with every core, as the issue
measured it); the serving encoder (ONNX, CHATBOT_THREADS=1); in-process answering (`Assistant.ask`);
HTTP `POST /v1/ask` at concurrency 1 (the standard library's client, one keep-alive connection) and
16 (wrk, which `make bench` installs) against `chatbot serve` on 127.0.0.1 with one worker and with
two; each server's resident memory; and a fresh `chatbot ask` (a few runs). It prints medians, p95
and p99 and the issue's ratios with pass/fail. Then the encoder choices side by side (`encoders.py`:
build seconds, held-out quality with thresholds calibrated for each, milliseconds and MiB against
issue 14's serving bounds). It writes all of it as JSON.

Everything runs on loopback and stops by itself: each load phase is bounded in time, and every
server started here is stopped here. Timings share the machine with whatever else runs on it (the
load average is recorded): compare ratios from one run, not numbers across runs.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import encoders
from support import (
    QUESTION,
    chatbot_command,
    cpu_model,
    descendants,
    live_server,
    memory,
    number,
    say,
    sequential_load,
    summary,
    table,
    timed,
    timed_run,
)

from chatbot.answering.normalise import normalise
from chatbot.kb.encoder import SentenceTransformerEncoder, resolve_model
from chatbot.kb.startup import load_assistant
from chatbot.quality.evaluate import load_cases
from chatbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CORES = os.cpu_count() or 1
FRESH_QUESTION = QUESTION
CONCURRENCY = 16
WARMUP = 20
MIN_QUESTIONS = 100


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    bound: float | None  # None: reported, no bound
    at_most: bool
    unit: str = ""

    @property
    def passed(self) -> bool | None:
        if self.bound is None:
            return None
        return self.value <= self.bound if self.at_most else self.value >= self.bound

    def row(self) -> list[str]:
        bound = "report" if self.bound is None else f"{'≤' if self.at_most else '≥'} {number(self.bound)}{self.unit}"
        result = {True: "pass", False: "FAIL", None: "—"}[self.passed]
        return [self.name, f"{number(self.value)}{self.unit}", bound, result]

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": round(self.value, 4),
            "bound": self.bound,
            "at_most": self.at_most,
            "unit": self.unit.strip(),
            "passed": self.passed,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--questions",
        type=int,
        default=500,
        help=f"How many evaluation questions (default 500; 0 for all; at least {MIN_QUESTIONS}).",
    )
    parser.add_argument(
        "--load-seconds", type=float, default=10.0, help="How long each concurrency-16 phase runs (default 10)."
    )
    parser.add_argument("--fresh-runs", type=int, default=5, help="Fresh `chatbot ask` runs (default 5).")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge", help="Knowledge base folder.")
    parser.add_argument("--eval", type=Path, default=ROOT / "tests" / "data" / "eval.yaml", help="Evaluation set.")
    parser.add_argument(
        "--encoder-questions",
        type=int,
        default=200,
        help="Questions for each encoder choice's timings (default 200); 0 leaves the encoder comparison out.",
    )
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"), help="Where to write the JSON.")
    args = parser.parse_args()

    questions = [case.question for case in load_cases(args.eval)]
    questions = questions[: args.questions] if args.questions else questions
    if len(questions) < MIN_QUESTIONS:
        parser.error(f"--questions is {len(questions)}; the benchmark needs at least {MIN_QUESTIONS}.")
    if os.getloadavg()[0] > CORES / 2:
        say(
            f"warning: load average {os.getloadavg()[0]:.1f} on {CORES} cores: other work is running; "
            "timings will be inflated."
        )
    results = measure(args, questions)
    targets = targets_of(results)
    results["targets"] = [t.to_dict() for t in targets]
    print(report(results, targets), flush=True)
    if args.encoder_questions:
        say("Encoder choices side by side (scripts/encoders.py) …")
        results["encoders"] = encoders.compare(
            encoders.CHOICES, args.knowledge, args.eval, questions[: args.encoder_questions], args.fresh_runs
        )
        print("\n" + encoders.render(results["encoders"]))
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWritten to {args.out}.")
    return 0


def measure(args: argparse.Namespace, questions: Sequence[str]) -> dict[str, Any]:
    """Every measurement, on a fresh index built in a temporary folder."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="chatbot-bench-") as scratch:
        settings = Settings(
            knowledge_dir=args.knowledge.absolute(),
            index_dir=Path(scratch) / "index",
            var_dir=Path(scratch) / "var",
            threads=1,
            rate_limit="off",
            admin_token="",
        )
        env = settings.environment()
        say(f"Building the index for {settings.knowledge_dir} …")
        build_seconds = timed_run([*chatbot_command(), "build"], env)
        say(f"Serving encoder and in-process answering, {len(questions)} questions …")
        encoder_times, ask_times, encoder_name = serving_timings(settings, questions)
        say(f"sentence-transformers (torch, {CORES} threads), {len(questions)} questions …")
        reference_times = reference_timings(settings, questions, CORES)
        servers = {workers: http_phase(env, workers, questions, args, Path(scratch)) for workers in (1, 2)}
        say(f"Fresh `chatbot ask`, {args.fresh_runs} runs …")
        fresh = [timed_run([*chatbot_command(), "ask", FRESH_QUESTION], env) for _ in range(args.fresh_runs)]

    series = {
        f"sentence-transformers encode (torch, {CORES} threads)": summary(reference_times),
        f"serving encoder ({encoder_name})": summary(encoder_times),
        "in-process answer (Assistant.ask)": summary(ask_times),
    }
    for workers, server in servers.items():
        series[f"HTTP c=1, {_workers(workers)}"] = server.pop("c1")
        series[f"HTTP c={CONCURRENCY}, {_workers(workers)}"] = server.pop("c16")
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "cores": CORES,
            "cpu": cpu_model(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_before": round(load_before, 2),
            "load_average_after": round(os.getloadavg()[0], 2),
        },
        "questions": len(questions),
        "timings_ms": series,
        "fresh_ask_s": [round(s, 3) for s in fresh],
        "build_s": round(build_seconds, 2),
        "ideal_rps": round(CORES / statistics.median(encoder_times), 1),
        "servers": {_workers(w): server for w, server in servers.items()},
    }


def targets_of(results: dict[str, Any]) -> list[Target]:
    """The issue's ratios and bounds, from one run's measurements."""
    medians = {name: timing["median"] / 1000 for name, timing in results["timings_ms"].items()}
    reference = medians[f"sentence-transformers encode (torch, {CORES} threads)"]
    encoder = next(value for name, value in medians.items() if name.startswith("serving encoder"))
    servers = results["servers"]
    return [
        Target(
            "HTTP c=1 median ÷ one sentence-transformers encode", medians["HTTP c=1, 1 worker"] / reference, 0.6, True
        ),
        Target(
            "in-process answer ÷ encoder (medians)", medians["in-process answer (Assistant.ask)"] / encoder, 1.2, True
        ),
        Target(
            f"throughput c={CONCURRENCY}, 2 workers ÷ (cores ÷ encoder time)",
            servers["2 workers"]["throughput_rps"] / (CORES / encoder),
            0.7,
            False,
        ),
        Target(
            f'fresh `chatbot ask "{FRESH_QUESTION}"` (median of {len(results["fresh_ask_s"])})',
            statistics.median(results["fresh_ask_s"]),
            1.5,
            True,
            " s",
        ),
        Target(
            "serving process RSS (largest worker)",
            max(s["rss"]["largest_worker_mib"] for s in servers.values()),
            350,
            True,
            " MiB",
        ),
        Target("`chatbot build`, whole knowledge base", results["build_s"], None, True, " s"),
    ]


def http_phase(
    env: dict[str, str], workers: int, questions: Sequence[str], args: argparse.Namespace, scratch: Path
) -> dict[str, Any]:
    """Latencies at concurrency 1 and 16, throughput, CPU per request and memory of `chatbot serve --workers N`."""
    say(f"HTTP against `chatbot serve --workers {workers}` …")
    with live_server(env, workers, scratch / f"serve-{workers}.log") as (url, pid):
        c1 = summary(sequential_load(url, questions))
        server_before = cpu_seconds([pid, *descendants(pid)])
        c16, rate, client_cpu = concurrent_load(url, questions, args.load_seconds, scratch)
        server_cpu = cpu_seconds([pid, *descendants(pid)]) - server_before
        return {
            "c1": c1,
            "c16": c16,
            "throughput_rps": round(rate, 1),
            "cpu_ms_per_request": {
                "server": round(server_cpu / c16["n"] * 1000, 2),
                "load_generator": round(client_cpu / c16["n"] * 1000, 2),
            },
            "rss": memory(pid),
        }


def serving_timings(settings: Settings, questions: Sequence[str]) -> tuple[list[float], list[float], str]:
    """The serving encoder's time and `Assistant.ask`'s, interleaved question by question."""
    assistant = load_assistant(settings)
    texts = [normalise(q) for q in questions]
    for question, text in zip(questions[:WARMUP], texts[:WARMUP], strict=True):
        assistant.encoder.encode([text])
        assistant.ask(question)
    encoder_times, ask_times = [], []
    for question, text in zip(questions, texts, strict=True):
        encoder_times.append(timed(assistant.encoder.encode, [text]))
        ask_times.append(timed(assistant.ask, question))
    name = type(assistant.encoder).__name__.removesuffix("Encoder").lower() + f", {settings.threads} thread"
    return encoder_times, ask_times, name


def reference_timings(settings: Settings, questions: Sequence[str], threads: int) -> list[float]:
    reference = SentenceTransformerEncoder(resolve_model(settings.model), threads)
    texts = [normalise(q) for q in questions]
    for text in texts[:WARMUP]:
        reference.encode([text])
    times = [timed(reference.encode, [text]) for text in texts]
    del reference
    gc.collect()
    return times


# wrk cycles through the questions and reports its own percentiles (in microseconds) as one JSON line.
_WRK_SCRIPT = """
local bodies = {%s}
local next_body = 0
request = function()
  next_body = next_body %% #bodies + 1
  return wrk.format("POST", "/v1/ask", {["Content-Type"] = "application/json"}, bodies[next_body])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\n{"requests": %%d, "seconds": %%f, "errors": %%d, "non_2xx": %%d, '
    .. '"p50": %%d, "p95": %%d, "p99": %%d}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def concurrent_load(
    url: str, questions: Sequence[str], seconds: float, scratch: Path
) -> tuple[dict[str, float], float, float]:
    """CONCURRENCY connections asking for `seconds` through wrk (a C load generator, so the two cores go to the
    server rather than to a Python client): latencies, requests/s, and wrk's own CPU seconds."""
    script = scratch / "ask.lua"
    script.write_text(
        _WRK_SCRIPT % ", ".join(_lua_string(json.dumps({"question": q})) for q in questions), encoding="utf-8"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = subprocess.run(
        ["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{seconds:g}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(output.strip().splitlines()[-1])
    if result["errors"] or result["non_2xx"]:
        raise RuntimeError(f"wrk saw {result['errors']} socket errors and {result['non_2xx']} non-2xx replies")
    latency = {
        "n": result["requests"],
        **{k: round(result[p] / 1000, 3) for k, p in (("median", "p50"), ("p95", "p95"), ("p99", "p99"))},
    }
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return latency, result["requests"] / result["seconds"], cpu


def _lua_string(text: str) -> str:
    """A Lua long-bracket string: no escapes to get wrong."""
    if "]==]" in text:
        raise ValueError(f"cannot quote {text!r} for Lua")
    return f"[==[{text}]==]"


def cpu_seconds(pids: Sequence[int]) -> float:
    """User and system CPU time the processes have used so far (threads included), from /proc."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def report(results: dict[str, Any], targets: list[Target]) -> str:
    machine, servers = results["machine"], results["servers"]
    lines = [
        f"{results['date']} · {machine['cores']} cores ({machine['cpu']}) · Python {machine['python']} · "
        f"load average {machine['load_average_before']} before, {machine['load_average_after']} after · "
        f"{results['questions']} questions",
        "",
        table(
            ["measurement", "n", "median ms", "p95 ms", "p99 ms"],
            [
                [name, str(t["n"]), number(t["median"]), number(t["p95"]), number(t["p99"])]
                for name, t in results["timings_ms"].items()
            ],
        ),
        "",
        f"Throughput at c={CONCURRENCY}: "
        + ", ".join(f"{name}: {s['throughput_rps']} req/s" for name, s in servers.items())
        + f"; cores ÷ encoder time: {results['ideal_rps']} req/s.",
        f"CPU per request at c={CONCURRENCY}: "
        + "; ".join(
            f"{name}: server {s['cpu_ms_per_request']['server']} ms, "
            f"load generator {s['cpu_ms_per_request']['load_generator']} ms"
            for name, s in servers.items()
        )
        + " (the load generator shares the cores).",
        "Resident memory: "
        + "; ".join(
            f"{name}: largest worker {s['rss']['largest_worker_mib']} MiB, all {s['rss']['processes']} processes "
            f"{s['rss']['total_mib']} MiB{', torch loaded' if s['rss']['torch_loaded'] else ''}"
            for name, s in servers.items()
        )
        + ".",
        f"Fresh `chatbot ask` runs (s): {', '.join(number(s) for s in results['fresh_ask_s'])}.",
        "",
        table(["target", "measured", "bound", "result"], [t.row() for t in targets]),
    ]
    return "\n".join(lines)


def _workers(count: int) -> str:
    return f"{count} worker{'s' if count > 1 else ''}"


if __name__ == "__main__":
    sys.exit(main())
