"""`chatbot eval`: how often real patients' wording gets the right answer, and how rarely anything else does.

The evaluation set (`tests/data/eval.yaml`) has five groups: `in_scope` (with the ids that answer
each question), `out_of_scope` (by kind), `emergency`, `not_emergency` (scary words, no
emergency; with ids when the clinic answers them, else []) and `smalltalk` (with the intent each
message should get the office's small-talk reply for). Each question falls once and for
all into the tuning half or the held-out half by a seeded hash of its text, so adding questions
never reshuffles the others and calibration never sees the held-out half.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from chatbot.domain import Kind, Reply
from chatbot.errors import EvalSetError

SPLIT_SEED = "clinic-eval-2026"
TUNE, HELDOUT = "tune", "heldout"
OTHER_LANGUAGES = "other_languages"  # the group of a blind Spanish set's emergencies in other languages
ORDINARY = "ordinary"  # an ordinary message that only must not raise the alarm (the blind emergency sets)


@dataclass(frozen=True)
class Case:
    question: str
    category: str  # in_scope, out_of_scope, emergency, not_emergency, smalltalk
    ids: tuple[str, ...] = ()  # the entries that answer it; for small talk, its intent
    group: str = ""

    @property
    def half(self) -> str:
        return half_of(self.question)

    @property
    def answerable(self) -> bool:
        return bool(self.ids)


@dataclass(frozen=True)
class Result:
    case: Case
    reply: Reply
    # right, wrong, suggested (the right entry among "did you mean"), clarified (a "did you mean" without it),
    # fallback, answered, smalltalk, chatted (small talk with the right intent), false-alarm, caught, missed, calm (an
    # ordinary message of a blind emergency set left without the alarm)
    outcome: str


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    def count(self, outcome: str, where: Callable[[Case], bool] = lambda c: True) -> int:
        return sum(1 for r in self.results if r.outcome == outcome and where(r.case))

    def total(self, where: Callable[[Case], bool]) -> int:
        return sum(1 for r in self.results if where(r.case))

    def metrics(self) -> dict[str, float | int]:
        answerable = self.total(_answerable)
        unanswerable = self.total(_unanswerable)
        emergencies = self.total(_emergency)
        ordinary = self.total(lambda c: c.category != "emergency")
        smalltalk = self.total(_smalltalk)
        return {
            "questions": len(self.results),
            "in_scope": answerable,
            "right": _rate(self.count("right"), answerable),
            "resolved": _rate(self.count("right") + self.count("suggested"), answerable),
            "clarify": _rate(self.count("suggested") + self.count("clarified", _answerable), answerable),
            "wrong": _rate(self.count("wrong", _answerable), answerable),
            "in_scope_fallback": _rate(
                self.count("fallback", _answerable) + self.count("smalltalk", _answerable), answerable
            ),
            "out_of_scope": unanswerable,
            "out_of_scope_answered": _rate(self.count("answered", _unanswerable), unanswerable),
            "out_of_scope_clarify": _rate(self.count("clarified", _unanswerable), unanswerable),
            "smalltalk_messages": smalltalk,
            "smalltalk": _rate(self.count("chatted"), smalltalk),
            "emergencies": emergencies,
            "emergency_caught": _rate(self.count("caught"), emergencies),
            "ordinary": ordinary,
            "false_alarms": self.count("false-alarm"),
        }

    def table(self) -> list[tuple[str, int, Counter[str]]]:
        """Per category and group: how many questions, and how each ended."""
        rows: dict[str, Counter[str]] = {}
        for result in self.results:
            name = result.case.category + (f"/{result.case.group}" if result.case.group else "")
            rows.setdefault(name, Counter())[result.outcome] += 1
        return [(name, sum(counts.values()), counts) for name, counts in rows.items()]

    def misses(self, heldout: bool = False) -> list[Result]:
        """The questions that went wrong: of the tuning half only, unless `heldout` asks for the others too,
        because reading the held-out half's misses is how it quietly becomes a second tuning half."""
        return [
            r
            for r in self.results
            if r.outcome in {"wrong", "fallback", "clarified", "smalltalk", "answered", "false-alarm", "missed"}
            and (r.case.answerable or r.outcome in {"answered", "false-alarm", "missed"})
            and (heldout or r.case.half == TUNE)
        ]


def _answerable(case: Case) -> bool:
    return case.category in {"in_scope", "not_emergency"} and case.answerable


def _unanswerable(case: Case) -> bool:
    return case.category in {"out_of_scope", "not_emergency"} and not case.answerable and case.group != ORDINARY


def _smalltalk(case: Case) -> bool:
    return case.category == "smalltalk"


