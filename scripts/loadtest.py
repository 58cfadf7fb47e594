"""Load test: many patients at once, and the knowledge base reloaded while they ask.

    python scripts/loadtest.py [--requests 5000] [--concurrency 50] [--reloads 3] [--replicas 2]   (or: make loadtest)

Starts `chatbot serve` (one worker, rate limit off, an admin token) on a free 127.0.0.1 port over a
private copy of the knowledge base and its own index, then:

1. steady: N requests of `POST /v1/ask` at concurrency C, questions from the evaluation set;
2. reloading: the same, while the knowledge base is switched between two valid versions and
   `POST /admin/reload` is sent R times, spaced through the run. Version B is version A with one
   alternate added to an entry and a stricter answer threshold, so some questions get a different
   reply from each;
3. replicas: the same load spread evenly over R separate `chatbot serve` processes (one worker
   each) sharing one private Redis (the rate limit, on and counted there) and one private
   PostgreSQL (the unanswered questions), as several machines behind a load balancer would. Every
   fallback must be recorded in the shared database exactly once.

Every reply is compared with the reply the library gives in-process under version A and under
version B: in the steady phase it must be A's; while reloading, A's or B's whole (never anything
else), and the one the server last confirmed once a reload has answered. Any non-200, transport
error, reply that matches neither version, or reload that fails is an error, and the exit status is
1. It prints a table and writes the numbers to loadtest-results.json.

Bounded: the requests are counted, and one deadline (--deadline, default 600 s) covers the builds,
the load and the reloads; past it the test stops itself and reports failure. Only loopback traffic;
the servers started here are stopped here (SIGTERM, then SIGKILL), Redis and PostgreSQL included.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import gc
import json
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack, ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml
from servers import PostgresServer, RedisServer, find_postgres, find_redis
from support import chatbot_command, cpu_model, live_server, say, summary, table

from chatbot.answering.assistant import Assistant
from chatbot.kb.startup import load_assistant
from chatbot.quality.evaluate import load_cases
from chatbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PROBE = "zebra quantum marmalade"  # no entry answers this in version A; version B adds it to `wifi`
PROBE_ENTRY = "wifi"
# Asked often beside the evaluation set: near the probe, so that their replies depend on both the
# index (which holds the probe in B only) and the threshold (stricter in B).
PROBES = [PROBE, f"{PROBE} please", f"do you have {PROBE}", "quantum marmalade", "zebra marmalade wifi"]
STRICTER_BY = 0.05  # version B's `answer` threshold is this much higher
SCORE_TOLERANCE = 1e-3  # the same ONNX encoder in two processes: scores agree to rounding
# The replicas' rate limit: on (so every request is counted in Redis) but out of reach of the load,
# which all comes from one address.
REPLICAS_RATE = "1000000/minute"
OFFLINE = {"HF_HUB_OFFLINE": "1"}  # the children serve the packaged model: never ask the Hub


class DeadlinePassed(Exception):
    pass


@dataclass(frozen=True)
class Deadline:
    at: float

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise DeadlinePassed()
        return left


@dataclass
class Outcome:
    """One request: when it started, how long it took, and what came back."""

    question: str
    started: float
    seconds: float
    status: int | None = None
    reply: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class Reload:
    number: int
    to: str
    sent: float
    after_requests: int
    done: float | None = None
    status: int | None = None
    body: dict[str, Any] = field(default_factory=dict)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000, help="Requests per phase (default 5000).")
    parser.add_argument("--concurrency", type=int, default=50, help="Requests in flight at once (default 50).")
    parser.add_argument("--reloads", type=int, default=3, help="Reloads during the second phase (default 3).")
    parser.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="Replicas on one Redis and one PostgreSQL in the third phase (default 2; 0 skips it).",
    )
    parser.add_argument("--deadline", type=float, default=600.0, help="Seconds the whole test may take (default 600).")
    parser.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        help="An index folder already built for the knowledge base, copied instead of building one.",
    )
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge", help="Knowledge base folder (version A).")
    parser.add_argument(
        "--eval", type=Path, default=ROOT / "tests" / "data" / "eval.yaml", help="Where the questions come from."
    )
    parser.add_argument("--out", type=Path, default=Path("loadtest-results.json"), help="Where to write the JSON.")
    args = parser.parse_args()
    if args.requests < 1 or args.concurrency < 1 or args.reloads < 0 or args.replicas < 0:
        parser.error("--requests and --concurrency must be at least 1, --reloads and --replicas at least 0.")

    deadline = Deadline(time.monotonic() + args.deadline)
    results: dict[str, Any] = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "cpu": cpu_model(),
            "python": platform.python_version(),
            "load_average_before": round(os.getloadavg()[0], 2),
        },
        "requests": args.requests,
        "concurrency": args.concurrency,
        "reloads_asked": args.reloads,
        "deadline_s": args.deadline,
        "workers": 1,
        "replicas": args.replicas,
    }
    try:
        results.update(run(args, deadline))
    except DeadlinePassed:
        results["failures"] = [f"The deadline of {args.deadline:.0f} s passed; the test stopped itself."]
    except SystemExit as exc:  # bench.live_server: the server never became ready
        results["failures"] = [str(exc)]
    results["machine"]["load_average_after"] = round(os.getloadavg()[0], 2)
    failures = results["failures"] if "failures" in results else judge(results)
    results["failures"] = failures
    results["passed"] = not failures
    print(report(results))
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWritten to {args.out}.")
    return 0 if not failures else 1


def run(args: argparse.Namespace, deadline: Deadline) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="chatbot-loadtest-") as scratch_name:
        scratch = Path(scratch_name)
        versions = {"A": scratch / "knowledge-a", "B": scratch / "knowledge-b"}
        shutil.copytree(args.knowledge, versions["A"])
        shutil.copytree(args.knowledge, versions["B"])
        make_version_b(versions["B"])
        live, index_dir = scratch / "knowledge", scratch / "index"
        shutil.copytree(versions["A"], live)

        started = time.monotonic()
        if args.index_dir is not None:
            say(f"Copying the index in {args.index_dir} …")
            shutil.copytree(args.index_dir, index_dir, symlinks=True)
        for name in ("B", "A"):  # A last: it is current when the server starts
            say(f"Building (or reusing) the index of version {name} …")
            build(versions[name], index_dir, deadline)
        ready_s = time.monotonic() - started

        questions = [case.question for case in load_cases(args.eval)] + PROBES * 4
        random.Random(7).shuffle(questions)
        say(f"The library's replies to {len(set(questions))} questions under versions A and B …")
        expected, revealing = expected_replies(versions, index_dir, questions)
        distinguishing = sorted(q for q in set(questions) if not same(expected["A"][q], expected["B"][q]))
        say(
            f"{len(distinguishing)} questions get a different reply from A and from B; "
            + "; ".join(f"{n} would reveal {mix}" for mix, n in revealing.items())
            + "."
        )

        token = secrets.token_urlsafe(24)
        settings = Settings(
            knowledge_dir=live,
            index_dir=index_dir,
            var_dir=scratch / "var",
            threads=1,
            rate_limit="off",
            admin_token=token,
            model="",
        )
        say("Starting `chatbot serve` on 127.0.0.1 …")
        with live_server(settings.environment() | OFFLINE, 1, scratch / "serve.log") as (url, _pid):
            say(f"Steady: {args.requests} requests at concurrency {args.concurrency} …")
            steady = asyncio.run(load([url], questions, args, deadline))
            say(f"Reloading: {args.requests} requests at concurrency {args.concurrency}, {args.reloads} reloads …")
            plan = Reloader(url, token, live, versions, args.requests, args.reloads, deadline)
            reloading = asyncio.run(load([url], questions, args, deadline, plan))
        phases = {
            "steady": judge_phase(steady, expected, reloads=[]),
            "reloading": judge_phase(reloading, expected, reloads=plan.reloads),
        }
        if args.replicas:
            replicas = settings.model_copy(update={"knowledge_dir": versions["A"]})
            phases["replicas"] = replicas_phase(args, replicas, scratch, questions, expected, deadline)
        server_log = [
            line
            for log in sorted(scratch.glob("*.log"))
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
        ]
        worrying = [
            line
            for line in server_log
            if any(word in line for word in ("Traceback", "Error", "refused", "Cannot", "unreachable"))
        ]
        return {
            "indexes_ready_s": round(ready_s, 1),
            "questions": len(set(questions)),
            "distinguishing_questions": len(distinguishing),
            "questions_revealing_a_mix": revealing,
            "phases": phases,
            "reloads": [reload_summary(r) for r in plan.reloads],
            "server_log_worrying_lines": worrying[:20],
        }


def replicas_phase(
    args: argparse.Namespace,
    settings: Settings,
    scratch: Path,
    questions: Sequence[str],
    expected: dict[str, dict[str, dict[str, Any]]],
    deadline: Deadline,
) -> dict[str, Any]:
    """The load spread over `args.replicas` servers sharing one Redis and one PostgreSQL, all private to this run."""
    redis_binary, postgres_bin = find_redis(), find_postgres()
    if redis_binary is None or postgres_bin is None:
        raise SystemExit(
            "The replicas phase needs redis-server and PostgreSQL: `make services` installs them (or --replicas 0)."
        )
    say("Replicas: starting a private Redis and PostgreSQL …")
    with RedisServer(redis_binary) as redis_server, PostgresServer(postgres_bin) as postgres, ExitStack() as servers:
        database = postgres.create_database("chatbot")
        shared = {
            "limits_storage": redis_server.url,
            "database_url": database,
            "rate_limit": REPLICAS_RATE,
            "log_key": secrets.token_urlsafe(24),
        }
        urls = []
        for n in range(args.replicas):
            say(f"Starting replica {n + 1} of {args.replicas} …")
            replica = settings.model_copy(update=shared | {"var_dir": scratch / f"var-{n}"})
            url, _pid = servers.enter_context(
                live_server(replica.environment() | OFFLINE, 1, scratch / f"replica-{n + 1}.log")
            )
            urls.append(url)
        recorded_before = recorded_fallbacks(database)
        say(f"Replicas: {args.requests} requests at concurrency {args.concurrency} over {len(urls)} replicas …")
        phase = asyncio.run(load(urls, questions, args, deadline))
        import redis

        counted = sum(
            redis.Redis.from_url(redis_server.url).llen(key)
            for key in redis.Redis.from_url(redis_server.url).keys("LIMITS:*")
        )
        recorded = recorded_fallbacks(database) - recorded_before
    judged = judge_phase(phase, expected, reloads=[])
    fallbacks = sum(1 for o in phase["outcomes"] if o.reply is not None and o.reply.get("kind") == "fallback")
    return judged | {
        "replicas": len(urls),
        "fallbacks": fallbacks,
        "fallbacks_recorded": recorded,
        "rate_limit_hits_in_redis": counted,
    }


def recorded_fallbacks(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as db:
        found = db.execute("SELECT to_regclass('unanswered') IS NOT NULL").fetchone()
        if not found or not found[0]:
            return 0
        row = db.execute("SELECT count(*) FROM unanswered").fetchone()
        return int(row[0]) if row else 0


def make_version_b(folder: Path) -> None:
    """Version A with PROBE added to PROBE_ENTRY's alternates and a stricter `answer` threshold."""
    faq = folder / "faq.yaml"
    data = yaml.safe_load(faq.read_text(encoding="utf-8"))
    next(entry for entry in data["entries"] if entry["id"] == PROBE_ENTRY)["alternates"].append(PROBE)
    faq.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000), encoding="utf-8")
    policy = folder / "policy.yaml"
    data = yaml.safe_load(policy.read_text(encoding="utf-8"))
    data["policy"]["answer"] = round(data["policy"]["answer"] + STRICTER_BY, 4)
    policy.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def build(knowledge_dir: Path, index_dir: Path, deadline: Deadline) -> None:
    """`chatbot build`, unless the index folder already keeps a version for this knowledge base (e.g. from
    --index-dir)."""
    from chatbot.kb import index, knowledge
    from chatbot.kb.encoder import resolve_model, weights_sha256

    if index.find(index_dir, knowledge.load(knowledge_dir).fingerprint, weights_sha256(resolve_model(""))) is not None:
        return
    env = Settings(knowledge_dir=knowledge_dir, index_dir=index_dir).environment() | OFFLINE
    try:
        done = subprocess.run(
            [*chatbot_command(), "build"],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=deadline.remaining(),
        )
    except subprocess.TimeoutExpired:
        raise DeadlinePassed() from None
    if done.returncode != 0:
        raise SystemExit(f"`chatbot build` for {knowledge_dir} failed (exit status {done.returncode}):\n{done.stderr}")


