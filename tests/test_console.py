"""The staff console: `chatbot ask` on a terminal, driven through a real pseudo-terminal."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pexpect
import pytest
from rich.console import Console

from chatbot.channels.terminal.console import headline, show
from chatbot.domain import Kind, Match, Objection, Reply, Suggestion
from chatbot.settings import Settings

CHATBOT = Path(sys.executable).parent / "chatbot"
PROMPT = r"(?:^|\n)(?:\x1b\[\?2004h)?\? "  # "? " at the start of a line (readline may switch on bracketed paste first)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")
UP = "\x1b[A"
TOP = (Match("cost", 0.41), Match("wifi", 0.30))


@pytest.mark.parametrize(
    ("reply", "shown"),
    [
        (Reply(Kind.ANSWER, "…", "cost", 0.9024, TOP), "[answer, entry cost, score 0.902]"),
        (
            Reply(Kind.FALLBACK, "…", None, 0.41, TOP, objections=(Objection("too-far", "too far", "…"),)),
            "[fallback, closest entry cost, too far, score 0.410]",
        ),
        (
            Reply(
                Kind.FALLBACK,
                "…",
                None,
                0.965,
                TOP,
                objections=(Objection("out-of-scope-exemplar", "out-of-scope exemplar 'can he drive' (0.951)", "…"),),
            ),
            "[fallback, closest entry cost, out-of-scope exemplar 'can he drive' (0.951), score 0.965]",
        ),
        (Reply(Kind.FALLBACK, "…"), "[fallback]"),
        (Reply(Kind.EMERGENCY, "…"), "[emergency, safety check]"),
        (Reply(Kind.GREETING, "…"), "[greeting]"),
        (Reply(Kind.SMALLTALK, "…", "thanks"), "[smalltalk, small talk thanks]"),
        (
            Reply(
                Kind.CLARIFY,
                "…",
                None,
                0.41,
                TOP,
                suggestions=(Suggestion("cost", "What is the cost?"),),
                objections=(Objection("too-close-to-runner-up", "too close to wifi (0.300)", "…"),),
            ),
            "[clarify, closest entry cost, too close to wifi (0.300), score 0.410]",
        ),
    ],
)
def test_every_reply_says_its_kind_entry_and_score(reply: Reply, shown: str) -> None:
    assert headline(reply).plain == shown


def test_suggestions_are_printed_numbered_with_their_entry() -> None:
    console = Console(record=True, width=200)
    reply = Reply(
        Kind.CLARIFY,
        "Did you mean:",
        None,
        0.41,
        TOP,
        suggestions=(Suggestion("cost", "What is the cost?"), Suggestion("wifi", "Do you have WiFi?")),
    )
    show(reply, False, console)
    assert console.export_text().splitlines()[1:] == [
        "Did you mean:",
        "  1. What is the cost?  [cost]",
        "  2. Do you have WiFi?  [wifi]",
    ]


@pytest.mark.parametrize(
    ("kind", "said"), [(Kind.FALLBACK, "Fell back: too far."), (Kind.CLARIFY, "Asked instead of answering: too far.")]
)
def test_the_explanation_says_what_happened_a_did_you_mean_did_not_fall_back(kind: Kind, said: str) -> None:
    console = Console(record=True, width=200)
    show(Reply(kind, "…", None, 0.41, TOP, objections=(Objection("too-far", "too far", "too far"),)), True, console)
    assert console.export_text().splitlines()[-1] == said


def test_control_characters_in_a_reply_are_shown_not_obeyed() -> None:
    out = io.StringIO()
    reply = Reply(
        Kind.ANSWER, "Yes.\n\x1b[2JWe have \x1b]0;t\x07WiFi.", "wi\x1b[31mfi", 0.9, (Match("wi\x1b[31mfi", 0.9),)
    )
    show(reply, explain=True, console=Console(file=out, force_terminal=True, highlight=False))
    assert "\x1b[2J" not in out.getvalue() and "\x07" not in out.getvalue()
    assert "Yes.\n\\x1b[2JWe have \\x1b]0;t\\x07WiFi." in out.getvalue()


def plain(text: str) -> str:
    return ANSI.sub("", text)


@pytest.mark.slow
def test_a_staff_session_on_a_terminal(real_settings: Settings, tmp_path: Path) -> None:
    settings = Settings(
        index_dir=real_settings.index_dir,
        knowledge_dir=real_settings.knowledge_dir,
        office_phone="555-0100",
        var_dir=tmp_path,
    )
    env = settings.environment() | {"HF_HUB_OFFLINE": "1", "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    child = pexpect.spawn(str(CHATBOT), ["ask"], env=env, encoding="utf-8", timeout=120, dimensions=(40, 200))
    try:

        def say(line: str) -> str:
            child.sendline(line)
            child.expect(PROMPT)
            return plain(child.before)

        child.expect(PROMPT)  # loading the model may take a while; answering may not
        assert "26 entries loaded" in plain(child.before)
        child.timeout = 30

        first = say("how much does it cost")
        assert re.search(r"\[answer, entry cost, score \d+\.\d{3}\]", first), first
        assert "$750-$800" in first
        assert "score" not in first.split("$750", 1)[1], "no candidates table until :explain"

        unknown = say(":foo")
        assert "Unknown command :foo; the commands are :explain, :help" in unknown and "[answer" not in unknown

        assert "explain on" in say(":explain")
        second = say("do you have wifi")
        assert "[answer, entry wifi, score" in second
        assert re.search(r"#\s+\S\s+entry\s+\S\s+score", second), "the candidates table's header"
        assert re.search(r"1\s+\S\s+wifi\s+\S\s+\d\.\d{3}", second), "the best candidate first, with its score"

        child.send(UP * 4)  # back past "do you have wifi", ":explain" and ":foo" to the first question
        child.expect_exact("how much does it cost")
        again = say("")
        assert re.search(r"\[answer, entry cost, score", again), again
        assert re.search(r"1\s+\S\s+cost\s+\S\s+\d\.\d{3}", again), "explain is still on"

        offered = say("can my mom come with me")
        assert "[clarify" in offered and "1. Will someone need to come with me?  [companion]" in offered, offered
        assert "[answer, entry companion" in say("1")
        assert "[answer, entry companion" not in say("1"), "a number with nothing pending is a new question"
        assert "[clarify" in say("can my mom come with me")
        assert "[answer, entry companion" in say("the first one"), "a pick in words"

        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
