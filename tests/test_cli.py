"""The `chatbot` command, with the real model (one index built per session)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from chatbot.channels.terminal.cli import cli
from chatbot.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture
def run(real_settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CHATBOT_INDEX_DIR", str(real_settings.index_dir))
    monkeypatch.setenv("CHATBOT_KNOWLEDGE_DIR", str(real_settings.knowledge_dir))

    def invoke(*args: str, stdin: str | bytes | None = None):
        return CliRunner().invoke(cli, list(args), input=stdin)

    return invoke


def test_ask_prints_the_answer_with_its_kind_and_score(run) -> None:
    result = run("ask", "how much does it cost?")
    assert result.exit_code == 0
    assert result.output.startswith("[answer, entry cost, score ")
    assert "$750-$800" in result.output


def test_ask_json_prints_the_reply_object(run) -> None:
    result = run("ask", "--json", "how much does it cost?")
    reply = json.loads(result.stdout)
    assert reply["kind"] == "answer" and reply["id"] == "cost" and isinstance(reply["score"], float)


def test_ask_explain_adds_the_candidates_table(run) -> None:
    result = run("ask", "--explain", "do you have wifi")
    assert "entry wifi" in result.output
    assert "score" in result.output and "wifi" in result.output.split("\n", 3)[-1]


def test_ask_explain_names_the_out_of_scope_exemplar_that_vetoed_an_answer(run) -> None:
    """The plain question's own entry is first, but a near miss in out-of-scope.yaml is close behind: staff see the
    judge's verdict with what it weighed, then that exemplar, not 'not close enough'."""
    result = run("ask", "--explain", "can my mom come with me")
    headline = result.output.splitlines()[0]
    assert headline.startswith("[clarify, closest entry companion, judged -")
    assert "out-of-scope exemplar 'my mom had a heart attack" in headline
    assert "Asked instead of answering: the judge scores companion at -" in result.output
    assert (
        "Asked instead of answering: the out-of-scope exemplar"
        " 'my mom had a heart attack in march can she come with me to my appointment' scores 0." in result.output
    )
    reply = json.loads(run("ask", "--json", "--explain", "can my mom come with me").stdout)
    judge, veto = reply["why"]
    assert judge["rule"] == "judge" and "2 telling words" in judge["message"]
    assert (
        veto["rule"] == "out-of-scope-exemplar"
        and veto["exemplar"] == "my mom had a heart attack in march can she come with me to my appointment"
    )
    assert veto["exemplar_score"] > reply["score"] - 0.1


def test_the_plain_question_an_exemplar_used_to_veto_reaches_the_companion_answer(run) -> None:
    """Issue 14's example: "can my husband drive me home" fell back because "my husband had a stroke last year can he
    drive me home" is out of scope; the clinic's companion answer is what the patient needs. It is now offered first
    (side-effects-after-treatment, "do I need someone to take me home?", answers it too and comes a close second),
    and a plainer wording is answered outright. "can my husband take me home" was answered too until the English
    encoder was adapted without the Spanish wordings (seventeenth session): it is offered companion first since."""
    for question in ("can my husband drive me home", "can my husband take me home"):
        offered = json.loads(run("ask", "--json", question).stdout)
        assert (offered["kind"], offered["suggestions"][0]["id"]) == ("clarify", "companion"), question
    reply = json.loads(run("ask", "--json", "can my wife pick me up after").stdout)
    assert (reply["kind"], reply["id"]) == ("answer", "companion")


def test_batch_mode_answers_every_line_in_order_and_reports_bad_ones(run) -> None:
    lines = ["What is the cost?", "", "do u have wifi", "x" * 1001, "I want to kill myself", "zzzz qqqq"]
    result = run("ask", "--json", stdin="\n".join(lines) + "\n")
    assert result.exit_code == 0
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(replies) == len(lines)
    assert replies[0]["id"] == "cost"
    assert replies[1] == {"line": 2, "error": "question is empty after trimming whitespace"}
    assert replies[2]["id"] == "wifi"
    assert replies[3]["error"].startswith("question is 1,001 characters long")
    assert replies[4]["kind"] == "emergency"
    assert replies[5]["kind"] == "fallback"


def test_batch_mode_survives_invalid_utf8(run) -> None:
    result = run("ask", "--json", stdin=b"What is the cost?\n\xff\xfe bad bytes\ndo u have wifi\n")
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("id") for r in replies][::2] == ["cost", "wifi"]
    assert len(replies) == 3


def test_an_empty_question_is_a_usage_error(run) -> None:
    result = run("ask", "   ")
    assert result.exit_code == 2
    assert "question is empty after trimming whitespace" in result.output


def test_a_broken_knowledge_base_is_an_error_message_not_a_traceback(run, knowledge_copy, monkeypatch) -> None:
    (knowledge_copy / "faq.yaml").write_text("entries:\n  - id: cost\n", encoding="utf-8")
    monkeypatch.setenv("CHATBOT_KNOWLEDGE_DIR", str(knowledge_copy))
    result = run("ask", "what is the cost")
    assert result.exit_code == 2
    assert "problem(s):\n  1. " in result.output  # one problem per line, not an escaped "\\x0a"
    assert "faq.yaml, line 2: entry 'cost', field 'answer': missing field" in result.output
    assert "Traceback" not in result.output


def test_an_argument_that_is_not_utf8_is_read_leniently(run) -> None:
    result = run("ask", "what is the cost\udcff")  # how Python hands over the byte 0xff from argv
    assert result.exit_code == 0
    assert "entry cost" in result.output


def test_ask_works_from_another_folder(real_settings: Settings, tmp_path) -> None:
    """The knowledge base is found through the project folder, not the working directory."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"CHATBOT_KNOWLEDGE_DIR", "CHATBOT_HOME"}}
    env |= {"CHATBOT_INDEX_DIR": str(real_settings.index_dir), "HF_HUB_OFFLINE": "1"}
    asked = subprocess.run(
        [sys.executable, "-m", "chatbot", "ask", "how much does it cost?"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.startswith("[answer, entry cost, score ")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CHATBOT_LIMITS_STORAGE", "redis//cache.example:6379"),
        ("CHATBOT_LIMITS_STORAGE", "memcached://cache.example:11211"),
        ("CHATBOT_DATABASE_URL", "mysql://chatbot:s3cret-pass@db.example/chatbot"),
    ],
)
def test_a_shared_store_that_cannot_be_used_stops_serve_with_its_name_not_a_traceback(
    variable: str, value: str
) -> None:
    result = CliRunner().invoke(cli, ["serve"], env={variable: value})
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {variable} has value"), result.output
    assert "Traceback" not in result.output and "s3cret" not in result.output


def test_build_builds_the_answer_models_index_too_and_ask_reads_both(
    run, real_settings: Settings, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CHATBOT_ANSWER_MODEL, here the packaged model's own folder (so every answer stays the same)."""
    from chatbot.kb.encoder import resolve_model

    monkeypatch.setenv("CHATBOT_ANSWER_MODEL", str(resolve_model("").path))
    monkeypatch.setenv("CHATBOT_ANSWER_INDEX_DIR", str(tmp_path / "index-answers"))
    built = run("build")
    assert built.exit_code == 0, built.output
    assert re.findall(r"Built (\S+) in ", built.output) == [
        str((real_settings.index_dir / "current").resolve()),
        str((tmp_path / "index-answers" / "current").resolve()),
    ]
    reply = json.loads(run("ask", "--json", "how much does it cost?").stdout)
    assert (reply["kind"], reply["id"]) == ("answer", "cost")
