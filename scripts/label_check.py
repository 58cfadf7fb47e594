"""Check an evaluation set's answer labels with blind readers, and apply only what two of them agree on.

`parts` writes the in-scope and out-of-scope questions of an evaluation file, shuffled (seeded) and numbered, into
parts for readers who see nothing but the clinic's entries and pages: never the assistant, its replies or which half a
question is in. Give each part to two readers, each with `prompt.md` and a letter (A, B); they write `out-{N}{L}.yaml`.
`agree` then prints the label changes both readers of a part agree on, under a rule fixed before any reader's
answer is seen: both flag the question and name the same category; out of scope if both say so, in scope with the
entries both name (none in common: no change). README, "A label check".

Usage:
    .venv/bin/python scripts/label_check.py parts tests/data/eval.yaml FOLDER [--parts 4]
    .venv/bin/python scripts/label_check.py agree FOLDER
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatbot.kb.knowledge import load
from chatbot.quality.evaluate import load_cases

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261203
READERS = ("A", "B")
PROMPT = """\
You are checking the labels of an evaluation set for a clinic's FAQ assistant. The assistant answers a patient's
question only by quoting one of the fixed FAQ entries of a ketamine infusion clinic, word for word; when no entry
answers the question it must say "please contact the office". Each question in the set is labelled either

- `in_scope` with `ids`: EVERY entry whose answer text, quoted alone, correctly answers what the patient asked; or
- `out_of_scope` (ids empty): no entry's answer text answers what the patient asked.

Your job: find labels that are clearly wrong. Read ONLY `entries.yaml` (id, question, answer: the answer is all the
patient would see), `clinic-site.txt` (the pages the entries were cut from, for context) and your part,
`part{N}.yaml`, in this folder. Open nothing else on this machine and run nothing that answers questions: the check
must be blind to how the assistant behaves.

For `in_scope`: does each listed entry's answer really answer the question (not merely the same topic)? Is an entry
missing whose answer also clearly answers it? Or does none answer it (then `out_of_scope`)? For `out_of_scope`: does
an entry's answer clearly answer it (then `in_scope` with those ids)? "Answers" means a patient who read only that
answer would have their question answered correctly. Typos and shorthand do not matter. Be conservative: flag only
labels you are confident are wrong; leave judgement calls alone.

Write `out-{N}{L}.yaml` in this folder, listing only the questions whose label you would change:

checked: <number of questions you read>
fixes:
  - n: 17
    category: in_scope          # the corrected category
    ids: [cost]                 # the corrected complete id list ([] for out_of_scope)
    reason: "one line, quoting the few words of the entry answer that decide it"
"""


def write_parts(eval_file: Path, folder: Path, parts: int) -> None:
    """The numbered questions in `parts` parts, with the entries, the pages and the readers' prompt beside them."""
    cases = [c for c in load_cases(eval_file) if c.category in ("in_scope", "out_of_scope")]
    questions = [{"category": c.category, "q": c.question, "ids": list(c.ids)} for c in cases]
    random.Random(SEED).shuffle(questions)
    folder.mkdir(parents=True, exist_ok=True)
    numbered = [{"n": n, **q} for n, q in enumerate(questions, 1)]
    for part in range(parts):
        _dump(folder / f"part{part + 1}.yaml", numbered[part::parts])
    kb = load(ROOT / "knowledge")
    _dump(folder / "entries.yaml", [{"id": e.id, "question": e.question, "answer": e.answer} for e in kb.entries])
    shutil.copy(ROOT / "knowledge" / "clinic-site.txt", folder / "clinic-site.txt")
    (folder / "prompt.md").write_text(PROMPT, encoding="utf-8")


def agreed(readings: Iterable[Mapping[int, dict]]) -> dict[int, dict]:
    """The changes every reading agrees on, by question number: the same category, and for in scope the ids all
    of them name."""
    readings = list(readings)
    changes: dict[int, dict] = {}
    for n in set.intersection(*(set(r) for r in readings)) if readings else ():
        fixes = [r[n] for r in readings]
        if len({f["category"] for f in fixes}) != 1:
            continue
        if fixes[0]["category"] == "out_of_scope":
            changes[n] = {"category": "out_of_scope", "ids": []}
        elif ids := set.intersection(*(set(f["ids"]) for f in fixes)):
            changes[n] = {"category": "in_scope", "ids": sorted(ids)}
    return changes


def agree(folder: Path) -> None:
    for part in sorted(folder.glob("part*.yaml")):
        questions = {q["n"]: q for q in yaml.safe_load(part.read_text(encoding="utf-8"))}
        number = part.stem.removeprefix("part")
        readings = [_fixes(folder / f"out-{number}{reader}.yaml") for reader in READERS]
        for n, change in sorted(agreed(readings).items()):
            old = questions[n]
            if (old["category"], sorted(old["ids"])) != (change["category"], change["ids"]):
                print(f"{old['q']!r}: {old['category']} {old['ids']} -> {change['category']} {change['ids']}")


def _fixes(path: Path) -> dict[int, dict]:
    return {fix["n"]: fix for fix in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("fixes") or []}


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    parts = commands.add_parser("parts", help="write the questions out in parts for blind readers")
    parts.add_argument("eval_file", type=Path)
    parts.add_argument("folder", type=Path)
    parts.add_argument("--parts", type=int, default=4)
    commands.add_parser("agree", help="print the changes both readers of a part agree on").add_argument(
        "folder", type=Path
    )
    args = parser.parse_args()
    if args.command == "parts":
        write_parts(args.eval_file, args.folder, args.parts)
    else:
        agree(args.folder)


if __name__ == "__main__":
    main()
