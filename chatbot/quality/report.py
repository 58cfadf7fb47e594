"""Formatting an evaluation report for people (rich tables) and for machines (JSON)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from chatbot.quality.evaluate import Report, Result

OUTCOMES = (
    "right",
    "suggested",
    "wrong",
    "clarified",
    "fallback",
    "answered",
    "smalltalk",
    "chatted",
    "caught",
    "missed",
    "false-alarm",
)


def print_report(
    report: Report, title: str, failures: list[str], console: Console | None = None, heldout_misses: bool = False
) -> None:
    console = console or Console(soft_wrap=True)
    table = Table(title=title)
    table.add_column("category")
    table.add_column("questions", justify="right")
    for outcome in OUTCOMES:
        table.add_column(outcome, justify="right")
    for name, total, counts in report.table():
        table.add_row(name, str(total), *(str(counts.get(o, "")) for o in OUTCOMES))
    console.print(table)
    console.print(summary(report.metrics()))
    misses, hidden = _misses(report, heldout_misses)
    if hidden:
        console.print(
            f"\n{hidden} held-out miss(es) not shown (--show-heldout-misses shows them; tune nothing on them)."
        )
    if misses:
        console.print(f"\n{len(misses)} miss(es):")
        for r in misses:
            top = ", ".join(f"{c.id} {c.score:.3f}" for c in r.reply.candidates[:3])
            expected = ", ".join(r.case.ids) or "fallback" if r.case.category != "emergency" else "emergency"
            if r.reply.suggestions:
                expected += "; suggested " + ", ".join(s.id for s in r.reply.suggestions)
            console.print(
                f"  [{r.outcome}] {r.case.question!r} → {r.reply.kind.value} {r.reply.id or ''} "
                f"(expected {expected}; top: {top})",
                markup=False,
            )
    for failure in failures:
        console.print(f"[bold red]below bound:[/] {failure}")


def report_json(report: Report, failures: list[str], heldout_misses: bool = False) -> dict[str, object]:
    misses, hidden = _misses(report, heldout_misses)
    return {
        "metrics": report.metrics(),
        "table": [{"category": n, "questions": t, **counts} for n, t, counts in report.table()],
        "misses": [
            {
                "question": r.case.question,
                "category": r.case.category,
                "expected": list(r.case.ids),
                "outcome": r.outcome,
                "reply": r.reply.to_dict(explain=True),
            }
            for r in misses
        ],
        "heldout_misses_hidden": hidden,
        "failures": failures,
    }


def _misses(report: Report, heldout: bool) -> tuple[list[Result], int]:
    """The misses to list, and how many held-out ones that leaves out."""
    shown = report.misses(heldout)
    return shown, len(report.misses(heldout=True)) - len(shown)


def summary(m: dict[str, float | int]) -> str:
    """The headline figures, leaving out the kinds of question the set does not have (a blind emergency set has
    no in-scope questions to answer right)."""
    parts = []
    if m["in_scope"]:
        parts.append(
            f"answered right {m['right']:.1%} · resolved (right or suggested) {m['resolved']:.1%} · "
            f"clarify {m['clarify']:.1%} · wrong {m['wrong']:.1%} · fallback {m['in_scope_fallback']:.1%} "
            f"(of {m['in_scope']} in scope)"
        )
    if m["out_of_scope"]:
        parts.append(
            f"out-of-scope answered {m['out_of_scope_answered']:.1%}, clarified {m['out_of_scope_clarify']:.1%} "
            f"(of {m['out_of_scope']})"
        )
    if m["smalltalk_messages"]:
        parts.append(f"small talk {m['smalltalk']:.1%} (of {m['smalltalk_messages']})")
    if m["emergencies"]:
        parts.append(f"emergencies caught {m['emergency_caught']:.1%} (of {m['emergencies']})")
    return " · ".join([*parts, f"false alarms {m['false_alarms']} (of {m['ordinary']} ordinary messages)"])
