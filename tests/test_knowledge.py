from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chatbot.errors import KnowledgeError
from chatbot.kb import knowledge

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "clinic-site.txt"


def test_every_answer_is_a_verbatim_excerpt_of_the_clinic_pages_and_fits_three_sms(kb: knowledge.KnowledgeBase) -> None:
    source = knowledge.collapse((Path("knowledge") / knowledge.SOURCE_FILE).read_text(encoding="utf-8"))
    for entry in kb.entries:
        assert knowledge.collapse(entry.answer) in source, entry.id
        assert len(entry.answer) <= 480, entry.id


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed is not beside this checkout")
def test_the_knowledge_base_copy_of_the_clinic_pages_is_the_seed() -> None:
    assert (Path("knowledge") / knowledge.SOURCE_FILE).read_bytes() == SEED.read_bytes()


def test_every_faq_of_the_seed_is_an_entry_with_at_least_ten_alternates(kb: knowledge.KnowledgeBase) -> None:
    faq = yaml.safe_load(Path("knowledge/faq.yaml").read_text())["entries"]
    assert len(faq) == 12
    for entry in kb.entries:
        assert len(entry.alternates) >= 10, entry.id


def test_page_furniture_is_never_an_answer(kb: knowledge.KnowledgeBase) -> None:
    for entry in kb.entries:
        assert "Introduction | The Science" not in entry.answer
        assert "Chrinic" not in entry.answer


def test_office_messages_say_what_the_clinic_requires(kb: knowledge.KnowledgeBase) -> None:
    messages = knowledge.fill(kb.messages, "555-0100")
    assert "please contact the office" in messages.fallback
    assert "555-0100" in messages.fallback
    assert "911" in messages.emergency and "988" in messages.emergency
    assert len(kb.out_of_scope) >= 40


def _write(folder: Path, name: str, data: object) -> None:
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _faq(folder: Path) -> list[dict[str, object]]:
    return yaml.safe_load((folder / "faq.yaml").read_text(encoding="utf-8"))["entries"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda e: e[1].update(id=e[0]["id"]), ["faq.yaml", "entry 'outpatient'", "field 'id'", "duplicate id"]),
        (lambda e: e[0].update(colour="blue"), ["entry 'outpatient'", "field 'colour'", "unknown field"]),
        (lambda e: e[0].pop("question"), ["entry 'outpatient'", "field 'question'", "missing field"]),
        (lambda e: e[0].update(answer="  "), ["entry 'outpatient'", "field 'answer'", "non-empty"]),
        (
            lambda e: e[0].update(answer="Yes. Infusions are free."),
            ["entry 'outpatient'", "field 'answer'", "not a verbatim excerpt"],
        ),
        (lambda e: e[0].update(alternates="how?"), ["entry 'outpatient'", "field 'alternates'", "must be a list"]),
        (lambda e: e[0].update(id="Not A Slug"), ["field 'id'", "lowercase slug"]),
    ],
)
def test_invalid_entries_are_reported_with_file_entry_and_field(
    knowledge_copy: Path, change, expected: list[str]
) -> None:
    entries = _faq(knowledge_copy)
    change(entries)
    _write(knowledge_copy, "faq.yaml", {"entries": entries})
    with pytest.raises(KnowledgeError) as raised:
        knowledge.load(knowledge_copy)
    message = str(raised.value)
    for part in expected:
        assert part in message


def test_an_over_long_answer_is_refused(knowledge_copy: Path) -> None:
    science = yaml.safe_load((knowledge_copy / "science.yaml").read_text(encoding="utf-8"))["entries"]
    science[0]["answer"] = " ".join(e["answer"] for e in science[:3])
    _write(knowledge_copy, "science.yaml", {"entries": science})
    with pytest.raises(
        KnowledgeError,
        match=r"science.yaml, line \d+: entry 'nmda-dorsal-horn', field 'answer': is \d+ characters; at most 480",
    ):
        knowledge.load(knowledge_copy)


