"""The encoder choices side by side, from one run: quality, milliseconds, MiB and build seconds.

    python scripts/encoders.py [--encoder NAME] [--knowledge DIR] [--out bench-encoders.json]   (or: make bench)

For each choice (the default pair: the packaged all-MiniLM-L6-v2, with a copy adapted to the knowledge base scoring
the entries, made by the first build that needs it; the packaged encoder alone; all-mpnet-base-v2 once `make mpnet` has
installed it in models/, and all-MiniLM-L6-v2 adapted with the hold once `make adapted` has made it; skipped
with a line saying so until then), on a temporary copy of the knowledge
base and a temporary index, so the checkout's knowledge/ and index/ are never written:

- build: a full `chatbot build`, then one after adding an alternate (the key cache holds every other key);
- quality: thresholds calibrated for that encoder on the tuning half (`calibrate.calibrate`, what
  `chatbot calibrate` runs), the held-out half judged with them;
- serving, with those thresholds: the in-process answer's median (`Assistant.ask`), the median of
  `POST /v1/ask` at concurrency 1 against `chatbot serve` (one worker), that process's resident memory,
  and a fresh `chatbot ask`; each against issue 14's bounds, pass or FAIL.

Timings share the machine with whatever else runs on it: compare columns of one run, not runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from support import (
    QUESTION,
    CommandFailed,
    chatbot_command,
    live_server,
    memory,
    number,
    say,
    sequential_load,
    table,
    timed,
    timed_run,
)

from chatbot.domain import Thresholds
from chatbot.errors import CalibrationFailed
from chatbot.kb.startup import load_assistant
from chatbot.quality import calibrate as calibration
from chatbot.quality import evaluate
from chatbot.settings import ADAPTED, Settings

ROOT = Path(__file__).resolve().parent.parent
EVAL_FILE = ROOT / "tests" / "data" / "eval.yaml"
SPANISH_EVAL_FILE = ROOT / "tests" / "data" / "eval-es.yaml"
WARMUP = 20
# The alternate a member of staff adds before the timed rebuild, after the first entry's own question.
ADDED_ALTERNATE = "{question} I am asking for my sister."


@dataclass(frozen=True)
class Choice:
    name: str
    model: str  # CHATBOT_MODEL: empty for the packaged default, else a sentence-transformers folder
    made_by: str = ""  # the make target that puts the folder in place
    answer_model: str = ""  # CHATBOT_ANSWER_MODEL: empty for `model` alone

    def missing(self) -> str | None:
        """Why this choice cannot be measured here, or None."""
        if self.model and not Path(self.model).is_dir():
            return f"{self.shown} is not installed (`make {self.made_by}` installs it)"
        return None

    @property
    def shown(self) -> str:
        """The model folder as a reader would type it: relative to the working folder when it is inside it."""
        return os.path.relpath(self.model) if Path(self.model).absolute().is_relative_to(Path.cwd()) else self.model


CHOICES = (
    Choice("all-MiniLM-L6-v2 + adapted for the entries", "", answer_model=ADAPTED),
    Choice("all-MiniLM-L6-v2 alone", ""),
    Choice("all-mpnet-base-v2", str(ROOT / "models" / "all-mpnet-base-v2"), "mpnet"),
    Choice("all-MiniLM-L6-v2 adapted", str(ROOT / "models" / "adapted"), "adapted"),
)


@dataclass(frozen=True)
class Bound:
    """One of issue 14's serving bounds, on one field of an encoder's results: at most `limit`."""

    field: str
    label: str
    limit: float


BOUNDS = (
    Bound("http_ms", "HTTP c=1, median ms", 50),
    Bound("http_over_answer", "HTTP c=1 ÷ in-process answer (medians)", 1.2),
    Bound("rss_mib", "serving process resident MiB", 700),
    Bound("fresh_ask_s", "fresh `chatbot ask`, median s", 2),
)


def verdicts(result: dict[str, Any]) -> dict[str, bool]:
    """Each serving bound's field -> whether the encoder's measurement keeps within it."""
    return {bound.field: result[bound.field] <= bound.limit for bound in BOUNDS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=200, help="Questions for the timings (default 200).")
    parser.add_argument("--fresh-runs", type=int, default=5, help="Fresh `chatbot ask` runs (default 5).")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge", help="Knowledge base folder.")
    parser.add_argument("--eval", type=Path, default=EVAL_FILE, help="Evaluation set.")
    parser.add_argument(
        "--encoder",
        action="append",
        choices=[choice.name for choice in CHOICES],
        help="Measure only this encoder (may be repeated; default every one).",
    )
    parser.add_argument("--out", type=Path, default=Path("bench-encoders.json"), help="Where to write the JSON.")
    args = parser.parse_args()
    questions = [case.question for case in evaluate.load_cases(args.eval)][: args.questions]
    choices = [choice for choice in CHOICES if not args.encoder or choice.name in args.encoder]
    comparison = compare(choices, args.knowledge, args.eval, questions, args.fresh_runs)
    print(render(comparison))
    args.out.write_text(json.dumps(comparison, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nWritten to {args.out}.")
    return 0


def compare(
    choices: Sequence[Choice], knowledge_dir: Path, eval_file: Path, questions: Sequence[str], fresh_runs: int
) -> dict[str, Any]:
    """Every choice measured in turn; one not installed, or that cannot build this knowledge base, is listed with
    the reason."""
    encoders: list[dict[str, Any]] = []
    for choice in choices:
        reason = choice.missing()
        if reason is None:
            try:
                encoders.append(measure(choice, knowledge_dir, eval_file, questions, fresh_runs))
                continue
            except CommandFailed as exc:
                reason = failed(choice, exc)
        say(f"Encoder {choice.name}: skipped, {reason}.")
        encoders.append(
            {"encoder": choice.name, "model": choice.model, "answer_model": choice.answer_model, "skipped": reason}
        )
    return {"questions": len(questions), "fresh_runs": fresh_runs, "encoders": encoders}


def failed(choice: Choice, exc: CommandFailed) -> str:
    """Why a choice could not be measured, from the `chatbot` command that failed with it."""
    step = exc.command[len(chatbot_command())]
    reason = f"`chatbot {step}` failed with it: {exc.error}"
    if step == "build":
        reason += f" (`CHATBOT_MODEL={choice.shown} chatbot check` lists the problems)"
    return reason


def measure(
    choice: Choice, knowledge_dir: Path, eval_file: Path, questions: Sequence[str], fresh_runs: int
) -> dict[str, Any]:
    """One encoder, from a full build to a fresh `chatbot ask`, in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="chatbot-encoders-") as scratch:
        copy = Path(scratch) / "knowledge"
        shutil.copytree(knowledge_dir, copy)
        settings = Settings(
            knowledge_dir=copy,
            index_dir=Path(scratch) / "index",
            var_dir=Path(scratch) / "var",
            model=choice.model,
            answer_model=choice.answer_model,
            threads=1,
            rate_limit="off",
            admin_token="",
        )
        env = settings.environment()
        build = [*chatbot_command(), "build"]
        say(f"Encoder {choice.name}: a full build …")
        build_s = timed_run(build, env)
        say(f"Encoder {choice.name}: a rebuild after adding one alternate …")
        with one_alternate_added(copy):
            rebuild_s = timed_run(build, env)
        timed_run(build, env)  # back to the knowledge base as it is, from the key cache
        say(f"Encoder {choice.name}: calibrating on the tuning half, judging the held-out half …")
        thresholds, heldout, failure = calibrated(settings, eval_file)
        calibration.write(thresholds, copy / calibration.POLICY_FILE)
        say(f"Encoder {choice.name}: in-process answers, HTTP at concurrency 1, {fresh_runs} fresh `chatbot ask` …")
        answer_ms = statistics.median(answer_times(settings, questions)) * 1000
        with live_server(env, 1, Path(scratch) / "serve.log") as (url, pid):
            http_ms = statistics.median(sequential_load(url, questions)) * 1000
            rss = memory(pid)["largest_worker_mib"]
        fresh = [timed_run([*chatbot_command(), "ask", QUESTION], env) for _ in range(fresh_runs)]
    result: dict[str, Any] = {
        "encoder": choice.name,
        "model": choice.model,
        "answer_model": choice.answer_model,
        "skipped": None,
        "build_s": round(build_s, 1),
        "rebuild_s": round(rebuild_s, 1),
        "calibration_failed": failure,
        "thresholds": {name: round(value, 4) for name, value in calibration.flat(thresholds).items()},
        "heldout": heldout,
        "answer_ms": round(answer_ms, 2),
        "http_ms": round(http_ms, 2),
        "http_over_answer": round(http_ms / answer_ms, 3),
        "rss_mib": rss,
        "fresh_ask_s": round(statistics.median(fresh), 2),
    }
    return result | {"bounds": verdicts(result)}


