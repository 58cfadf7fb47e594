"""Measure redaction on the blind personal-details set, both halves: `python scripts/redaction.py [FILE]`.

Prints, for the tuning and the held-out half, the share of labelled details caught (by kind, all
together and without names) and how many ordinary clinic questions redaction changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from chatbot.quality import redaction_check
from chatbot.quality.evaluate import HELDOUT, TUNE

DEFAULT = Path("tests/data/personal-details.yaml")


def main() -> None:
    details_set = redaction_check.load(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
    for name in (TUNE, HELDOUT):
        half = details_set.half(name)
        measured = redaction_check.measure(half)
        kinds = sorted(measured.total)
        print(
            f"{name}: {len(half.personal)} messages, {sum(measured.total.values())} details, "
            f"{measured.ordinary} ordinary questions"
        )
        for kind in kinds:
            print(f"  {kind:<10} {measured.caught[kind]:>3} / {measured.total[kind]:<3} {measured.recall([kind]):.1%}")
        print(
            f"  all details  {measured.recall():.1%}; "
            f"all but names {measured.recall(k for k in kinds if k != 'name'):.1%}"
        )
        print(
            f"  ordinary questions changed: {len(measured.changed)} of {measured.ordinary} "
            f"({measured.changed_rate():.1%})"
        )
        if (
            name == TUNE
        ):  # only the tuning half's misses are shown: reading the held-out ones would make it a second tuning half
            for text, detail in measured.missed:
                print(f"  missed {detail.kind} {detail.value!r} in {text!r}")
            for question, redacted in measured.changed:
                print(f"  changed {question!r} -> {redacted!r}")


if __name__ == "__main__":
    main()
