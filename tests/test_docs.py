from __future__ import annotations

import json
import re

import pytest
import readme
from conftest import ROOT

from chatbot.answering.assistant import Assistant
from chatbot.channels.terminal.console import headline as console_headline
from chatbot.settings import Settings

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_starts_with_the_two_commands() -> None:
    head = README[:400]
    assert "make run" in head and "make test" in head


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_in_the_configuration_table(name: str) -> None:
    assert f"| `CHATBOT_{name.upper()}` |" in README


# -- the README's example outputs are what the assistant says today --------------------------------

ASK_EXAMPLE = re.compile(r'^\$ \.venv/bin/chatbot ask "([^"]+)"\n(\[[^\n]+\])\n([^\n]+)$', re.MULTILINE)
CURL_EXAMPLE = re.compile(r"""^\$ curl -s localhost:8000/v1/ask .*-d '(\{[^']+\})'\n(\{[^\n]+\})$""", re.MULTILINE)


def test_the_readme_has_examples_to_check() -> None:
    assert len(ASK_EXAMPLE.findall(README)) >= 1 and len(CURL_EXAMPLE.findall(README)) >= 1


@pytest.mark.slow
@pytest.mark.parametrize(("question", "headline", "answer"), ASK_EXAMPLE.findall(README))
def test_the_readme_shows_what_chatbot_ask_prints(real: Assistant, question: str, headline: str, answer: str) -> None:
    reply = real.ask(question)
    assert (console_headline(reply).plain, reply.answer) == (headline, answer)


@pytest.mark.slow
@pytest.mark.parametrize(("request_body", "shown"), CURL_EXAMPLE.findall(README))
def test_the_readme_shows_what_the_api_answers(real: Assistant, request_body: str, shown: str) -> None:
    body = json.loads(request_body)
    asked = real.choose(body["question"], body["choice"]) if "choice" in body else real.ask(body["question"])
    reply = asked.to_dict()
    example = json.loads(shown)
    assert reply["answer"].startswith(example.pop("answer").removesuffix("..."))
    assert {key: reply.get(key) for key in example} == example  # "candidates" is null unless asked to explain


# -- generated sections: the configuration table from `Settings`, the CLI reference from `--help` ------------


@pytest.mark.parametrize("name", sorted(readme.SECTIONS))
def test_the_generated_section_is_what_the_code_says_today(name: str) -> None:
    assert readme.section(README, name) == readme.SECTIONS[name](), (
        f"README.md's {name} section is out of date: run `.venv/bin/python scripts/readme.py`"
    )


def test_every_setting_has_a_description_and_a_default_to_show() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"Settings.{name} has no description="
        assert readme.shown_default(field), f"Settings.{name} has no default to show"
