"""Measure a hypothesis about the answer/fallback boundary before keeping it: 2-fold cross-validation inside
the tuning half (the held-out half is never read).

For each of a few seeded shuffles, the tuning half is cut in two; thresholds are calibrated on one fold
(`calibrate.choose_policy`, then `choose_clarify`, the code `chatbot calibrate` runs) and judged on the other, and
the other way round. A variant changes what the policy sees before any threshold is applied:

- `answer-text W`: each entry's score also counts W times the question's cosine with the entry's answer.
- `specific-exemplar W`: an out-of-scope exemplar counts for less by W times the share of its rare words
  the question lacks, so "my husband had a stroke last year, can he drive me home" stops vetoing
  "can my husband drive me home" while still vetoing a question that mentions the stroke.
- `judge`: the observations as they are, decided by the judge (`calibrate.choose_judge`) fit on the fold.

`--judge-bounds` instead measures the judge's own out-of-scope bound (`calibrate.JUDGE_MAX_OUT_OF_SCOPE`) by nested
cross-validation: 5 outer folds of the English questions, the judge fit on four (`calibrate.fit_judge`, which picks
its cutoff on inner folds) and scored on the fifth.

Usage (the encoder and index come from CHATBOT_MODEL and CHATBOT_INDEX_DIR, as for `chatbot eval`):
    .venv/bin/python scripts/crossval.py [--shuffles 3] [--judge-bounds]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold
from support import QUALITY, quality_cells, quality_header

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatbot.answering.assistant import Assistant, Observation
from chatbot.answering.lexical import tokens
from chatbot.answering.policy import judged_rows
from chatbot.domain import OUT_OF_SCOPE
from chatbot.kb.startup import load_assistant
from chatbot.quality import calibrate, evaluate
from chatbot.settings import Settings

Variant = Callable[[Observation, np.ndarray], Observation]


def variants(assistant: Assistant) -> dict[str, Variant]:
    answers = assistant.encoder.encode([e.answer for e in assistant.kb.entries])
    labels = np.asarray(assistant.index.labels)
    exemplar_rows = np.flatnonzero(labels == OUT_OF_SCOPE)
    exemplar_words = [set(tokens(assistant.index.texts[row])) for row in exemplar_rows]

    def answer_text(weight: float) -> Variant:
        def apply(seen: Observation, vector: np.ndarray) -> Observation:
            assert seen.semantic is not None
            return dataclasses.replace(seen, semantic=seen.semantic + weight * (answers @ vector))

        return apply

    def specific_exemplar(weight: float) -> Variant:
        def apply(seen: Observation, vector: np.ndarray) -> Observation:
            scores = assistant.index.scores(vector)[exemplar_rows]
            asked = set(tokens(seen.text))
            lacking = np.asarray([len(words - asked) / len(words) if words else 0.0 for words in exemplar_words])
            adjusted = scores - weight * lacking
            best = int(np.argmax(adjusted))
            return dataclasses.replace(
                seen, out_of_scope=float(adjusted[best]), out_of_scope_text=assistant.index.texts[exemplar_rows[best]]
            )

        return apply

    return {
        "baseline": lambda seen, vector: seen,
        "answer-text 0.1": answer_text(0.1),
        "answer-text 0.2": answer_text(0.2),
        "specific-exemplar 0.1": specific_exemplar(0.1),
        "specific-exemplar 0.2": specific_exemplar(0.2),
        "specific-exemplar 0.3": specific_exemplar(0.3),
        "judge": lambda seen, vector: seen,
    }


def crossval(
    assistant: Assistant, observed: Sequence[calibrate.Observed], shuffles: int, with_judge: bool = False
) -> dict[str, float]:
    """Mean unseen-fold metrics over every shuffle and both directions."""
    totals: dict[str, list[float]] = {}
    for seed in range(shuffles):
        order = list(observed)
        random.Random(seed).shuffle(order)
        folds = (order[: len(order) // 2], order[len(order) // 2 :])
        for fit, unseen in (folds, folds[::-1]):
            chosen = calibrate.choose_policy(assistant, fit, replace(assistant.thresholds, judge=None))
            if with_judge:
                chosen = calibrate.choose_judge(assistant, fit, chosen)
            chosen = calibrate.choose_clarify(assistant, fit, chosen)
            metrics = calibrate.report(assistant, unseen, chosen).metrics()
            for name in QUALITY:
                totals.setdefault(name, []).append(float(metrics[name]))
    return {name: float(np.mean(values)) for name, values in totals.items()}


JUDGE_BOUNDS = (0.02, 0.015, 0.01, 0.005)


def judge_bounds(inputs: np.ndarray, answerable: np.ndarray, right: np.ndarray, shuffles: int) -> None:
    """Right, wrong and out-of-scope answered on the outer unseen folds, per bound, among English questions."""
    print("| judge's out-of-scope bound | right | wrong | out of scope answered |")
    print("|---|---|---|---|")
    for bound in JUDGE_BOUNDS:
        found = []
        for seed in range(shuffles):
            for fit, unseen in StratifiedKFold(5, shuffle=True, random_state=100 + seed).split(inputs, right):
                judge = calibrate.fit_judge(inputs[fit], answerable[fit], right[fit], bound)
                answered = judged_rows(judge, inputs[unseen]) >= 0
                asked, hit = answerable[unseen], right[unseen]
                found.append(
                    (
                        np.mean(answered[asked] & hit[asked]),
                        np.mean(answered[asked] & ~hit[asked]),
                        np.mean(answered[~asked]),
                    )
                )
        print(f"| {bound:.1%} | " + " | ".join(f"{value:.2%}" for value in np.mean(found, axis=0)) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shuffles", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="Variant names to run (default: all).")
    parser.add_argument("--judge-bounds", action="store_true", help="Measure the judge's out-of-scope bound instead.")
    args = parser.parse_args()
    assistant = load_assistant(Settings())
    tune = evaluate.half(evaluate.load_cases(Path("tests/data/eval.yaml")), evaluate.TUNE)
    observed = calibrate.observe(assistant, tune)
    if args.judge_bounds:
        judge_bounds(*calibrate.judge_data(assistant, observed, assistant.thresholds), args.shuffles)
        return
    vectors = assistant.encoder.encode([o.seen.text or " " for o in observed])
    print(f"{assistant.encoder.name}: {len(observed)} tuning-half questions, {args.shuffles} shuffles x 2 folds")
    print(f"{'variant':<24} {quality_header()}")
    for name, variant in variants(assistant).items():
        if args.only and name not in args.only:
            continue
        changed = [
            dataclasses.replace(o, seen=variant(o.seen, v) if o.seen.semantic is not None else o.seen)
            for o, v in zip(observed, vectors, strict=True)
        ]
        m = crossval(assistant, changed, args.shuffles, with_judge=name == "judge")
        print(f"{name:<24} {quality_cells(m)}", flush=True)


if __name__ == "__main__":
    main()