@contextmanager
def one_alternate_added(knowledge_dir: Path) -> Iterator[None]:
    """The knowledge base with one alternate more (after the first entry's own question), as staff edit it;
    `faq.yaml` restored word for word on exit."""
    faq = knowledge_dir / "faq.yaml"
    original = faq.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    entry = data["entries"][0]
    entry.setdefault("alternates", []).append(ADDED_ALTERNATE.format(question=entry["question"]))
    faq.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000), encoding="utf-8")
    try:
        yield
    finally:
        faq.write_text(original, encoding="utf-8")


def calibrated(settings: Settings, eval_file: Path) -> tuple[Thresholds, dict[str, float | int], str | None]:
    """Thresholds chosen for this encoder on the tuning half, the held-out half's metrics under them, and why
    calibration failed if it did (the held-out half is then judged with the copied policy's thresholds)."""
    assistant = load_assistant(settings)
    cases = evaluate.load_cases(eval_file)
    spanish = [evaluate.half(evaluate.load_cases(SPANISH_EVAL_FILE), evaluate.TUNE)]
    try:
        thresholds, failure = calibration.calibrate(assistant, evaluate.half(cases, evaluate.TUNE), spanish), None
    except CalibrationFailed as exc:
        thresholds, failure = assistant.thresholds, str(exc)
    observed = calibration.observe(assistant, evaluate.half(cases, evaluate.HELDOUT))
    metrics = calibration.report(assistant, observed, thresholds).metrics()
    del assistant
    gc.collect()
    return thresholds, metrics, failure


