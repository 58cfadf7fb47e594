"""The evaluation harness, on tiny sets whose outcome is known."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CLARIFIED

from chatbot.answering.assistant import Assistant
from chatbot.domain import Kind, Reply, Suggestion
from chatbot.errors import EvalSetError
from chatbot.quality import evaluate
from chatbot.quality.report import summary

TINY = """
in_scope:
  - q: "What is the cost?"
    ids: [cost]
  - q: "Does the office have WiFi?"
    ids: [cost]
  - q: "zzz qqq"
    ids: [wifi]
out_of_scope:
  logistics:
    - "Are infusions done as outpatient?"
    - "yyy xxx"
emergency:
  - "I can't breathe"
  - "hello there"
not_emergency:
  - q: "I want to kill myself"
    ids: []
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


def test_each_outcome_is_counted_where_it_belongs(fake: Assistant, tiny: Path) -> None:
    report = evaluate.run(fake.ask, evaluate.load_cases(tiny))
    outcomes = {r.case.question: r.outcome for r in report.results}
    assert outcomes == {
        "What is the cost?": "right",
        "Does the office have WiFi?": "wrong",
        "zzz qqq": "fallback",
        "Are infusions done as outpatient?": "answered",
        "yyy xxx": "fallback",
        "I can't breathe": "caught",
        "hello there": "missed",
        "I want to kill myself": "false-alarm",
    }
    metrics = report.metrics()
    assert metrics["right"] == pytest.approx(1 / 3, abs=1e-4)
    assert metrics["wrong"] == pytest.approx(1 / 3, abs=1e-4)
    assert metrics["out_of_scope_answered"] == pytest.approx(1 / 3, abs=1e-4)
    assert metrics["emergency_caught"] == 0.5
    assert metrics["false_alarms"] == 1


def test_the_split_is_fixed_and_covers_everything_once() -> None:
    cases = evaluate.load_cases(Path("tests/data/eval.yaml"))
    tune, held = evaluate.half(cases, evaluate.TUNE), evaluate.half(cases, evaluate.HELDOUT)
    assert len(tune) + len(held) == len(cases)
    assert 0.4 < len(held) / len(cases) < 0.6
    assert (
        evaluate.Case("What is the cost?", "in_scope", ("cost",)).half
        == evaluate.Case("What is the cost?", "out_of_scope").half
    )


def test_the_evaluation_set_is_large_enough_and_names_real_entries(kb) -> None:
    cases = evaluate.load_cases(Path("tests/data/eval.yaml"))
    assert len(cases) >= 300
    ids = {e.id for e in kb.entries}
    for case in cases:
        assert case.category == "smalltalk" or set(case.ids) <= ids, case.question
    for entry_id in ids:
        assert sum(entry_id in c.ids for c in cases if c.category == "in_scope") >= 6, entry_id
    groups = {c.group for c in cases if c.category == "out_of_scope"}
    assert groups == {"logistics", "chit_chat", "medical"}
    assert sum(c.category == "out_of_scope" for c in cases) >= 70
    assert sum(c.category == "emergency" for c in cases) >= 30
    assert sum(c.category == "not_emergency" for c in cases) >= 30
    smalltalk = [c for c in cases if c.category == "smalltalk"]
    assert len(smalltalk) >= 30 and {i for c in smalltalk for i in c.ids} <= set(kb.messages.smalltalk)


@pytest.mark.parametrize(
    "eval_file",
    ["tests/data/eval.yaml", "tests/data/eval-es.yaml", "tests/data/round9.yaml", "tests/data/round-es-3.yaml"],
)
def test_the_evaluation_questions_are_not_copies_of_the_knowledge_bases_phrasings(kb, eval_file: str) -> None:
    """The set measures wording the bot has not seen: no copies of alternates or exemplars (the seed's own questions
    may recur)."""
    keys = {k.casefold().strip(" ?!.¿¡") for e in kb.entries for k in e.wordings}
    keys |= {k.casefold().strip(" ?!.¿¡") for k in kb.out_of_scope + kb.emergency + kb.not_emergency}
    keys |= {k.casefold().strip(" ?!.¿¡") for exemplars in kb.smalltalk.exemplars.values() for k in exemplars}
    copies = [c.question for c in evaluate.load_cases(Path(eval_file)) if c.question.casefold().strip(" ?!.¿¡") in keys]
    assert copies == []


