from __future__ import annotations

import os
import subprocess
import sys

CORRECT_COPD = (
    "from chatbot.answering.spelling import Speller; "
    "print(Speller(['cold', 'cord', 'copy', 'cope', 'clinic']).correct('copd and short of breath'))"
)


def test_a_word_equally_close_to_several_targets_is_corrected_the_same_way_in_every_process() -> None:
    # Each process hashes strings with its own seed; the correction must not depend on it.
    corrections = {
        subprocess.run(
            [sys.executable, "-c", CORRECT_COPD],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in range(6)
    }
    assert len(corrections) == 1, corrections
    assert corrections.pop().endswith(" and short of breath")


def test_an_acronym_written_in_capitals_is_never_corrected() -> None:
    from chatbot.answering.spelling import Speller, acronyms

    speller = Speller(["cold", "cost", "clinic"])
    question = "Can I get infusions if I have COPD? is the clinc open"
    assert speller.correct("can i get infusions if i have copd ? is the clinc open", keep=acronyms(question)) == (
        "can i get infusions if i have copd ? is the clinic open"
    )
    assert speller.correct("copd", keep=acronyms("copd")) == "cold"  # lower case: a typo like any other


def test_a_message_typed_all_in_capitals_names_no_acronym() -> None:
    from chatbot.answering.spelling import acronyms

    assert acronyms("HOW MUCH IS THE INFUSOIN") == frozenset()
    assert acronyms("does it help PTSD or IBS and my TMJs") == {"ptsd", "ibs", "tmjs"}
