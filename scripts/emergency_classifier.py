"""A fine-tuned emergency classifier, measured on tuning halves only (README, "A classifier fine-tuned on the
exemplars, measured").

The question: does a model trained to read the red flag (all-MiniLM-L6-v2, the packaged weights, fine-tuned end to
end with a logistic head on the knowledge base's emergency and ordinary exemplars in both languages, the entries' keys
and the out-of-scope exemplars as ordinary) beat the semantic nets, alone or as a veto on their alarms?

Leaving out one blind emergency set at a time (as `scripts/emergency_writers.py` does: the classifier trained and the
nets rebuilt without that set's lines), it reads the left-out set's tuning half. `pain-es.yaml` and `pain-en.yaml`,
whose lines the knowledge base does not hold, are read by the classifier trained on everything. Prints, per set,
emergencies caught / ordinary messages alarmed (messages read in the set's language) by the served nets, the
classifier alone, and the
served alarm with the nets' alarms (not the patterns') kept only where the classifier gives at least a level.
Counts only, no message text. About 3 minutes a set on two cores (torch; nothing is served from it).

Usage: `.venv/bin/python scripts/emergency_classifier.py [--epochs 2] [--set emergencies-es-5.yaml]`
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emergency_writers import DATA, SETS, alarms, without

from chatbot.answering.assistant import Assistant
from chatbot.answering.language import ENGLISH, SPANISH
from chatbot.kb.encoder import resolve_model
from chatbot.kb.knowledge import KnowledgeBase
from chatbot.kb.startup import load_assistant
from chatbot.quality import evaluate
from chatbot.settings import Settings

UNSEEN = ("pain-es.yaml", "pain-en.yaml")  # none of their lines is in the knowledge base: read by the classifier
# trained on everything
VETO_LEVELS = (0.02, 0.05, 0.1, 0.2, 0.5)
ALONE_LEVELS = (0.5, 0.9)
LEARNING_RATE = 4e-5
BATCH = 32


def examples(kb: KnowledgeBase, left_out: set[str]) -> list[tuple[str, int]]:
    """Emergency exemplars (1) and everything the knowledge base says is not one (0), without the left-out lines."""
    alarming = (*kb.emergency, *kb.spanish_emergency)
    ordinary = (
        *kb.not_emergency,
        *kb.spanish_not_emergency,
        *(key for entry in kb.entries for key in (entry.question, *entry.alternates, *entry.spanish)),
        *kb.out_of_scope,
    )
    return [(text, 1) for text in alarming if text not in left_out] + [
        (text, 0) for text in ordinary if text not in left_out
    ]


def train(rows: list[tuple[str, int]], epochs: int) -> Any:
    """The packaged encoder fine-tuned with a logistic head on mean-pooled tokens; returns a texts → probabilities
    function. Positives are weighted up to the negatives' number, as they are about a fifth of the rows."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    rng = random.Random(0)
    path = str(resolve_model("").path)
    tokenizer = AutoTokenizer.from_pretrained(path)
    body = AutoModel.from_pretrained(path)
    head = torch.nn.Linear(body.config.hidden_size, 1)

    def logits(texts: Sequence[str]) -> Any:
        batch = tokenizer(list(texts), padding=True, truncation=True, max_length=64, return_tensors="pt")
        hidden = body(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return head((hidden * mask).sum(1) / mask.sum(1)).squeeze(-1)

    positives = sum(label for _, label in rows)
    weight = torch.tensor((len(rows) - positives) / max(positives, 1))
    optimiser = torch.optim.AdamW([*body.parameters(), *head.parameters()], lr=LEARNING_RATE)
    body.train()
    for _ in range(epochs):
        order = rows[:]
        rng.shuffle(order)
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            labels = torch.tensor([float(label) for _, label in chunk])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits([text for text, _ in chunk]), labels, pos_weight=weight
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    body.eval()

    def probabilities(texts: Sequence[str]) -> list[float]:
        with torch.no_grad():
            return [p for start in range(0, len(texts), 64) for p in torch.sigmoid(logits(texts[start : start + 64]))]

    return probabilities


def language_of(name: str) -> str:
    """The language a set's messages are scored in: its file name says ("emergencies-es-3.yaml", "pain-en.yaml")."""
    return SPANISH if "-es" in name else ENGLISH


def fold(assistant: Assistant, name: str, epochs: int) -> list[dict[str, Any]]:
    """One set's tuning half, messages read in the set's language: the served nets' view and the classifier's
    probability."""
    lang = language_of(name)
    cases = evaluate.load_cases(DATA / name)
    lines = set() if name in UNSEEN else {case.question for case in cases}
    left = without(assistant, lines) if lines else assistant
    tune = [
        case
        for case in evaluate.half(cases, evaluate.TUNE)
        if case.category in ("emergency", "not_emergency") and case.group != evaluate.OTHER_LANGUAGES
    ]
    seen = [left.observe(case.question, measure=True) for case in tune]
    probabilities = train(examples(assistant.kb, lines), epochs)([case.question for case in tune])
    return [
        {
            "emergency": case.category == "emergency",
            "patterns": bool(observed.stated_emergency),
            "served": alarms(left, observed, left.thresholds)["all nets"],
            "p": float(p),
        }
        for case, observed, p in zip(tune, seen, probabilities, strict=True)
        if observed.lang == lang
    ]


def row(name: str, rows: list[dict[str, Any]]) -> str:
    def counts(alarmed: Any) -> str:
        return (
            f"{sum(alarmed(r) for r in rows if r['emergency'])} / {sum(alarmed(r) for r in rows if not r['emergency'])}"
        )

    cells = [counts(lambda r: r["served"])]
    cells += [counts(lambda r, level=level: r["p"] >= level) for level in ALONE_LEVELS]
    cells += [
        counts(lambda r, level=level: r["served"] and (r["patterns"] or r["p"] >= level)) for level in VETO_LEVELS
    ]
    emergencies = sum(r["emergency"] for r in rows)
    return f"| {name} ({emergencies} / {len(rows) - emergencies}) | {' | '.join(cells)} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--set", action="append", dest="sets", metavar="FILE", help="only this set (repeatable)")
    args = parser.parse_args()
    alone = [f"classifier ≥ {level}" for level in ALONE_LEVELS]
    vetoed = [f"nets' alarms kept at ≥ {level}" for level in VETO_LEVELS]
    print(f"| set (emergencies / ordinary) | served | {' | '.join(alone + vetoed)} |")
    print(f"|---|---|{'---|' * (len(alone) + len(vetoed))}")
    assistant = load_assistant(Settings())
    left_out: dict[str, list[dict[str, Any]]] = {ENGLISH: [], SPANISH: []}
    for name in args.sets or (*SETS, *UNSEEN):
        rows = fold(assistant, name, args.epochs)
        if name not in UNSEEN:
            left_out[language_of(name)] += rows
        print(row(name, rows), flush=True)
    for lang, rows in left_out.items():
        if rows:
            print(row(f"left-out sets, {lang}", rows))


if __name__ == "__main__":
    main()