def _emergency(case: Case) -> bool:
    return case.category == "emergency"


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def load_cases(path: Path) -> list[Case]:
    """Read an evaluation file.

    Raises:
        EvalSetError: naming the file and the item that is wrong.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise EvalSetError(f"{path}: cannot read the evaluation set: {exc}") from exc
    cases: list[Case] = []
    for item in data.get("in_scope", []):
        cases.append(_with_ids(path, "in_scope", item))
    # An ordinary message with scary words is either a question with the ids that answer it, or, in the blind
    # emergency sets, the bare text: whatever it gets is fine but the emergency message.
    for item in data.get("not_emergency", []):
        if isinstance(item, str):
            cases.append(Case(_text(path, "not_emergency", item), "not_emergency", (), ORDINARY))
        else:
            cases.append(_with_ids(path, "not_emergency", item))
    for item in data.get("smalltalk", []):
        if not isinstance(item, dict) or not isinstance(item.get("intent"), str):
            raise EvalSetError(f"{path}: smalltalk item {item!r} needs 'q' and 'intent'")
        cases.append(Case(_text(path, "smalltalk", item.get("q")), "smalltalk", (item["intent"],)))
    out_of_scope = data.get("out_of_scope", {})
    for group, questions in out_of_scope.items() if isinstance(out_of_scope, dict) else [("", out_of_scope)]:
        cases += [Case(_text(path, "out_of_scope", q), "out_of_scope", (), group) for q in questions]
    cases += [Case(_text(path, "emergency", q), "emergency") for q in data.get("emergency", [])]
    # The blind Spanish sets also hold messages in other languages, as text or {lang, text}.
    elsewhere = data.get("other_languages", {})
    if not isinstance(elsewhere, dict):
        raise EvalSetError(
            f"{path}: other_languages needs a mapping of 'emergency' and 'not_emergency' lists, got {elsewhere!r:.80}"
        )
    for category in ("emergency", "not_emergency"):
        for item in elsewhere.get(category, []):
            text = item.get("text") if isinstance(item, dict) else item
            cases.append(
                Case(
                    _text(path, category, text), category, (), OTHER_LANGUAGES if category == "emergency" else ORDINARY
                )
            )
    if not cases:
        raise EvalSetError(f"{path}: no questions found")
    return cases


def _with_ids(path: Path, category: str, item: object) -> Case:
    if not isinstance(item, dict) or not isinstance(item.get("ids"), list):
        raise EvalSetError(f"{path}: {category} item {item!r} needs 'q' and 'ids' (a list)")
    return Case(_text(path, category, item.get("q")), category, tuple(item["ids"]))


def _text(path: Path, category: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise EvalSetError(f"{path}: {category} has an item that is not a question: {value!r}")
    return value


def half_of(text: str) -> str:
    """The half a text falls into, once and for all: a seeded hash of the text itself."""
    digest = hashlib.sha256(f"{SPLIT_SEED}:{text}".encode()).digest()
    return TUNE if digest[0] % 2 == 0 else HELDOUT


def half(cases: Iterable[Case], name: str | None) -> list[Case]:
    return [c for c in cases if name is None or c.half == name]


def judge(case: Case, reply: Reply) -> str:
    """How one reply did against what the case expects."""
    if case.category == "emergency":
        return "caught" if reply.kind is Kind.EMERGENCY else "missed"
    if reply.kind is Kind.EMERGENCY:
        return "false-alarm"
    if case.group == ORDINARY:
        return "calm"
    if case.category == "smalltalk":
        return _judge_smalltalk(case, reply)
    if reply.kind is Kind.SMALLTALK:
        return "smalltalk"
    if reply.kind is Kind.CLARIFY:
        offered = {s.id for s in reply.suggestions or ()}
        return "suggested" if case.answerable and offered & set(case.ids) else "clarified"
    if reply.kind is not Kind.ANSWER:
        return "fallback"
    if not case.answerable:
        return "answered"
    return "right" if reply.id in case.ids else "wrong"


def _judge_smalltalk(case: Case, reply: Reply) -> str:
    if reply.kind is Kind.SMALLTALK:
        return "chatted" if reply.id in case.ids else "wrong"
    return {Kind.ANSWER: "answered", Kind.CLARIFY: "clarified"}.get(reply.kind, "fallback")


def run(ask: Callable[[str], Reply], cases: Iterable[Case]) -> Report:
    report = Report()
    for case in cases:
        reply = ask(case.question)
        report.results.append(Result(case, reply, judge(case, reply)))
    return report


@dataclass(frozen=True)
class Bounds:
    """The floors `chatbot eval` enforces with its exit status."""

    min_right: float = 0.0
    max_wrong: float = 1.0
    max_out_of_scope: float = 1.0
    min_emergency: float = 0.0
    max_false_alarms: int = 1_000_000
    min_resolved: float = 0.0
    max_out_of_scope_clarify: float = 1.0
    min_smalltalk: float = 0.0

    def failures(self, metrics: dict[str, float | int]) -> list[str]:
        checks = [
            (metrics["resolved"] >= self.min_resolved, f"resolved {metrics['resolved']:.1%} < {self.min_resolved:.1%}"),
            (
                metrics["out_of_scope_clarify"] <= self.max_out_of_scope_clarify,
                f"out-of-scope clarified {metrics['out_of_scope_clarify']:.1%} > {self.max_out_of_scope_clarify:.1%}",
            ),
            (
                metrics["smalltalk"] >= self.min_smalltalk,
                f"small talk {metrics['smalltalk']:.1%} < {self.min_smalltalk:.1%}",
            ),
            (metrics["right"] >= self.min_right, f"right {metrics['right']:.1%} < {self.min_right:.1%}"),
            (metrics["wrong"] <= self.max_wrong, f"wrong {metrics['wrong']:.1%} > {self.max_wrong:.1%}"),
            (
                metrics["out_of_scope_answered"] <= self.max_out_of_scope,
                f"out-of-scope answered {metrics['out_of_scope_answered']:.1%} > {self.max_out_of_scope:.1%}",
            ),
            (
                metrics["emergency_caught"] >= self.min_emergency,
                f"emergencies caught {metrics['emergency_caught']:.1%} < {self.min_emergency:.1%}",
            ),
            (
                metrics["false_alarms"] <= self.max_false_alarms,
                f"false alarms {metrics['false_alarms']} > {self.max_false_alarms}",
            ),
        ]
        return [message for ok, message in checks if not ok]