def test_every_problem_is_reported_at_once(knowledge_copy: Path) -> None:
    entries = _faq(knowledge_copy)
    entries[0]["answer"] = "Invented text."
    entries[1]["extra"] = 1
    _write(knowledge_copy, "faq.yaml", {"entries": entries})
    (knowledge_copy / "broken.yaml").write_text("entries: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError) as raised:
        knowledge.load(knowledge_copy)
    assert len(raised.value.problems) == 3
    assert "broken.yaml" in str(raised.value)


def test_the_same_phrasing_under_two_entries_is_refused(knowledge_copy: Path) -> None:
    entries = _faq(knowledge_copy)
    entries[1]["alternates"].append(entries[0]["alternates"][0])
    _write(knowledge_copy, "faq.yaml", {"entries": entries})
    with pytest.raises(KnowledgeError, match="is also a key of 'outpatient'"):
        knowledge.load(knowledge_copy)


@pytest.mark.parametrize(
    ("section", "message", "text", "says"),
    [
        ("messages", "fallback", "Sorry, no idea.", r"clinic.yaml: entry 'clinic', field 'messages.fallback'"),
        ("messages_es", "emergency", "Llame al 911.", r"field 'messages_es.emergency': must give both 911 and 988"),
        ("messages", "unreachable", "Please call 911.", r"field 'messages.unreachable': must give both 911 and 988"),
    ],
)
def test_an_office_message_that_breaks_its_rule_is_refused(
    knowledge_copy: Path, section: str, message: str, text: str, says: str
) -> None:
    clinic = yaml.safe_load((knowledge_copy / "clinic.yaml").read_text(encoding="utf-8"))
    clinic["clinic"][section][message] = text
    _write(knowledge_copy, "clinic.yaml", clinic)
    with pytest.raises(KnowledgeError, match=says):
        knowledge.load(knowledge_copy)


@pytest.mark.parametrize(
    ("greeting", "says"),
    [
        ("Hello {", "Single '{' encountered"),
        ("Hello {} there", "unknown placeholder(s) ['']"),
        ("Call {doctor_phone}", "unknown placeholder(s) ['doctor_phone']"),
    ],
)
def test_a_broken_placeholder_is_a_problem_not_a_crash(knowledge_copy: Path, greeting: str, says: str) -> None:
    clinic = yaml.safe_load((knowledge_copy / "clinic.yaml").read_text(encoding="utf-8"))
    clinic["clinic"]["messages"]["greeting"] = greeting
    _write(knowledge_copy, "clinic.yaml", clinic)
    with pytest.raises(KnowledgeError) as raised:
        knowledge.load(knowledge_copy)
    assert "field 'messages.greeting'" in str(raised.value) and says in str(raised.value)


def test_two_policy_sections_are_refused(knowledge_copy: Path) -> None:
    (knowledge_copy / "more-policy.yaml").write_text("policy:\n  answer: 0.1\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="expected one 'policy' section, found 2"):
        knowledge.load(knowledge_copy)


def test_the_fingerprint_follows_the_content(knowledge_copy: Path, kb: knowledge.KnowledgeBase) -> None:
    assert knowledge.load(knowledge_copy).fingerprint == kb.fingerprint
    entries = _faq(knowledge_copy)
    entries[0]["alternates"].append("is this done in a hospital ward")
    _write(knowledge_copy, "faq.yaml", {"entries": entries})
    assert knowledge.load(knowledge_copy).fingerprint != kb.fingerprint


@pytest.mark.parametrize("message", ["fallback", "emergency", "sms_help", "english_answer"])
def test_an_office_message_without_its_spanish_version_is_refused_by_name(knowledge_copy: Path, message: str) -> None:
    clinic = yaml.safe_load((knowledge_copy / "clinic.yaml").read_text(encoding="utf-8"))
    del clinic["clinic"]["messages_es"][message]
    _write(knowledge_copy, "clinic.yaml", clinic)
    with pytest.raises(
        KnowledgeError, match=rf"clinic.yaml: entry 'clinic', field 'messages_es.{message}': must be non-empty text"
    ):
        knowledge.load(knowledge_copy)


def test_spanish_alternates_become_keys_of_their_entry(kb: knowledge.KnowledgeBase) -> None:
    cost = kb.entry("cost")
    assert "¿Cuánto cuesta cada infusión?" in cost.keys and "¿Cuánto cuesta cada infusión?" in cost.spanish
    assert "¿Cuánto cuesta cada infusión?" not in cost.alternates


def test_spanish_alternates_for_an_entry_that_does_not_exist_are_refused(knowledge_copy: Path) -> None:
    _write(knowledge_copy, "more.yaml", {"spanish_alternates": {"parking": ["¿Dónde me estaciono?"]}})
    with pytest.raises(
        KnowledgeError, match=r"more.yaml: entry 'parking', field 'spanish_alternates': no entry has this id"
    ):
        knowledge.load(knowledge_copy)


def test_spanish_small_talk_words_for_an_intent_without_a_reply_are_refused(knowledge_copy: Path) -> None:
    talk = yaml.safe_load((knowledge_copy / "smalltalk.yaml").read_text(encoding="utf-8"))
    talk["smalltalk"]["words_es"]["saludo"] = ["hola"]
    _write(knowledge_copy, "smalltalk.yaml", talk)
    with pytest.raises(KnowledgeError, match=r"field 'words_es.saludo': no reply for this intent"):
        knowledge.load(knowledge_copy)


# -- errors that say where and what ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "says"),
    [
        # An unclosed quote: PyYAML gives up at the end of the file; the mistake is where the quote opens.
        (
            'entries:\n  - id: cost\n    question: "How much\n    answer: x\n  - id: b\n',
            3,
            15,
            "this quote is never closed",
        ),
        ("entries:\n  - id: cost\n    question: What is it: really\n", 3, 25, "put the whole text in quotes"),
        ("entries:\n  - id: cost\n    question: q\n   answer: x\n", 4, 4, "same indentation"),
        ("entries:\n\t- id: cost\n", 2, 1, "never tabs"),
        ("entries: [unclosed\n\nfoo: bar\n", 1, 10, "this bracket is never closed"),
    ],
)
def test_a_yaml_mistake_names_the_file_the_real_line_and_column_with_a_caret(
    knowledge_copy: Path, text: str, line: int, column: int, says: str
) -> None:
    (knowledge_copy / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as raised:
        knowledge.load(knowledge_copy)
    [problem] = raised.value.problems
    assert (Path(problem.file).name, problem.line) == ("broken.yaml", line)
    message = str(raised.value)
    assert f"broken.yaml, line {line}: not readable YAML: " in message and says in message
    assert f"column {column}:" in message
    shown, caret = message.splitlines()[-2:]
    mistaken = text.splitlines()[line - 1].replace("\t", " ")
    indent = len(shown) - len(mistaken)
    assert shown.endswith(mistaken) and caret.strip() == "^" and caret.index("^") - indent == column - 1
    assert "<unicode string>" not in message and "entry '-'" not in message


def test_an_unreadable_clinic_page_says_which_setting_to_check(tmp_path: Path) -> None:
    with pytest.raises(
        KnowledgeError, match=r"cannot read the clinic's pages .*is CHATBOT_KNOWLEDGE_DIR \(or CHATBOT_HOME\) right\?"
    ):
        knowledge.load(tmp_path / "no-such-folder")


def test_a_non_verbatim_answer_names_the_nearest_passage_and_the_words_that_differ(knowledge_copy: Path) -> None:
    entries = _faq(knowledge_copy)
    assert entries[0]["answer"] == "Yes. All infusions are administered in our private office."
    entries[0]["answer"] = "Yes. All infusions are given in our private office."  # retyped from memory
    _write(knowledge_copy, "faq.yaml", {"entries": entries})
    with pytest.raises(KnowledgeError) as raised:
        knowledge.load(knowledge_copy)
    message = str(raised.value)
    assert "the nearest passage of the page is" in message
    assert "the nearest passage of the page is 'Yes. All infusions are administered in our private office.'" in message
    assert "the page says 'administered' where the answer says 'given'" in message


def test_an_answer_from_nowhere_says_no_passage_is_close(knowledge_copy: Path) -> None:
    entries = _faq(knowledge_copy)
    entries[0]["answer"] = "Yes. Infusions are free for everyone this month."
    _write(knowledge_copy, "faq.yaml", {"entries": entries})
    with pytest.raises(KnowledgeError, match="no passage of the page is close to it"):
        knowledge.load(knowledge_copy)


def test_an_out_of_scope_clash_names_its_file(knowledge_copy: Path) -> None:
    entries = _faq(knowledge_copy)
    (knowledge_copy / "more-out-of-scope.yaml").write_text(
        yaml.safe_dump({"out_of_scope": [entries[0]["alternates"][0]]}), encoding="utf-8"
    )
    with pytest.raises(
        KnowledgeError, match=r"more-out-of-scope.yaml: field 'out_of_scope': .* is also a key of entry 'outpatient'"
    ):
        knowledge.load(knowledge_copy)


def test_a_snapshot_gives_back_the_same_knowledge_base(kb: knowledge.KnowledgeBase, tmp_path: Path) -> None:
    knowledge.write_snapshot(kb, tmp_path / "knowledge.json")
    again = knowledge.load_snapshot(tmp_path / "knowledge.json")
    assert (again.fingerprint, again.thresholds, again.messages) == (kb.fingerprint, kb.thresholds, kb.messages)
