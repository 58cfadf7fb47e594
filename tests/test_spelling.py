from __future__ import annotations

import os
import subprocess
import sys

CORRECT_COPD = (
    "from chatbot.spelling import Speller; "
    "print(Speller(['cold', 'cord', 'copy', 'cope', 'clinic']).correct('copd and short of breath'))"
)


def test_a_word_equally_close_to_several_targets_is_corrected_the_same_way_in_every_process() -> None:
    # Each process hashes strings with its own seed; the correction must not depend on it.
    corrections = {
        subprocess.run([sys.executable, "-c", CORRECT_COPD], env={**os.environ, "PYTHONHASHSEED": str(seed)},
                       capture_output=True, text=True, check=True).stdout.strip()
        for seed in range(6)
    }
    assert len(corrections) == 1, corrections
    assert corrections.pop().endswith(" and short of breath")
