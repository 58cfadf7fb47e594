"""How well `redact` works, measured on messages whose personal details someone else labelled.

The set (`tests/data/personal-details.yaml`, written blind: its writer never saw `redact.py`) has
`personal` messages, each with its details (`kind`, `value`: the detail exactly as it appears in
the text), and `ordinary` clinic questions that must come through unchanged. Each message falls
once and for all into the tuning or the held-out half by the same seeded hash as the evaluation
set (`evaluate.half_of`); rules are written against the tuning half only.

A detail counts as caught when every word of it (each run of letters or digits, except the words
that only join its parts: "at", "dot", "of", "and") lies inside a redacted span. An ordinary
question counts as changed when `redact` gives anything but its prepared form (`redact.prepare`:
NFKC, dashes made "-", spaces collapsed, which every stored question goes through).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from chatbot.errors import DetailsSetError
from chatbot.quality.evaluate import half_of
from chatbot.storage.redact import find, prepare, redact

_JOINING_WORDS = frozenset({"at", "dot", "of", "and", "the", "in", "on"})


@dataclass(frozen=True)
class Detail:
    kind: str
    value: str


@dataclass(frozen=True)
class Message:
    text: str
    details: tuple[Detail, ...]

    @property
    def half(self) -> str:
        return half_of(self.text)


@dataclass(frozen=True)
class DetailsSet:
    personal: tuple[Message, ...]
    ordinary: tuple[str, ...]

    def half(self, name: str | None) -> DetailsSet:
        """Only the messages and questions of one half (None: all)."""
        return DetailsSet(
            tuple(m for m in self.personal if name is None or m.half == name),
            tuple(q for q in self.ordinary if name is None or half_of(q) == name),
        )


@dataclass
class Measurement:
    caught: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    missed: list[tuple[str, Detail]] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    ordinary: int = 0

    def recall(self, kinds: Iterable[str] | None = None) -> float:
        chosen = list(self.total) if kinds is None else list(kinds)
        total = sum(self.total[k] for k in chosen)
        return sum(self.caught[k] for k in chosen) / total if total else 1.0

    def changed_rate(self) -> float:
        return len(self.changed) / self.ordinary if self.ordinary else 0.0


def load(path: Path) -> DetailsSet:
    """Read the set; every detail must appear in its message.

    Raises:
        DetailsSetError: naming the file, the message and what is wrong.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    personal = []
    for number, item in enumerate(data.get("personal") or [], start=1):
        details = tuple(Detail(str(d["kind"]), str(d["value"])) for d in item.get("details") or [])
        for detail in details:
            if detail.value not in item["text"]:
                raise DetailsSetError(f"{path}: personal message {number}: detail {detail.value!r} is not in its text")
        personal.append(Message(str(item["text"]), details))
    return DetailsSet(tuple(personal), tuple(str(q) for q in data.get("ordinary") or []))


def measure(details_set: DetailsSet) -> Measurement:
    result = Measurement(ordinary=len(details_set.ordinary))
    for message in details_set.personal:
        text = prepare(message.text)
        covered = _covered(text)
        for detail in message.details:
            result.total[detail.kind] += 1
            if _caught(text, covered, prepare(detail.value)):
                result.caught[detail.kind] += 1
            else:
                result.missed.append((message.text, detail))
    for question in details_set.ordinary:
        redacted = redact(question)
        if redacted != prepare(question):
            result.changed.append((question, redacted))
    return result


def _covered(text: str) -> list[bool]:
    covered = [False] * len(text)
    for span in find(text):
        covered[span.start : span.end] = [True] * (span.end - span.start)
    return covered


def _caught(text: str, covered: list[bool], value: str) -> bool:
    """Whether every occurrence of `value` in `text` has all its telling words covered."""
    starts = [m.start() for m in re.finditer(re.escape(value), text)]
    if not starts:
        return False
    words = [w for w in re.finditer(r"[^\W_]+", value) if w.group().lower() not in _JOINING_WORDS]
    return all(all(covered[s + w.start() : s + w.end()]) for s in starts for w in words)