def expected_replies(
    versions: dict[str, Path], index_dir: Path, questions: Sequence[str]
) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, int]]:
    """What the library answers in-process under each version, one reply object per question; and, for
    each way of mixing the two (one's knowledge base and thresholds with the other's index), how many
    questions would then get a reply matching neither version, i.e. how many can reveal that mix."""
    distinct = sorted(set(questions))
    a, b = (
        load_assistant(Settings(knowledge_dir=versions[name], index_dir=index_dir, threads=1)) for name in ("A", "B")
    )
    expected = {name: {q: assistant.ask(q).to_dict() for q in distinct} for name, assistant in (("A", a), ("B", b))}
    mixes = {
        "A's knowledge base with B's index": Assistant(a.kb, b.index, a.encoder, a.messages),
        "B's knowledge base with A's index": Assistant(b.kb, a.index, b.encoder, b.messages),
    }
    revealing = {
        label: sum(1 for q in distinct if not any(same(mix.ask(q).to_dict(), expected[v][q]) for v in ("A", "B")))
        for label, mix in mixes.items()
    }
    del a, b, mixes
    gc.collect()
    return expected, revealing


def same(reply: dict[str, Any], other: dict[str, Any]) -> bool:
    """The same reply: kind, entry and text exactly, score to rounding."""
    if (reply.get("kind"), reply.get("id"), reply.get("answer")) != (
        other.get("kind"),
        other.get("id"),
        other.get("answer"),
    ):
        return False
    if reply.get("score") is None or other.get("score") is None:
        return reply.get("score") is None and other.get("score") is None
    return abs(float(reply["score"]) - float(other["score"])) <= SCORE_TOLERANCE


