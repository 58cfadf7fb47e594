"""Measure a design before building it: two encoders, one per purpose (the held-out half is only reported).

The packaged encoder keeps the emergency check and small talk; a model adapted to the entries (`chatbot adapt`)
scores the entries and the out-of-scope exemplars. Each question is observed by both and the observations merged:
the entries' and out-of-scope fields from the adapted model, everything else from the packaged one, which is what
serving both would compute. The policy is then calibrated on the merged tuning half with the code `chatbot
calibrate` runs (the emergency thresholds are kept as `knowledge/policy.yaml` has them: they read only the packaged
model's scores), and every set is reported beside the packaged model alone.

Usage (an adapted folder, e.g. made by `chatbot adapt --to models/adapted`; its index is built in a temporary
folder if needed):
    .venv/bin/python scripts/two_encoders.py models/adapted
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatbot.answering.assistant import Assistant
from chatbot.kb.startup import load_assistant
from chatbot.quality import calibrate, evaluate
from chatbot.settings import Settings

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = {
    "eval.yaml, tuning half": ("eval.yaml", evaluate.TUNE),
    "eval.yaml, held-out half": ("eval.yaml", evaluate.HELDOUT),
    "round6.yaml (blind)": ("round6.yaml", None),
    "eval-es.yaml, held-out half": ("eval-es.yaml", evaluate.HELDOUT),
}
SHOWN = ("right", "resolved", "wrong", "out_of_scope_answered", "out_of_scope_clarify", "false_alarms")


def merged(packaged: Assistant, adapted: Assistant, cases: Sequence[evaluate.Case]) -> list[calibrate.Observed]:
    """Each case as two encoders would observe it: entries and out-of-scope exemplars by `adapted`."""
    observed = []
    for case in cases:
        seen = packaged.observe(case.question, measure=True)
        other = adapted.observe(case.question, measure=True)
        if seen.semantic is not None and other.semantic is not None:
            seen = replace(
                seen,
                semantic=other.semantic,
                lexical=other.lexical,
                out_of_scope=other.out_of_scope,
                out_of_scope_lexical=other.out_of_scope_lexical,
                out_of_scope_text=other.out_of_scope_text,
            )
        observed.append(calibrate.Observed(case, seen))
    return observed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("adapted", type=Path, help="The adapted model folder.")
    args = parser.parse_args()
    packaged = load_assistant(Settings())
    with tempfile.TemporaryDirectory(prefix="two-encoders-") as scratch:
        adapted = load_assistant(Settings(model=str(args.adapted), index_dir=Path(scratch) / "index"))
        tune = merged(packaged, adapted, evaluate.half(evaluate.load_cases(DATA / "eval.yaml"), evaluate.TUNE))
        spanish = evaluate.half(evaluate.load_cases(DATA / "eval-es.yaml"), evaluate.TUNE)
        thresholds = calibrate.choose_policy(adapted, tune, packaged.thresholds)
        thresholds = calibrate.choose_judge(adapted, tune, thresholds)
        thresholds = calibrate.choose_smalltalk(adapted, tune, thresholds)
        thresholds = calibrate.choose_clarify(adapted, tune, thresholds)
        thresholds = calibrate.choose_spanish(adapted, merged(packaged, adapted, spanish), thresholds)
        print(f"{'set':<30} {'encoders':<10} " + " ".join(f"{name[:13]:>13}" for name in SHOWN))
        for name, (file, which) in SETS.items():
            cases = evaluate.half(evaluate.load_cases(DATA / file), which)
            alone = calibrate.report(packaged, calibrate.observe(packaged, cases), packaged.thresholds).metrics()
            both = calibrate.report(adapted, merged(packaged, adapted, cases), thresholds).metrics()
            for label, metrics in (("packaged", alone), ("two", both)):
                cells = [f"{metrics[k]:>13}" if k == "false_alarms" else f"{metrics[k]:>13.1%}" for k in SHOWN]
                print(f"{name:<30} {label:<10} " + " ".join(cells), flush=True)


if __name__ == "__main__":
    main()
