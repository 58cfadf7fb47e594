"""Leave one writer out over the blind emergency sets' tuning halves (the held-out halves are never read).

For each set (the evaluation set's emergencies and the rest of its questions count as one more writer), the
assistant is rebuilt without the knowledge base's lines that came from that set: the n-gram models retrained on the
other exemplars, the semantic check comparing with the index minus those keys. It then reads the left-out set's
tuning half through the code that serves patients. The patterns cannot be left out this way: they were written from
the tuning halves, so "all nets" is not a left-out figure for a set they were written from; "semantic nets" is.

Prints, per left-out set, emergencies caught and ordinary messages alarmed: by the nearest exemplar alone, by the
n-gram model alone (at `emergency_ngrams`, or `spanish_emergency_ngrams` for a message read as Spanish), by the
semantic nets as served (`safety.sounds_like_emergency`) and by all nets. Counts only, no message text.

Usage (the encoder and index come from CHATBOT_MODEL and CHATBOT_INDEX_DIR, as for `chatbot eval`; `--policy`
overrides one threshold of knowledge/policy.yaml, repeatable):
    .venv/bin/python scripts/emergency_writers.py [--policy emergency_ngrams=9] [--set emergencies-2.yaml]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatbot.answering.assistant import Assistant, Observation
from chatbot.answering.safety import sounds_like_emergency
from chatbot.domain import Kind, Thresholds
from chatbot.kb import ngram_model
from chatbot.kb.startup import load_assistant
from chatbot.quality import evaluate
from chatbot.settings import Settings

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SETS = (
    "eval.yaml",
    "emergencies.yaml",
    "emergencies-2.yaml",
    "emergencies-3.yaml",
    "emergencies-4.yaml",
    *(f"emergencies-es{n}.yaml" for n in ("", "-2", "-3", "-4", "-5", "-6", "-7", "-8", "-9")),
)
NETS = ("nearest exemplar", "n-gram model", "semantic nets", "all nets")


def without(assistant: Assistant, lines: set[str]) -> Assistant:
    """The assistant as if `lines` had never joined the knowledge base (the packaged encoder alone: the emergency
    check never reads the answer encoder)."""
    kb = assistant.kb
    kb = dataclasses.replace(
        kb,
        entries=tuple(
            dataclasses.replace(
                e,
                alternates=tuple(a for a in e.alternates if a not in lines),
                spanish=tuple(a for a in e.spanish if a not in lines),
            )
            for e in kb.entries
        ),
        out_of_scope=tuple(t for t in kb.out_of_scope if t not in lines),
        emergency=tuple(t for t in kb.emergency if t not in lines),
        not_emergency=tuple(t for t in kb.not_emergency if t not in lines),
        spanish_emergency=tuple(t for t in kb.spanish_emergency if t not in lines),
        spanish_not_emergency=tuple(t for t in kb.spanish_not_emergency if t not in lines),
    )
    index = assistant.index
    keep = [row for row, text in enumerate(index.texts) if text not in lines]
    vectors = index.vectors.reconstruct_n(0, index.vectors.ntotal)[keep]
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(np.ascontiguousarray(vectors))
    labels = tuple(index.labels[row] for row in keep)
    texts = tuple(index.texts[row] for row in keep)
    index = dataclasses.replace(
        index, vectors=flat, labels=labels, texts=texts, ngrams=ngram_model.train(list(zip(labels, texts, strict=True)))
    )
    return Assistant(kb, index, assistant.encoder, assistant.messages)


def alarms(assistant: Assistant, seen: Observation, policy: Thresholds) -> dict[str, bool]:
    """Which nets alarm for one message."""
    own = policy.in_language(seen.lang)
    nearest = dataclasses.replace(own, emergency_ngrams=9.0)
    return {
        "nearest exemplar": bool(sounds_like_emergency(seen.emergency, seen.not_emergency, 0.0, nearest)),
        "n-gram model": seen.emergency_ngrams >= own.emergency_ngrams,
        "semantic nets": bool(sounds_like_emergency(seen.emergency, seen.not_emergency, seen.emergency_ngrams, own)),
        "all nets": assistant.respond(seen, policy).kind is Kind.EMERGENCY,
    }


def fold(assistant: Assistant, name: str, policy: Thresholds) -> dict[str, dict[str, int]]:
    """The left-out set's tuning half: per net, emergencies caught and ordinary messages alarmed, and the sizes."""
    cases = evaluate.load_cases(DATA / name)
    left_out = without(assistant, {case.question for case in cases})
    counts = {group: dict.fromkeys((*NETS, "messages"), 0) for group in ("emergency", "ordinary")}
    for case in evaluate.half(cases, evaluate.TUNE):
        group = counts["emergency" if case.category == "emergency" else "ordinary"]
        group["messages"] += 1
        for net, alarmed in alarms(left_out, left_out.observe(case.question, measure=True), policy).items():
            group[net] += alarmed
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policy", action="append", default=[], metavar="NAME=VALUE", help="override a threshold")
    parser.add_argument("--set", action="append", dest="sets", metavar="FILE", help="only this set (repeatable)")
    args = parser.parse_args()
    assistant = load_assistant(Settings())
    overrides = {name: float(value) for name, value in (item.split("=", 1) for item in args.policy)}
    policy = dataclasses.replace(assistant.thresholds, **overrides)
    total = {group: dict.fromkeys((*NETS, "messages"), 0) for group in ("emergency", "ordinary")}
    print(f"| left out (emergencies / ordinary) | {' | '.join(NETS)} |")
    print(f"|---|{'---|' * len(NETS)}")
    for name in args.sets or SETS:
        counts = fold(assistant, name, policy)
        for group, numbers in counts.items():
            for key, value in numbers.items():
                total[group][key] += value
        print(row(name, counts))
    print(row("all", total))


def row(name: str, counts: dict[str, dict[str, int]]) -> str:
    sizes = f"{counts['emergency']['messages']} / {counts['ordinary']['messages']}"
    cells = (f"{counts['emergency'][net]} / {counts['ordinary'][net]}" for net in NETS)
    return f"| {name} ({sizes}) | {' | '.join(cells)} |"


if __name__ == "__main__":
    main()