class Reloader:
    """Sends the reloads, spaced evenly through the run, switching the live knowledge base between versions."""

    def __init__(
        self, url: str, token: str, live: Path, versions: dict[str, Path], requests: int, count: int, deadline: Deadline
    ):
        self.url, self.token, self.live, self.versions, self.deadline = url, token, live, versions, deadline
        self.marks = [requests * (n + 1) // (count + 1) for n in range(count)]
        self.reloads: list[Reload] = []

    async def run(self, answered: list[Outcome]) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=None) as admin:
            for number, mark in enumerate(self.marks, start=1):
                while len(answered) < mark:
                    self.deadline.remaining()
                    await asyncio.sleep(0.01)
                target = "B" if number % 2 else "A"
                switch_knowledge(self.versions[target], self.live)
                reload = Reload(number, target, time.monotonic(), len(answered))
                self.reloads.append(reload)
                response = await asyncio.wait_for(
                    admin.post("/admin/reload", headers={"Authorization": f"Bearer {self.token}"}),
                    self.deadline.remaining(),
                )
                reload.done, reload.status = time.monotonic(), response.status_code
                try:
                    reload.body = response.json()
                except ValueError:
                    reload.body = {"error": response.text[:200]}


def switch_knowledge(source: Path, live: Path) -> None:
    """Make `live` hold the files of `source` (the server reads them only when told to reload)."""
    for path in source.iterdir():
        staged = live / f".{path.name}.new"
        shutil.copyfile(path, staged)
        os.replace(staged, live / path.name)