@pytest.mark.parametrize(
    ("bounds", "failures"),
    [
        (evaluate.Bounds(), []),
        (evaluate.Bounds(min_right=0.5), ["right 33.3% < 50.0%"]),
        (
            evaluate.Bounds(max_false_alarms=0, min_emergency=1.0),
            ["emergencies caught 50.0% < 100.0%", "false alarms 1 > 0"],
        ),
    ],
)
def test_bounds_name_what_fell_short(fake: Assistant, tiny: Path, bounds: evaluate.Bounds, failures: list[str]) -> None:
    metrics = evaluate.run(fake.ask, evaluate.load_cases(tiny)).metrics()
    assert bounds.failures(metrics) == failures


def test_judge_reads_the_reply_kind() -> None:
    case = evaluate.Case("q", "in_scope", ("cost",))
    assert evaluate.judge(case, Reply(Kind.ANSWER, "", "cost")) == "right"
    assert evaluate.judge(case, Reply(Kind.GREETING, "")) == "fallback"


def _clarify(*ids: str) -> Reply:
    return Reply(Kind.CLARIFY, "", suggestions=tuple(Suggestion(i, "") for i in ids))


@pytest.mark.parametrize(
    ("category", "ids", "reply", "outcome"),
    [
        ("in_scope", ("cost",), _clarify("wifi", "cost"), "suggested"),
        ("in_scope", ("cost",), _clarify("wifi"), "clarified"),
        ("out_of_scope", (), _clarify("cost"), "clarified"),
        ("in_scope", ("cost",), Reply(Kind.SMALLTALK, "", "thanks"), "smalltalk"),
        ("out_of_scope", (), Reply(Kind.SMALLTALK, "", "capabilities"), "smalltalk"),
        ("smalltalk", ("thanks",), Reply(Kind.SMALLTALK, "", "thanks"), "chatted"),
        ("smalltalk", ("thanks",), Reply(Kind.SMALLTALK, "", "goodbye"), "wrong"),
        ("smalltalk", ("thanks",), Reply(Kind.FALLBACK, ""), "fallback"),
        ("smalltalk", ("thanks",), Reply(Kind.ANSWER, "", "cost"), "answered"),
        ("smalltalk", ("thanks",), _clarify("cost"), "clarified"),
    ],
)
def test_judge_tells_suggestions_and_small_talk_apart(
    category: str, ids: tuple[str, ...], reply: Reply, outcome: str
) -> None:
    assert evaluate.judge(evaluate.Case("q", category, ids), reply) == outcome


SMALL = f"""
in_scope:
  - q: "What is the cost?"
    ids: [cost]
  - q: "{CLARIFIED}"
    ids: [side-effects-after-treatment]
  - q: "{CLARIFIED}?"
    ids: [wifi]
out_of_scope:
  chit_chat:
    - "{CLARIFIED}!"
    - "banana"
smalltalk:
  - {{q: "thx", intent: thanks}}
  - {{q: "bye", intent: thanks}}
"""