def answer_times(settings: Settings, questions: Sequence[str]) -> list[float]:
    """`Assistant.ask` on each question, after a warm-up, in seconds."""
    assistant = load_assistant(settings)
    for question in questions[:WARMUP]:
        assistant.ask(question)
    times = [timed(assistant.ask, question) for question in questions]
    del assistant
    gc.collect()
    return times


# The table's rows below the header: a label and how to show an encoder's value.
Cell = Callable[[dict[str, Any]], str]


def _share(name: str) -> Cell:
    return lambda result: f"{result['heldout'][name]:.1%}"


def _measured(name: str) -> Cell:
    return lambda result: number(result[name])


def _judged(bound: Bound) -> Cell:
    return lambda result: f"{number(result[bound.field])} {'pass' if verdicts(result)[bound.field] else 'FAIL'}"


ROWS: tuple[tuple[str, Cell], ...] = (
    ("held-out: answered right", _share("right")),
    ("held-out: resolved (right, or right among the suggestions)", _share("resolved")),
    ("held-out: wrong answers", _share("wrong")),
    ("held-out: out of scope answered", _share("out_of_scope_answered")),
    ("held-out: emergencies caught", _share("emergency_caught")),
    ("held-out: false alarms", lambda result: str(result["heldout"]["false_alarms"])),
    ("full build, s", _measured("build_s")),
    ("rebuild after adding one alternate, s", _measured("rebuild_s")),
    ("in-process answer, median ms", _measured("answer_ms")),
    *((f"{bound.label} (≤ {number(bound.limit)})", _judged(bound)) for bound in BOUNDS),
)


def _served_by_default(result: dict[str, Any]) -> bool:
    return not result["model"] and result.get("answer_model") == ADAPTED


def render(comparison: dict[str, Any]) -> str:
    """The measured encoders as columns of one table, then a line for each one skipped or not calibrated."""
    measured = [r for r in comparison["encoders"] if not r["skipped"]]
    header = ["", *(r["encoder"] + (" (default)" if _served_by_default(r) else "") for r in measured)]
    lines = [
        f"Encoder choices: quality on the held-out half with thresholds calibrated for each encoder on the tuning "
        f"half; timings over {comparison['questions']} questions, fresh `chatbot ask` median of "
        f"{comparison['fresh_runs']}.",
        "",
        table(header, [[label, *(cell(r) for r in measured)] for label, cell in ROWS]),
    ]
    lines += [f"{r['encoder']}: skipped, {r['skipped']}." for r in comparison["encoders"] if r["skipped"]]
    lines += [
        f"{r['encoder']}: calibration failed ({r['calibration_failed']}); judged with knowledge/policy.yaml's "
        "thresholds."
        for r in measured
        if r["calibration_failed"]
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