async def load(
    urls: Sequence[str],
    questions: Sequence[str],
    args: argparse.Namespace,
    deadline: Deadline,
    reloader: Reloader | None = None,
) -> dict[str, Any]:
    """`args.requests` questions by `args.concurrency` clients, each client keeping to one of `urls` in turn;
    every outcome, and the phase's wall time."""
    todo = iter([questions[i % len(questions)] for i in range(args.requests)])
    outcomes: list[Outcome] = []
    # The clients stand in for a load balancer, which keeps idle connections 60 s (nginx, AWS), under the
    # servers' 130 s keep-alive so that it closes first. httpx's default of 5 s made a client starved for
    # 5 s close, as expired, a connection it had just handed to a request (encode/httpcore#1110): a ReadError.
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency, keepalive_expiry=60.0
    )
    async with AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30, limits=limits)) for url in urls
        ]

        async def one_client(client: httpx.AsyncClient) -> None:
            for question in todo:
                deadline.remaining()
                started = time.monotonic()
                outcome = Outcome(question, started, 0.0)
                try:
                    response = await asyncio.wait_for(
                        client.post("/v1/ask", json={"question": question}), min(30.0, deadline.remaining())
                    )
                    outcome.status = response.status_code
                    outcome.reply = response.json() if response.status_code == 200 else None
                    if response.status_code != 200:
                        outcome.error = f"HTTP {response.status_code}: {response.text[:200]}"
                except (TimeoutError, httpx.HTTPError, ValueError) as exc:
                    outcome.error = describe_error(exc)
                outcome.seconds = time.monotonic() - started
                outcomes.append(outcome)

        started = time.monotonic()
        askers = [one_client(clients[n % len(clients)]) for n in range(args.concurrency)]
        if reloader is not None:
            askers.append(reloader.run(outcomes))
        await asyncio.gather(*askers)
        elapsed = time.monotonic() - started
    return {"outcomes": outcomes, "seconds": elapsed, "ended": time.monotonic()}


