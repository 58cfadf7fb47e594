"""Load and validate the knowledge base (`knowledge/*.yaml`).

Each YAML file declares what it holds by its top-level keys:

- `entries`: the clinic's answers (`id`, `question`, `answer`, `alternates`);
- `spanish_alternates`: Spanish ways of asking for an entry, by its id (more keys, never answers);
- `out_of_scope`: questions patients ask that the clinic has not answered;
- `emergency` / `not_emergency`: exemplars for the emergency check; `spanish_emergency` /
  `spanish_not_emergency` the same in Spanish, compared only with messages read as Spanish;
- `clinic`: the clinic's name and the office-authored messages, in English (`messages`) and Spanish (`messages_es`);
- `smalltalk`: the office's replies to small talk by intent, with the `words` and `exemplars` that recognise it;
- `policy`: the decision thresholds written by `chatbot calibrate`.

Every `answer` must be a verbatim excerpt of `clinic-site.txt` (whitespace aside).
Validation collects every problem before raising, so staff fix them all in one go.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, TypeGuard

import yaml

from chatbot.domain import NONE_OF_THESE, Entry, Judge, Messages, SmallTalk, Thresholds
from chatbot.errors import NOWHERE, KnowledgeError, Problem

SOURCE_FILE = "clinic-site.txt"
MAX_ANSWER_CHARS = 480  # three SMS segments
ENTRY_FIELDS = {"id", "question", "answer", "alternates"}
TOP_LEVEL_KEYS = {
    "entries",
    "spanish_alternates",
    "out_of_scope",
    "emergency",
    "not_emergency",
    "spanish_emergency",
    "spanish_not_emergency",
    "clinic",
    "smalltalk",
    "policy",
}
CALIBRATED_FOR = "calibrated_for"
ENCODER_ROLES = {"encoder", "answer_encoder", "spanish_encoder"}
SMALLTALK_FIELDS = {"replies", "replies_es", "words", "words_es", "exemplars"}
PLACEHOLDERS = {"office_phone", "clinic_name"}
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[Entry, ...]
    out_of_scope: tuple[str, ...]
    emergency: tuple[str, ...]
    not_emergency: tuple[str, ...]
    messages: Messages
    thresholds: Thresholds
    fingerprint: str
    spanish_emergency: tuple[str, ...] = ()
    spanish_not_emergency: tuple[str, ...] = ()
    smalltalk: SmallTalk = field(default_factory=SmallTalk)
    # The files it was validated from (name, text), kept with each index version built from it.
    files: tuple[tuple[str, str], ...] = field(default=(), repr=False, compare=False)
    # The weights' sha256 the policy was calibrated with, by role (`encoder`, `answer_encoder`): see startup.py.
    calibrated_for: tuple[tuple[str, str], ...] = ()
    # When this is the last good knowledge base served in place of an invalid one on disk: what is wrong there.
    problems_on_disk: tuple[Problem, ...] = field(default=(), compare=False)

    def entry(self, entry_id: str) -> Entry:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)


def collapse(text: str) -> str:
    """Whitespace-insensitive form used for the verbatim rule."""
    return " ".join(text.split())


def load(folder: Path) -> KnowledgeBase:
    """Read every YAML file of `folder` and return a validated knowledge base.

    Raises:
        KnowledgeError: with every problem found, each naming file, entry and field.
    """
    texts, problems = read_files(folder)
    return validate(folder, texts, problems)


def read_files(folder: Path) -> tuple[dict[str, str], list[Problem]]:
    """The knowledge base's files as text, by name (the clinic's pages and every *.yaml), and those that cannot be
    read."""
    source_path = folder / SOURCE_FILE
    try:
        texts = {SOURCE_FILE: source_path.read_text(encoding="utf-8")}
    except (OSError, UnicodeDecodeError) as exc:
        hint = "is CHATBOT_KNOWLEDGE_DIR (or CHATBOT_HOME) right?" if not folder.is_dir() else "it must be UTF-8 text"
        raise KnowledgeError(
            [Problem(str(source_path), NOWHERE, NOWHERE, f"cannot read the clinic's pages ({exc}); {hint}")]
        ) from exc
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            texts[path.name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), NOWHERE, NOWHERE, f"cannot read it: {exc}"))
    if len(texts) == 1 and not problems:
        problems.append(Problem(str(folder), NOWHERE, NOWHERE, "no *.yaml files found"))
    return texts, problems


def validate(folder: Path, texts: Mapping[str, str], problems: list[Problem] | None = None) -> KnowledgeBase:
    """The knowledge base held in `texts` (file name -> text, as `read_files` gives), validated.

    Raises:
        KnowledgeError: with every problem found (and those passed in), each naming file, entry and field.
    """
    problems = list(problems or [])
    source = collapse(texts[SOURCE_FILE])
    parsed: dict[str, list[tuple[str, Any]]] = {key: [] for key in TOP_LEVEL_KEYS}
    for file_name, text in sorted(texts.items()):
        if not file_name.endswith(".yaml"):
            continue
        name = str(folder / file_name)
        try:
            document = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            problems.append(yaml_problem(name, text, exc))
            continue
        if not isinstance(document, dict):
            problems.append(Problem(name, NOWHERE, NOWHERE, "expected a mapping of top-level keys"))
            continue
        for key, value in document.items():
            if key not in TOP_LEVEL_KEYS:
                problems.append(
                    Problem(name, NOWHERE, str(key), f"unknown top-level key; expected one of {sorted(TOP_LEVEL_KEYS)}")
                )
            else:
                parsed[key].append((name, value))

    declared = {
        item.get("id")
        for _, items in parsed["entries"]
        if isinstance(items, list)
        for item in items
        if isinstance(item, dict)
    }
    entries = _with_spanish(
        _entries(parsed["entries"], source, problems), declared, parsed["spanish_alternates"], problems
    )
    out_of_scope = _phrases(parsed["out_of_scope"], "out_of_scope", problems)
    emergency = _phrases(parsed["emergency"], "emergency", problems)
    not_emergency = _phrases(parsed["not_emergency"], "not_emergency", problems)
    spanish_emergency = _phrases(parsed["spanish_emergency"], "spanish_emergency", problems)
    spanish_not_emergency = _phrases(parsed["spanish_not_emergency"], "spanish_not_emergency", problems)
    messages = _messages(parsed["clinic"], problems)
    smalltalk, replies, replies_es = _smalltalk(parsed["smalltalk"], problems)
    thresholds = _thresholds(parsed["policy"], problems)
    calibrated_for = _calibrated_for(parsed["policy"], problems)
    _check_ambiguous_keys(entries, _phrases_by_file(parsed["out_of_scope"]), problems)
    if not entries and not problems:
        problems.append(Problem(str(folder), NOWHERE, "entries", "the knowledge base has no entries"))
    if problems:
        raise KnowledgeError([located(problem, texts) for problem in problems])
    assert messages is not None
    messages = replace(messages, smalltalk=replies, spanish=replace(messages.in_language("es"), smalltalk=replies_es))
    content = {
        # Where an entry lives doesn't change what it answers, so `source` stays out of the fingerprint.
        "entries": [{k: v for k, v in asdict(e).items() if k != "source"} for e in entries],
        "out_of_scope": out_of_scope,
        "emergency": emergency,
        "not_emergency": not_emergency,
        "spanish_emergency": spanish_emergency,
        "spanish_not_emergency": spanish_not_emergency,
        "messages": asdict(messages),
        "smalltalk": asdict(smalltalk),
    }
    fingerprint = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return KnowledgeBase(
        tuple(entries),
        tuple(out_of_scope),
        tuple(emergency),
        tuple(not_emergency),
        messages,
        thresholds,
        fingerprint,
        tuple(spanish_emergency),
        tuple(spanish_not_emergency),
        smalltalk,
        files=tuple(sorted(texts.items())),
        calibrated_for=calibrated_for,
    )


# A quote or bracket opened and never closed: PyYAML reports where it gave up (often the end of the
# file), but the mistake is where it was opened.
_UNCLOSED = ("quoted scalar", "flow sequence", "flow mapping")
_YAML_HINTS = {
    "mapping values are not allowed": "a colon followed by a space inside unquoted text: put the whole text in quotes",
    "cannot start any token": "YAML indents with spaces, never tabs",
    "expected '-' indicator": "the lines of one list must start with '-' at the same indentation",
    "expected <block end>": "the lines of one list must start with '-' at the same indentation",
}


def yaml_problem(name: str, text: str, exc: yaml.YAMLError) -> Problem:
    """A YAML syntax error as staff can act on it: the real line and column, a caret under the place, and a hint."""
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    context = str(getattr(exc, "context", None) or "")
    reason = str(getattr(exc, "problem", None) or exc)
    unclosed = context_mark is not None and any(kind in context for kind in _UNCLOSED)
    mark = context_mark if unclosed else problem_mark
    if mark is None:
        return Problem(name, NOWHERE, NOWHERE, f"not readable YAML: {exc}")
    if unclosed:
        opened = "quote" if "quoted" in context else "bracket"
        where = f" at line {problem_mark.line + 1}" if problem_mark is not None else ""
        message = f"not readable YAML: this {opened} is never closed (YAML {reason}{where})"
    else:
        hint = next((h for key, h in _YAML_HINTS.items() if key in reason), "")
        message = f"not readable YAML: {reason}" + (f"; {hint}" if hint else "")
    lines = text.splitlines() or [""]
    shown = lines[min(mark.line, len(lines) - 1)].replace("\t", " ")
    return Problem(
        name, NOWHERE, NOWHERE, f"{message}, column {mark.column + 1}:\n{shown}\n{' ' * mark.column}^", mark.line + 1
    )


def load_snapshot(path: Path) -> KnowledgeBase:
    """A knowledge base from the snapshot an index version keeps (`write_snapshot`), validated again.

    Raises:
        KnowledgeError: the snapshot does not hold a valid knowledge base.
        OSError, ValueError: it cannot be read.
    """
    texts = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(texts, dict) or SOURCE_FILE not in texts or not all(isinstance(t, str) for t in texts.values()):
        raise ValueError(f"{path} is not a knowledge-base snapshot")
    return validate(path, texts)


def write_snapshot(kb: KnowledgeBase, path: Path) -> None:
    """Keep the files `kb` was validated from, so the index built from it can serve it again (see `load_snapshot`)."""
    path.write_text(json.dumps(dict(kb.files), ensure_ascii=False), encoding="utf-8")


def at_wording(problem: Problem, wording: str, texts: Mapping[str, str] | tuple[tuple[str, str], ...]) -> Problem:
    """`problem` about one of an entry's alternates, pointed at the line of the entry's file that says it. Unchanged
    when no list item says it in so many words."""
    own = Path(problem.file).name
    for number, line in enumerate(dict(texts).get(own, "").splitlines(), start=1):
        if _item(line) == wording:
            return replace(problem, file=own, line=number)
    return problem


def _item(line: str) -> object:
    """The scalar a one-line YAML list item holds (`- text`, quoted or not), or None."""
    item = line.strip()
    if not item.startswith("- "):
        return None
    try:
        return yaml.safe_load(item[2:])
    except yaml.YAMLError:
        return None


def located(problem: Problem, texts: Mapping[str, str] | tuple[tuple[str, str], ...]) -> Problem:
    """`problem` with the line of its entry (`id: ...`) in its file's text, when it has none, so staff go straight
    there."""
    if problem.line is not None or not _SLUG.match(problem.entry):
        return problem
    text = dict(texts).get(Path(problem.file).name, "")
    found = re.search(rf"^[ \t-]*id:[ \t]*[\"']?{re.escape(problem.entry)}[\"']?[ \t]*(#.*)?$", text, re.MULTILINE)
    return replace(problem, line=text.count("\n", 0, found.start()) + 1) if found else problem


def _entries(sections: list[tuple[str, Any]], source: str, problems: list[Problem]) -> list[Entry]:
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for name, items in sections:
        if not isinstance(items, list):
            problems.append(Problem(name, NOWHERE, "entries", "expected a list of entries"))
            continue
        for position, item in enumerate(items, start=1):
            entry = _entry(name, position, item, source, problems)
            if entry is None:
                continue
            if entry.id in seen:
                problems.append(Problem(name, entry.id, "id", f"duplicate id (also in {seen[entry.id]})"))
                continue
            seen[entry.id] = name
            entries.append(entry)
    return entries


def _entry(name: str, position: int, item: Any, source: str, problems: list[Problem]) -> Entry | None:
    label = f"#{position}"
    if not isinstance(item, dict):
        problems.append(Problem(name, label, NOWHERE, "expected a mapping with id, question, answer, alternates"))
        return None
    before = len(problems)
    entry_id = item.get("id")
    if entry_id == NONE_OF_THESE:
        problems.append(Problem(name, label, "id", f"{entry_id!r} is reserved for the 'None of these' choice"))
    elif isinstance(entry_id, str) and _SLUG.match(entry_id):
        label = entry_id
    else:
        problems.append(Problem(name, label, "id", f"must be a lowercase slug like 'cost', got {entry_id!r}"))
    for key in sorted(set(item) - ENTRY_FIELDS):
        problems.append(Problem(name, label, str(key), f"unknown field; allowed: {sorted(ENTRY_FIELDS)}"))
    for key in sorted(ENTRY_FIELDS - set(item)):
        problems.append(Problem(name, label, key, "missing field"))

    question = item.get("question")
    if "question" in item and not _is_text(question):
        problems.append(Problem(name, label, "question", f"must be non-empty text, got {question!r}"))
    answer = item.get("answer")
    if "answer" in item:
        if not _is_text(answer):
            problems.append(Problem(name, label, "answer", f"must be non-empty text, got {answer!r}"))
        elif collapse(answer) not in source:
            problems.append(
                Problem(
                    name, label, "answer", f"is not a verbatim excerpt of {SOURCE_FILE}: {not_verbatim(answer, source)}"
                )
            )
        elif len(collapse(answer)) > MAX_ANSWER_CHARS:
            problems.append(
                Problem(
                    name,
                    label,
                    "answer",
                    f"is {len(collapse(answer))} characters; at most {MAX_ANSWER_CHARS} (three SMS segments)",
                )
            )
    alternates = item.get("alternates")
    if "alternates" in item:
        if not isinstance(alternates, list):
            problems.append(Problem(name, label, "alternates", f"must be a list of questions, got {alternates!r}"))
        else:
            for number, alternate in enumerate(alternates, start=1):
                if not _is_text(alternate):
                    problems.append(
                        Problem(name, label, f"alternates[{number}]", f"must be non-empty text, got {alternate!r}")
                    )
    # A field that failed its check above added a problem; its type, checked again, is what the checker needs.
    if len(problems) > before or not (
        isinstance(entry_id, str) and _is_text(question) and _is_text(answer) and isinstance(alternates, list)
    ):
        return None
    return Entry(
        id=entry_id,
        question=collapse(question),
        answer=collapse(answer),
        alternates=tuple(collapse(a) for a in alternates),
        source=name,
    )


def _with_spanish(
    entries: list[Entry], declared: set[Any], sections: list[tuple[str, Any]], problems: list[Problem]
) -> list[Entry]:
    """The entries with their Spanish alternates added to their keys.

    An id no entry declares is a problem; one whose entry is invalid is not another one (that entry's own is reported).
    """
    spanish: dict[str, list[str]] = {}
    valid = {entry.id for entry in entries}
    for name, by_id in sections:
        if not isinstance(by_id, dict):
            problems.append(
                Problem(name, NOWHERE, "spanish_alternates", "expected a mapping of entry id to a list of questions")
            )
            continue
        for entry_id, items in by_id.items():
            if entry_id not in declared:
                problems.append(Problem(name, str(entry_id), "spanish_alternates", "no entry has this id"))
            if entry_id not in valid:
                continue
            spanish.setdefault(entry_id, []).extend(
                _phrases([(name, items)], f"spanish_alternates.{entry_id}", problems)
            )
    return [replace(e, spanish=tuple(spanish[e.id])) if e.id in spanish else e for e in entries]


def _phrases(sections: list[tuple[str, Any]], key: str, problems: list[Problem]) -> list[str]:
    phrases: list[str] = []
    for name, items in sections:
        if not isinstance(items, list):
            problems.append(Problem(name, NOWHERE, key, "expected a list of questions"))
            continue
        for number, item in enumerate(items, start=1):
            if _is_text(item):
                phrases.append(collapse(item))
            else:
                problems.append(Problem(name, NOWHERE, f"{key}[{number}]", f"must be non-empty text, got {item!r}"))
    return phrases


# Office texts said in only one language: the bilingual notice is one text in English and Spanish at once, and
# only a Spanish reply needs a line introducing the clinic's English answer.
ENGLISH_ONLY = frozenset({"other_language"})
SPANISH_ONLY = frozenset({"english_answer"})
OFFICE_TEXTS = frozenset(f.name for f in fields(Messages)) - {"clinic_name", "lang", "spanish", "smalltalk"}


def _messages(sections: list[tuple[str, Any]], problems: list[Problem]) -> Messages | None:
    if len(sections) != 1:
        where = ", ".join(name for name, _ in sections) or "knowledge/"
        problems.append(
            Problem(where, NOWHERE, "clinic", f"expected exactly one 'clinic' section, found {len(sections)}")
        )
        return None
    name, clinic = sections[0]
    if not isinstance(clinic, dict) or not _is_text(clinic.get("name")):
        problems.append(
            Problem(name, "clinic", NOWHERE, "expected 'name' (text), 'messages' and 'messages_es' (mappings)")
        )
        return None
    before = len(problems)
    english = _texts(name, clinic, "messages", OFFICE_TEXTS - SPANISH_ONLY, problems)
    spanish = _texts(name, clinic, "messages_es", OFFICE_TEXTS - ENGLISH_ONLY, problems)
    if "please contact the office" not in english.get("fallback", "").lower():
        problems.append(Problem(name, "clinic", "messages.fallback", "must say 'please contact the office'"))
    for key, texts in (("messages", english), ("messages_es", spanish)):
        for message in ("emergency", "unreachable"):
            if "911" not in texts.get(message, "") or "988" not in texts.get(message, ""):
                problems.append(Problem(name, "clinic", f"{key}.{message}", "must give both 911 and 988"))
    if "911" not in english.get("other_language", "") or "988" not in english.get("other_language", ""):
        problems.append(Problem(name, "clinic", "messages.other_language", "must give both 911 and 988"))
    if len(problems) > before:
        return None
    clinic_name = collapse(clinic["name"])
    # Keyed by Messages' text fields (OFFICE_TEXTS, never `spanish` or `smalltalk`), names known only when this
    # runs, so the type checker cannot pair each text with its parameter.
    english_fields: dict[str, Any] = english
    spanish_fields: dict[str, Any] = spanish
    return Messages(
        clinic_name=clinic_name,
        **english_fields,
        spanish=Messages(clinic_name=clinic_name, lang="es", **spanish_fields),
    )


def _texts(
    name: str, clinic: dict[str, Any], key: str, wanted: frozenset[str], problems: list[Problem]
) -> dict[str, str]:
    """One language's office texts, each checked for its placeholders; a missing one is a problem naming it."""
    texts = clinic.get(key)
    if not isinstance(texts, dict):
        problems.append(Problem(name, "clinic", key, f"expected a mapping of the office's messages, got {texts!r}"))
        return {}
    for extra in sorted(set(texts) - wanted):
        problems.append(Problem(name, "clinic", f"{key}.{extra}", f"unknown message; expected {sorted(wanted)}"))
    found: dict[str, str] = {}
    for message in sorted(wanted):
        text = texts.get(message)
        if _check_message(text, Problem(name, "clinic", f"{key}.{message}", ""), problems):
            found[message] = collapse(text)
    return found


def _check_message(text: object, where: Problem, problems: list[Problem]) -> TypeGuard[str]:
    """Whether `text` is an office message: non-empty text whose placeholders are known ones; if not, the problem is
    added. `where` names it (its message is unused)."""
    if not _is_text(text):
        problems.append(replace(where, message=f"must be non-empty text, got {text!r}"))
        return False
    try:
        unknown = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None} - PLACEHOLDERS
    except ValueError as exc:  # a lone "{" or "}"
        problems.append(replace(where, message=f"{exc}; write a literal brace as {{{{ or }}}}"))
        return False
    if unknown:
        problems.append(replace(where, message=f"unknown placeholder(s) {sorted(unknown)}"))
        return False
    return True