def test_resolved_counts_the_right_answer_among_the_suggestions(clarifying: Assistant, tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    metrics = evaluate.run(clarifying.ask, evaluate.load_cases(path)).metrics()
    assert (metrics["right"], metrics["resolved"], metrics["clarify"]) == (
        pytest.approx(1 / 3, abs=1e-4),
        pytest.approx(2 / 3, abs=1e-4),
        pytest.approx(2 / 3, abs=1e-4),
    )
    assert (metrics["out_of_scope_clarify"], metrics["smalltalk"], metrics["smalltalk_messages"]) == (0.5, 0.5, 2)
    assert evaluate.Bounds(min_resolved=0.7, max_out_of_scope_clarify=0.4, min_smalltalk=0.6).failures(metrics) == [
        "resolved 66.7% < 70.0%",
        "out-of-scope clarified 50.0% > 40.0%",
        "small talk 50.0% < 60.0%",
    ]


def test_a_malformed_file_names_the_item(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("in_scope:\n  - q: what\n    ids: cost\n", encoding="utf-8")
    with pytest.raises(EvalSetError, match=r"bad\.yaml: in_scope item .* needs 'q' and 'ids'"):
        evaluate.load_cases(path)


def test_other_languages_as_a_bare_list_is_refused_not_skipped(tmp_path: Path) -> None:
    """A writer's emergencies in other languages, listed without their group, would otherwise go unmeasured."""
    path = tmp_path / "blind.yaml"
    path.write_text('emergency:\n  - "quiero morir"\nother_languages:\n  - "je veux mourir"\n', encoding="utf-8")
    with pytest.raises(
        EvalSetError, match=r"blind\.yaml: other_languages needs a mapping of 'emergency' and 'not_emergency' lists"
    ):
        evaluate.load_cases(path)


def test_held_out_misses_stay_hidden_unless_asked_for(fake: Assistant, tiny: Path) -> None:
    report = evaluate.run(fake.ask, evaluate.load_cases(tiny))
    everything = report.misses(heldout=True)
    halves = {r.case.half for r in everything}
    assert halves == {evaluate.TUNE, evaluate.HELDOUT}, "the tiny set should miss in both halves"
    assert report.misses() == [r for r in everything if r.case.half == evaluate.TUNE]


def test_the_report_says_how_many_held_out_misses_it_hides(fake: Assistant, tiny: Path) -> None:
    from rich.console import Console

    from chatbot.quality.report import print_report, report_json

    report = evaluate.run(fake.ask, evaluate.load_cases(tiny))
    hidden = [r.case.question for r in report.misses(heldout=True) if r.case.half == evaluate.HELDOUT]
    console = Console(record=True, width=200)
    print_report(report, "tiny", [], console)
    text = console.export_text()
    assert f"{len(hidden)} held-out miss(es) not shown" in text
    assert not any(repr(q) in text for q in hidden)
    assert report_json(report, [])["heldout_misses_hidden"] == len(hidden)
    assert {m["question"] for m in report_json(report, [], heldout_misses=True)["misses"]} >= set(hidden)


BLIND_EMERGENCIES = """
emergency:
  - "I can't breathe"
  - "hello there"
not_emergency:
  - "What is the cost?"
  - "I want to kill myself"
other_languages:
  emergency:
    - {lang: pt, text: "I can't breathe"}
  not_emergency:
    - "yyy xxx"
"""


def test_a_blind_emergency_set_is_judged_on_alarms_alone(fake: Assistant, tmp_path: Path) -> None:
    """Its ordinary messages are bare texts: an answer to one is no out-of-scope answer, only an alarm counts."""
    path = tmp_path / "emergencies.yaml"
    path.write_text(BLIND_EMERGENCIES, encoding="utf-8")
    report = evaluate.run(fake.ask, evaluate.load_cases(path))
    assert {(r.case.question, r.case.group): r.outcome for r in report.results} == {
        ("I can't breathe", ""): "caught",
        ("hello there", ""): "missed",
        ("What is the cost?", evaluate.ORDINARY): "calm",
        ("I want to kill myself", evaluate.ORDINARY): "false-alarm",
        ("I can't breathe", evaluate.OTHER_LANGUAGES): "caught",
        ("yyy xxx", evaluate.ORDINARY): "calm",
    }
    metrics = report.metrics()
    assert (metrics["out_of_scope"], metrics["false_alarms"], metrics["emergency_caught"]) == (0, 1, 0.6667)
    assert summary(metrics) == "emergencies caught 66.7% (of 3) · false alarms 1 (of 3 ordinary messages)"