def describe_error(exc: BaseException) -> str:
    """The exception and what caused it, e.g. "ReadError <- BrokenResourceError <- ConnectionResetError: [Errno 104]
    Connection reset by peer": httpx's own message is often empty, and the cause tells a reset from a close."""
    chain = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 5:
        chain.append(f"{type(seen).__name__}: {seen}" if str(seen) else type(seen).__name__)
        seen = seen.__cause__ or seen.__context__
    return " <- ".join(chain)


def judge_phase(
    phase: dict[str, Any], expected: dict[str, dict[str, dict[str, Any]]], reloads: list[Reload]
) -> dict[str, Any]:
    """Latencies, errors and consistency of one phase's outcomes.

    Each reply must be version A's or version B's whole. Once a reload has answered, a request sent
    afterwards (and before the next reload was sent) must get the version that reload installed.
    """
    outcomes: list[Outcome] = phase["outcomes"]
    errors = [o for o in outcomes if o.error is not None]
    mixed, stale, matched = [], [], {"A": 0, "B": 0, "both": 0}
    for outcome in outcomes:
        if outcome.reply is None:
            continue
        fits = {name for name in ("A", "B") if same(outcome.reply, expected[name][outcome.question])}
        if not fits:
            mixed.append(outcome)
            continue
        matched["both" if len(fits) == 2 else fits.pop()] += 1
        must = version_in_force(outcome.started, reloads)
        if must is not None and not same(outcome.reply, expected[must][outcome.question]):
            stale.append(outcome)
    answered = [o.seconds for o in outcomes if o.error is None]
    return {
        "requests": len(outcomes),
        "errors": len(errors),
        "error_examples": sorted({o.error for o in errors if o.error})[:5],
        "replies_matching_neither_version": len(mixed),
        "mixed_examples": [
            {"question": o.question, "reply": o.reply, "A": expected["A"][o.question], "B": expected["B"][o.question]}
            for o in mixed[:3]
        ],
        "replies_from_the_wrong_version": len(stale),
        "stale_examples": [{"question": o.question, "reply": o.reply} for o in stale[:3]],
        "replies_by_version": matched,
        "seconds": round(phase["seconds"], 2),
        "throughput_rps": round(len(outcomes) / phase["seconds"], 1) if phase["seconds"] else 0.0,
        "latency_ms": summary(answered) | {"max": round(max(answered) * 1000, 1)} if answered else {},
        "reloads_during_load": sum(1 for r in reloads if r.done is not None and r.done <= phase["ended"]),
    }


def version_in_force(started: float, reloads: list[Reload]) -> str | None:
    """The version a request sent at `started` must get, or None (either) if it was sent while a reload ran."""
    current = "A"
    for reload in reloads:
        if started < reload.sent:
            return current
        if reload.done is None or started < reload.done:
            return None
        if reload.status == 200:
            current = reload.to
    return current


def reload_summary(reload: Reload) -> dict[str, Any]:
    return {
        "number": reload.number,
        "to_version": reload.to,
        "after_requests": reload.after_requests,
        "status": reload.status,
        "seconds": None if reload.done is None else round(reload.done - reload.sent, 2),
        "reply": reload.body,
    }