def _smalltalk(
    sections: list[tuple[str, Any]], problems: list[Problem]
) -> tuple[SmallTalk, dict[str, str], dict[str, str]]:
    """The small-talk section (optional): a reply per intent in English and in Spanish (`replies_es`, one for every
    intent), and the words and exemplars of intents that have one."""
    if not sections:
        return SmallTalk(), {}, {}
    if len(sections) > 1:
        where = ", ".join(name for name, _ in sections)
        problems.append(Problem(where, "smalltalk", "-", f"expected one 'smalltalk' section, found {len(sections)}"))
        return SmallTalk(), {}, {}
    name, section = sections[0]
    if not isinstance(section, dict) or not isinstance(section.get("replies"), dict):
        problems.append(Problem(name, "smalltalk", "replies", "expected a mapping of intent: reply"))
        return SmallTalk(), {}, {}
    before = len(problems)
    for key in sorted(set(section) - SMALLTALK_FIELDS):
        problems.append(Problem(name, "smalltalk", str(key), f"unknown field; allowed: {sorted(SMALLTALK_FIELDS)}"))
    replies = section["replies"]
    for intent, text in replies.items():
        if not isinstance(intent, str) or not _SLUG.match(intent):
            problems.append(
                Problem(name, "smalltalk", f"replies.{intent}", "an intent must be a lowercase slug like 'greeting'")
            )
        _check_message(text, Problem(name, "smalltalk", f"replies.{intent}", ""), problems)
    spanish = section.get("replies_es")
    if not isinstance(spanish, dict):
        problems.append(Problem(name, "smalltalk", "replies_es", "expected a mapping of intent: the reply in Spanish"))
        spanish = {}
    for intent in replies:
        _check_message(spanish.get(intent), Problem(name, "smalltalk", f"replies_es.{intent}", ""), problems)
    for intent in sorted(set(spanish) - set(replies)):
        problems.append(
            Problem(
                name,
                "smalltalk",
                f"replies_es.{intent}",
                f"no English reply for this intent; replies has {sorted(replies)}",
            )
        )
    phrases = {
        key: _intent_phrases(name, key, section.get(key, {}), set(replies), problems)
        for key in ("words", "words_es", "exemplars")
    }
    if len(problems) > before:
        return SmallTalk(), {}, {}
    return (
        SmallTalk(phrases["words"], phrases["exemplars"], phrases["words_es"]),
        {intent: collapse(text) for intent, text in replies.items()},
        {intent: collapse(spanish[intent]) for intent in replies},
    )


