"""Leave one writer out over the blind Spanish emergency sets' tuning halves (the held-out halves are never read).

For each set, the assistant is rebuilt without the knowledge base's lines that came from that set: the n-gram model
retrained on the other exemplars, the semantic check comparing with the index minus those keys. It then answers
the left-out set's tuning half through the code that serves patients. The patterns cannot be left out this way:
they were written from the tuning halves, so "all nets" is not a left-out figure for a set they were written from.

Prints, per left-out set and per n-gram threshold: emergencies caught and ordinary messages alarmed, by the n-gram
model alone and by all three nets (patterns, semantic check, n-gram model). Counts only, no message text.

Usage (the encoder and index come from CHATBOT_MODEL and CHATBOT_INDEX_DIR, as for `chatbot eval`):
    .venv/bin/python scripts/spanish_writers.py [--threshold 0.65] [--threshold 0.7]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import faiss
import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatbot.answering.assistant import Assistant
from chatbot.domain import Kind
from chatbot.kb import ngram_model
from chatbot.kb.startup import load_assistant
from chatbot.quality import evaluate
from chatbot.settings import Settings

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = tuple(f"emergencies-es{n}.yaml" for n in ("", "-2", "-3", "-4", "-5", "-6", "-7"))
GROUPS = ("emergency", "not_emergency")


def without(assistant: Assistant, lines: set[str]) -> Assistant:
    """The assistant as if `lines` had never joined the knowledge base."""
    kb = dataclasses.replace(
        assistant.kb,
        spanish_emergency=tuple(t for t in assistant.kb.spanish_emergency if t not in lines),
        spanish_not_emergency=tuple(t for t in assistant.kb.spanish_not_emergency if t not in lines),
    )
    index = assistant.index
    keep = [row for row, text in enumerate(index.texts) if text not in lines]
    vectors = index.vectors.reconstruct_n(0, index.vectors.ntotal)[keep]
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(np.ascontiguousarray(vectors))
    index = dataclasses.replace(
        index,
        vectors=flat,
        labels=tuple(index.labels[row] for row in keep),
        texts=tuple(index.texts[row] for row in keep),
        ngrams=ngram_model.train(kb),
    )
    return Assistant(kb, index, assistant.encoder, assistant.messages)


def fold(assistant: Assistant, name: str, thresholds: list[float]) -> list[str]:
    """One line per threshold: the left-out set's tuning half, caught and alarmed."""
    written = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    left_out = without(assistant, {text for group in GROUPS for text in written[group]})
    seen = {
        group: [left_out.observe(t, measure=True) for t in written[group] if evaluate.half_of(t) == evaluate.TUNE]
        for group in GROUPS
    }
    lines = []
    for threshold in thresholds:
        policy = dataclasses.replace(left_out.thresholds, spanish_emergency_ngrams=threshold)
        ngrams = {group: sum(o.emergency_ngrams >= threshold for o in seen[group]) for group in GROUPS}
        nets = {group: sum(left_out.respond(o, policy).kind is Kind.EMERGENCY for o in seen[group]) for group in GROUPS}
        sizes = {group: len(seen[group]) for group in GROUPS}
        lines.append(
            f"{name} at {threshold}: n-gram model alone {ngrams['emergency']}/{sizes['emergency']} caught, "
            f"{ngrams['not_emergency']}/{sizes['not_emergency']} alarmed; all nets {nets['emergency']} caught, "
            f"{nets['not_emergency']} alarmed"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threshold", type=float, action="append", help="n-gram threshold (repeatable)")
    args = parser.parse_args()
    assistant = load_assistant(Settings())
    thresholds = args.threshold or [assistant.thresholds.spanish_emergency_ngrams]
    for name in SETS:
        print("\n".join(fold(assistant, name, thresholds)))


if __name__ == "__main__":
    main()