def judge(results: dict[str, Any]) -> list[str]:
    failures = []
    for name, phase in results["phases"].items():
        if phase["requests"] != results["requests"]:
            failures.append(f"{name}: {phase['requests']} of {results['requests']} requests were sent.")
        for key in ("errors", "replies_matching_neither_version", "replies_from_the_wrong_version"):
            if phase[key]:
                failures.append(f"{name}: {phase[key]} {key.replace('_', ' ')}.")
    reloads = results["reloads"]
    if len(reloads) != results["reloads_asked"] or any(r["status"] != 200 for r in reloads):
        failures.append(f"reloads: {[r['status'] for r in reloads]} (wanted {results['reloads_asked']} times 200).")
    if results["phases"]["reloading"]["reloads_during_load"] != results["reloads_asked"]:
        failures.append(
            f"only {results['phases']['reloading']['reloads_during_load']} reloads finished while the load ran."
        )
    if results["reloads_asked"] and not results["distinguishing_questions"]:
        failures.append("no question tells version A from version B: consistency was not tested.")
    replicas = results["phases"].get("replicas")
    if replicas is not None and replicas["fallbacks_recorded"] != replicas["fallbacks"]:
        failures.append(
            f"replicas: {replicas['fallbacks']} fallbacks but {replicas['fallbacks_recorded']} rows in PostgreSQL."
        )
    return failures


def report(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        f"{results['date']} · {machine['cores']} cores ({machine['cpu']}) · Python {machine['python']} · load average "
        f"{machine['load_average_before']} before, {machine.get('load_average_after')} after"
    ]
    phases = results.get("phases", {})
    if phases:
        lines += [
            f"{results['questions']} distinct questions, "
            f"{results['distinguishing_questions']} answered differently by versions A and B; "
            + "; ".join(f"{n} would reveal {mix}" for mix, n in results["questions_revealing_a_mix"].items())
            + f". One worker; both versions' indexes ready in {results['indexes_ready_s']} s.",
            "",
            table(
                [
                    "phase",
                    "requests",
                    "concurrency",
                    "errors",
                    "neither version",
                    "wrong version",
                    "reloads",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "max ms",
                    "req/s",
                ],
                [
                    [
                        name,
                        str(p["requests"]),
                        str(results["concurrency"]),
                        str(p["errors"]),
                        str(p["replies_matching_neither_version"]),
                        str(p["replies_from_the_wrong_version"]),
                        str(p["reloads_during_load"]),
                        *(_ms(p["latency_ms"], key) for key in ("median", "p95", "p99", "max")),
                        str(p["throughput_rps"]),
                    ]
                    for name, p in phases.items()
                ],
            ),
            "",
            "Replies while reloading: "
            + ", ".join(
                f"{n} {'the same from both' if v == 'both' else 'only ' + v + ' gives'}"
                for v, n in phases["reloading"]["replies_by_version"].items()
            )
            + ".",
            "",
            table(
                ["reload", "to", "after request", "status", "seconds", "entries", "fingerprint"],
                [
                    [
                        str(r["number"]),
                        r["to_version"],
                        str(r["after_requests"]),
                        str(r["status"]),
                        str(r["seconds"]),
                        str(r["reply"].get("entries", "")),
                        str(r["reply"].get("fingerprint", r["reply"].get("error", "")))[:12],
                    ]
                    for r in results["reloads"]
                ],
            ),
        ]
    if "replicas" in phases:
        replicas = phases["replicas"]
        lines += [
            "",
            f"Replicas: {replicas['replicas']} `chatbot serve` processes (one worker each) on one Redis and one "
            f"PostgreSQL; {replicas['fallbacks']} fallbacks, {replicas['fallbacks_recorded']} rows recorded in "
            f"PostgreSQL; {replicas['rate_limit_hits_in_redis']} rate-limit hits counted in Redis "
            "(its window: one minute).",
        ]
    lines += ["", "PASS" if results["passed"] else "FAIL:\n" + "\n".join(f"  - {f}" for f in results["failures"])]
    return "\n".join(lines)


def _ms(latency: dict[str, float], key: str) -> str:
    value = latency.get(key)
    return "-" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.3g}"


if __name__ == "__main__":
    sys.exit(main())
