"""Measure two encoders, one per purpose, against the packaged one alone (the held-out half is only reported).

The packaged encoder keeps the emergency check and small talk; a model adapted to the entries (`chatbot adapt
--no-hold`) scores the entries and the out-of-scope exemplars, as `CHATBOT_ANSWER_MODEL` serves them (an
`AnswerModel`). The policy is then calibrated on the tuning half as both encoders observe it, with the code
`chatbot calibrate` runs (the emergency thresholds are kept as `knowledge/policy.yaml` has them: they read only
the packaged model's scores), and every set is reported beside the packaged model alone.

Usage (an adapted folder, e.g. made by `make adapted-entries`; its index is built in a temporary folder):
    .venv/bin/python scripts/two_encoders.py models/adapted-entries
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from support import quality_cells, quality_header

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatbot.answering.assistant import AnswerModel, Assistant
from chatbot.kb.startup import load_assistant
from chatbot.quality import calibrate, evaluate
from chatbot.settings import Settings

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = {
    "eval.yaml, tuning half": ("eval.yaml", evaluate.TUNE),
    "eval.yaml, held-out half": ("eval.yaml", evaluate.HELDOUT),
    "round6.yaml (blind)": ("round6.yaml", None),
    "round7.yaml (blind)": ("round7.yaml", None),
    "eval-es.yaml, held-out half": ("eval-es.yaml", evaluate.HELDOUT),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("adapted", type=Path, help="The adapted model folder.")
    args = parser.parse_args()
    packaged = load_assistant(Settings(answer_model=""))
    with tempfile.TemporaryDirectory(prefix="two-encoders-") as scratch:
        adapted = load_assistant(Settings(model=str(args.adapted), answer_model="", index_dir=Path(scratch) / "index"))
        both = Assistant(
            packaged.kb,
            packaged.index,
            packaged.encoder,
            packaged.messages,
            AnswerModel(adapted.index, adapted.encoder),
        )
        tune = calibrate.observe(both, evaluate.half(evaluate.load_cases(DATA / "eval.yaml"), evaluate.TUNE))
        spanish = evaluate.half(evaluate.load_cases(DATA / "eval-es.yaml"), evaluate.TUNE)
        # `calibrate.calibrate` without its first step: the emergency thresholds read only the packaged model's scores.
        thresholds = calibrate.choose_policy(both, tune, packaged.thresholds)
        thresholds = calibrate.choose_judge(both, tune, thresholds)
        thresholds = calibrate.choose_smalltalk(both, tune, thresholds)
        thresholds = calibrate.choose_clarify(both, tune, thresholds)
        thresholds = calibrate.choose_spanish(both, [calibrate.observe(both, spanish)], thresholds)
        print(f"{'set':<30} {'encoders':<10} {quality_header()}")
        for name, (file, which) in SETS.items():
            cases = evaluate.half(evaluate.load_cases(DATA / file), which)
            alone = calibrate.report(packaged, calibrate.observe(packaged, cases), packaged.thresholds).metrics()
            paired = calibrate.report(both, calibrate.observe(both, cases), thresholds).metrics()
            for label, metrics in (("packaged", alone), ("two", paired)):
                print(f"{name:<30} {label:<10} {quality_cells(metrics)}", flush=True)


if __name__ == "__main__":
    main()
