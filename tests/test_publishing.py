"""What must hold before a knowledge base is published: the near-twin rule, and `chatbot check`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from chatbot.channels.terminal.cli import cli
from chatbot.domain import Entry
from chatbot.kb import knowledge
from chatbot.kb.publishing import NEAR_TWIN, near_twins
from chatbot.settings import Settings


def _unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def _kb(kb: knowledge.KnowledgeBase, *entries: Entry) -> knowledge.KnowledgeBase:
    return dataclasses.replace(kb, entries=entries)


COST = Entry("cost", "What is the cost?", "…", ("how much is it", "price per infusion"), "faq.yaml")
WIFI = Entry(
    "wifi", "Do you have WiFi?", "…", ("is there internet", "how much does the wifi cost per infusion"), "faq.yaml"
)


def test_an_alternate_that_reads_like_another_entrys_is_a_problem(kb: knowledge.KnowledgeBase) -> None:
    vectors = {
        "how much is it": _unit(1, 0, 0),
        "price per infusion": _unit(0.2, 1, 0),
        "is there internet": _unit(0, 0, 1),
        "how much does the wifi cost per infusion": _unit(0.6, 1, 0),  # cosine 0.94 with "price per infusion"
    }
    [problem] = near_twins(_kb(kb, COST, WIFI), vectors)
    assert (problem.file, problem.entry, problem.field) == ("faq.yaml", "wifi", "alternates")
    assert (
        "'how much does the wifi cost per infusion' reads like 'price per infusion' of entry 'cost' (0.94)"
        in problem.message
    )
    assert f"above the {NEAR_TWIN} cosine" in problem.message


def test_a_wording_under_the_wrong_entry_is_one_problem_naming_all_it_resembles(kb: knowledge.KnowledgeBase) -> None:
    wifi = dataclasses.replace(WIFI, alternates=("how much does each infusion cost",))
    vectors = {
        "how much is it": _unit(1, 0.4),
        "price per infusion": _unit(1, -0.4),
        "how much does each infusion cost": _unit(1, 0),
    }
    [problem] = near_twins(_kb(kb, COST, wifi), vectors)
    assert problem.entry == "wifi"
    assert (
        "reads like 'how much is it' of entry 'cost' (0.93); 'price per infusion' of entry 'cost' (0.93)"
        in problem.message
    )


def test_of_two_twins_the_one_unlike_its_own_entry_is_named_wherever_it_sits_in_the_file(
    kb: knowledge.KnowledgeBase,
) -> None:
    """One twin each: staff are sent to the slip (under wifi, earlier in the file), not to the wording it copies."""
    wifi = dataclasses.replace(WIFI, alternates=("is there internet", "how much does each infusion cost"))
    vectors = {
        "how much is it": _unit(1, 0.5, 0),
        "price per infusion": _unit(1, 0, 0),
        "is there internet": _unit(0, 0, 1),
        "how much does each infusion cost": _unit(1, -0.3, 0.1),  # 0.95 with "price per infusion", 0.72 with the other
    }
    [problem] = near_twins(_kb(kb, wifi, COST), vectors)
    assert problem.entry == "wifi"
    assert (
        "'how much does each infusion cost' reads like 'price per infusion' of entry 'cost' (0.95)" in problem.message
    )


FAQ_FILE = """entries:
  - id: cost
    alternates:
      - how much is it
  - id: wifi
    alternates:
      - is there internet
"""


@pytest.mark.parametrize(
    ("wording", "where"),
    [
        ("how much does each infusion cost", ("faq.yaml", "alternates", 5)),  # not listed: the entry's own line
        ("is there internet", ("faq.yaml", "alternates", 7)),
    ],
)
def test_a_twin_is_located_at_the_line_that_says_it(
    kb: knowledge.KnowledgeBase, wording: str, where: tuple[str, str, int]
) -> None:
    wifi = dataclasses.replace(WIFI, alternates=(wording,))
    vectors = {"how much is it": _unit(1, 0.5), "price per infusion": _unit(1, 0), wording: _unit(1, -0.1)}
    files = (("faq.yaml", FAQ_FILE),)
    [problem] = near_twins(dataclasses.replace(kb, entries=(COST, wifi), files=files), vectors)
    assert (problem.file, problem.field, problem.line) == where


def test_a_spanish_wording_is_not_judged_by_the_english_encoder(kb: knowledge.KnowledgeBase) -> None:
    """The English encoder learnt no Spanish: it puts "¿Cuánto cuesta cada infusión?" at 0.90 from "¿Cada cuánto se
    ponen las infusiones?". Spanish questions are scored by an encoder of their own."""
    scheduling = Entry("scheduling", "How often?", "…", ("how often are infusions",), "faq.yaml", ("¿Cada cuánto?",))
    cost = dataclasses.replace(COST, spanish=("¿Cuánto cuesta?",))
    vectors = {
        "how much is it": _unit(1, 0, 0),
        "price per infusion": _unit(1, 0.1, 0),
        "how often are infusions": _unit(0, 0, 1),
    }
    assert near_twins(_kb(kb, cost, scheduling), vectors) == []


def test_alike_alternates_of_one_entry_are_fine(kb: knowledge.KnowledgeBase) -> None:
    vectors = {"how much is it": _unit(1, 0), "price per infusion": _unit(1, 0.01)}
    assert near_twins(_kb(kb, dataclasses.replace(COST)), vectors) == []


# -- chatbot check -----------------------------------------------------------------------------------


def test_check_lists_every_problem_numbered_and_exits_1(knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATBOT_KNOWLEDGE_DIR", str(knowledge_copy))
    (knowledge_copy / "broken.yaml").write_text('entries:\n  - id: x\n    question: "unclosed\n', encoding="utf-8")
    faq = yaml.safe_load((knowledge_copy / "faq.yaml").read_text(encoding="utf-8"))
    faq["entries"][0]["colour"] = "blue"
    (knowledge_copy / "faq.yaml").write_text(yaml.safe_dump(faq), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 1
    assert result.output.startswith(f"2 problem(s) in {knowledge_copy}:")
    assert "  1. " in result.output and "  2. " in result.output and "broken.yaml, line 3" in result.output
    assert "Not safe to publish" in result.output


@pytest.mark.slow
def test_check_catches_a_near_twin_and_says_safe_to_publish_once_it_is_gone(
    real_settings: Settings, knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATBOT_KNOWLEDGE_DIR", str(knowledge_copy))
    monkeypatch.setenv("CHATBOT_INDEX_DIR", str(real_settings.index_dir))
    safe = CliRunner().invoke(cli, ["check"])
    assert safe.exit_code == 0, safe.output
    assert safe.output.startswith("Safe to publish: 26 entries")

    faq = yaml.safe_load((knowledge_copy / "faq.yaml").read_text(encoding="utf-8"))
    wifi = next(entry for entry in faq["entries"] if entry["id"] == "wifi")
    wifi["alternates"].append("how much does each infusion cost")  # the slip: a cost question under wifi
    (knowledge_copy / "faq.yaml").write_text(yaml.safe_dump(faq, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"1 problem(s) in {knowledge_copy}:")
    assert "entry 'wifi', field 'alternates': 'how much does each infusion cost' reads like" in result.output
    assert "'wat does 1 infusion cost' of entry 'cost'" in result.output