def _intent_phrases(
    name: str, key: str, value: Any, intents: set[str], problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        problems.append(Problem(name, "smalltalk", key, "expected a mapping of intent: list of phrases"))
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for intent, items in value.items():
        if intent not in intents:
            problems.append(
                Problem(
                    name, "smalltalk", f"{key}.{intent}", f"no reply for this intent; replies has {sorted(intents)}"
                )
            )
        elif not isinstance(items, list) or not all(_is_text(item) for item in items):
            problems.append(
                Problem(name, "smalltalk", f"{key}.{intent}", f"must be a list of non-empty texts, got {items!r}")
            )
        else:
            found[intent] = tuple(collapse(str(item)) for item in items)
    return found


def _thresholds(sections: list[tuple[str, Any]], problems: list[Problem]) -> Thresholds:
    if not sections:
        return Thresholds()
    if len(sections) > 1:
        where = ", ".join(name for name, _ in sections)
        problems.append(Problem(where, "policy", NOWHERE, f"expected one 'policy' section, found {len(sections)}"))
        return Thresholds()
    name, values = sections[0]
    if not isinstance(values, dict):
        problems.append(Problem(name, "policy", NOWHERE, "expected a mapping of thresholds"))
        return Thresholds()
    judge = values.get("judge")
    thresholds = {f.name for f in fields(Thresholds)} - {"judge"}
    plain = {k: v for k, v in values.items() if k not in {"judge", CALIBRATED_FOR}}
    numbers = _numbers(name, plain, thresholds, "threshold", problems)
    if judge is None:
        return Thresholds(**numbers)
    if not isinstance(judge, dict):
        problems.append(Problem(name, "policy", "judge", f"expected a mapping of weights, got {judge!r}"))
        return Thresholds(**numbers)
    weights = _numbers(name, judge, {f.name for f in fields(Judge)}, "judge weight", problems, prefix="judge.")
    missing = sorted({f.name for f in fields(Judge)} - weights.keys())
    if missing:
        problems.append(Problem(name, "policy", "judge", f"missing weights {missing}; run `chatbot calibrate`"))
        return Thresholds(**numbers)
    return Thresholds(**numbers, judge=Judge(**weights))


def _calibrated_for(sections: list[tuple[str, Any]], problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    """The policy's `calibrated_for`: which weights it was chosen for, by role (`Assistant.weights`); empty when not
    recorded."""
    if len(sections) != 1 or not isinstance(sections[0][1], dict) or CALIBRATED_FOR not in sections[0][1]:
        return ()
    name, recorded = sections[0][0], sections[0][1][CALIBRATED_FOR]
    if not isinstance(recorded, dict) or not all(
        role in ENCODER_ROLES and isinstance(sha, str) for role, sha in recorded.items()
    ):
        problems.append(
            Problem(
                name,
                "policy",
                CALIBRATED_FOR,
                f"expected a mapping of {sorted(ENCODER_ROLES)} to strings, got {recorded!r}; run `chatbot calibrate`",
            )
        )
        return ()
    return tuple(sorted(recorded.items()))


def _numbers(
    name: str, values: dict[Any, Any], allowed: set[str], what: str, problems: list[Problem], prefix: str = ""
) -> dict[str, Any]:
    """The `allowed` names in `values`, each a number; anything else is a problem naming the field."""
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in allowed:
            problems.append(Problem(name, "policy", f"{prefix}{key}", f"unknown {what}; expected {sorted(allowed)}"))
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(Problem(name, "policy", f"{prefix}{key}", f"must be a number, got {value!r}"))
        else:
            clean[key] = float(value)
    return clean


def _phrases_by_file(sections: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Each readable phrase of `sections` with the file it came from."""
    return [
        (name, collapse(item))
        for name, items in sections
        if isinstance(items, list)
        for item in items
        if _is_text(item)
    ]


def _check_ambiguous_keys(entries: list[Entry], out_of_scope: list[tuple[str, str]], problems: list[Problem]) -> None:
    """The same phrasing under two entries (or also out of scope) would make retrieval a coin toss."""
    owner: dict[str, str] = {}
    for entry in entries:
        for key in entry.keys:
            folded = key.casefold()
            if folded in owner and owner[folded] != entry.id:
                problems.append(
                    Problem(entry.source, entry.id, "alternates", f"{key!r} is also a key of {owner[folded]!r}")
                )
            owner[folded] = entry.id
    for name, phrase in out_of_scope:
        if phrase.casefold() in owner:
            problems.append(
                Problem(
                    name,
                    NOWHERE,
                    "out_of_scope",
                    f"{phrase!r} is also a key of entry {owner[phrase.casefold()]!r}; keep it in one of the two",
                )
            )


def not_verbatim(answer: str, source: str) -> str:
    """Where `answer` departs from the page: the nearest passage and each place the words differ.

    Staff copy answers from the page and then slip (a word retyped, a sentence trimmed); naming the
    words is what lets them fix it without comparing 480 characters by eye.
    """
    said, page = collapse(answer).split(), collapse(source).split()
    longest = SequenceMatcher(None, page, said, autojunk=False).find_longest_match(0, len(page), 0, len(said))
    start = max(longest.a - longest.b, 0)
    passage = page[start : start + len(said) + 5]
    matcher = SequenceMatcher(None, passage, said, autojunk=False)
    if matcher.ratio() < 0.5:
        return f"{_clip(answer)!r}; no passage of the page is close to it"
    opcodes = matcher.get_opcodes()
    if opcodes and opcodes[-1][0] == "delete":  # the window's slack past the end of the answer
        passage = passage[: opcodes[-1][1]]
        opcodes = opcodes[:-1]
    changes = [
        _change(" ".join(passage[i1:i2]), " ".join(said[j1:j2])) for tag, i1, i2, j1, j2 in opcodes if tag != "equal"
    ]
    return f"the nearest passage of the page is {_clip(' '.join(passage), 120)!r}; " + "; ".join(changes)


def _change(page: str, answer: str) -> str:
    if not answer:
        return f"the answer leaves out {page!r}"
    if not page:
        return f"the answer adds {answer!r}"
    return f"the page says {page!r} where the answer says {answer!r}"


def _is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def _clip(text: str, limit: int = 60) -> str:
    text = collapse(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fill(messages: Messages, office_phone: str) -> Messages:
    """The messages (and their Spanish versions) with their placeholders filled in, ready to send."""
    values = {"office_phone": office_phone, "clinic_name": messages.clinic_name}
    texts = {name: getattr(messages, name).format(**values) for name in OFFICE_TEXTS}
    spanish = fill(messages.spanish, office_phone) if messages.spanish is not None else None
    smalltalk = {intent: text.format(**values) for intent, text in messages.smalltalk.items()}
    return replace(messages, **texts, spanish=spanish, smalltalk=smalltalk)
