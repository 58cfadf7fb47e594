"""`chatbot adapt`: the packaged encoder trained on a small knowledge base's keys (a few seconds); and the default
answer encoder made where it is missing."""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import KNOWLEDGE, copy_indexes

from chatbot.channels.terminal.cli import cli
from chatbot.kb import adapt, knowledge
from chatbot.kb.encoder import resolve_model, weights_sha256
from chatbot.kb.startup import load_assistant
from chatbot.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small(kb: knowledge.KnowledgeBase) -> knowledge.KnowledgeBase:
    """Four entries about what follows an infusion, which the packaged model finds alike, with eight wordings each,
    and a few exemplars: a few seconds of training."""
    chosen = ("feeling-afterwards", "side-effects-after-treatment", "side-effects-long-term", "companion")
    entries = [kb.entry(entry_id) for entry_id in chosen]
    return dataclasses.replace(
        kb,
        entries=tuple(dataclasses.replace(entry, alternates=entry.alternates[:7]) for entry in entries),
        emergency=kb.emergency[:12],
        not_emergency=kb.not_emergency[:6],
        spanish_emergency=kb.spanish_emergency[:6],
        spanish_not_emergency=kb.spanish_not_emergency[:6],
        smalltalk=knowledge.SmallTalk(),
    )


@pytest.fixture(scope="module")
def adapted(small: knowledge.KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> adapt.Adapted:
    return adapt.adapt(resolve_model(""), small, tmp_path_factory.mktemp("models") / "adapted", epochs=2)


def _encode(folder: Path, texts: list[str]) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(folder), device="cpu").encode(texts, normalize_embeddings=True)


def _separation(vectors: np.ndarray, labels: list[str]) -> float:
    """How much closer a key is to its own entry's other keys than to other entries' keys, on average."""
    cosines = vectors @ vectors.T
    same = np.equal.outer(labels, labels)
    np.fill_diagonal(same, False)
    other = ~np.equal.outer(labels, labels)
    return float(cosines[same].mean() - cosines[other].mean())


def test_adapting_spreads_the_entries_apart(small: knowledge.KnowledgeBase, adapted: adapt.Adapted) -> None:
    keys = adapt.entry_keys(small)
    texts = [text for entry_texts in keys.values() for text in entry_texts]
    labels = [entry_id for entry_id, entry_texts in keys.items() for _ in entry_texts]
    before = _separation(_encode(resolve_model("").path, texts), labels)
    after = _separation(_encode(adapted.folder, texts), labels)
    assert after > before + 0.05


def test_the_emergency_exemplars_stay_where_the_packaged_model_puts_them(
    small: knowledge.KnowledgeBase, adapted: adapt.Adapted
) -> None:
    held = adapt.held_texts(small)
    assert len(held) == adapted.held == 30
    drift = np.sum(_encode(resolve_model("").path, held) * _encode(adapted.folder, held), axis=1)
    assert drift.min() > 0.95


def test_the_folder_says_what_it_was_adapted_from(small: knowledge.KnowledgeBase, adapted: adapt.Adapted) -> None:
    manifest = json.loads((adapted.folder / adapt.MANIFEST).read_text())
    assert manifest["base_weights_sha256"] == weights_sha256(resolve_model(""))
    assert manifest["knowledge_fingerprint"] == small.fingerprint
    assert manifest["steps"] == adapted.steps > 0
    assert resolve_model(str(adapted.folder)).path == adapted.folder  # usable as CHATBOT_MODEL


def test_a_policy_is_calibrated_for_the_recipe_not_the_bits(adapted: adapt.Adapted, tmp_path: Path) -> None:
    """The same recipe on another CPU writes weights with another sha256 and the same figures: the recipe names the
    model. Adapted again from other keys, it names another; a folder never adapted has none."""
    made = json.loads((adapted.folder / adapt.MANIFEST).read_text())
    elsewhere, edited, garbled = tmp_path / "elsewhere", tmp_path / "edited", tmp_path / "garbled"
    for folder, manifest in (
        (elsewhere, made | {"adapted_at": "2027-01-01T00:00:00+00:00"}),
        (edited, made | {"trained_on_sha256": "0" * 64}),
    ):
        folder.mkdir()
        (folder / adapt.MANIFEST).write_text(json.dumps(manifest))
    garbled.mkdir()
    (garbled / adapt.MANIFEST).write_text("{")
    assert adapt.recipe(elsewhere) == adapt.recipe(adapted.folder) != adapt.recipe(edited)
    assert str(adapt.recipe(adapted.folder)).startswith("adapted-")
    assert adapt.recipe(resolve_model("").path) is None and adapt.recipe(garbled) is None


def test_the_recipe_of_a_model_is_known_before_it_is_made(
    small: knowledge.KnowledgeBase, adapted: adapt.Adapted
) -> None:
    """What lets a start tell a model adapted before an update from the one the policy was calibrated for."""
    assert adapt.recipe_for(resolve_model(""), small, epochs=2) == adapt.recipe(adapted.folder)
    assert adapt.recipe_for(resolve_model(""), small, epochs=2, hold=False) != adapt.recipe(adapted.folder)
    entry = small.entries[0]
    edited = dataclasses.replace(small, entries=(dataclasses.replace(entry, alternates=(*entry.alternates, "ok?")),))
    assert adapt.recipe_for(resolve_model(""), edited, epochs=2) != adapt.recipe(adapted.folder)


def test_a_batch_never_holds_an_entry_twice_and_pairs_keys_of_one_entry(small: knowledge.KnowledgeBase) -> None:
    keys = adapt.entry_keys(small)
    owner = {text: entry_id for entry_id, texts in keys.items() for text in texts}
    firsts = []
    for batch in adapt.batches(keys, random.Random(0), size=3):
        assert 2 <= len(batch) <= 3
        assert len({owner[first] for first, _ in batch}) == len(batch)
        assert all(owner[first] == owner[second] and first != second for first, second in batch)
        firsts += [first for first, _ in batch]
    assert len(firsts) == len(set(firsts)) and len(firsts) >= sum(map(len, keys.values())) - 1


def test_a_spanish_wording_added_for_spanish_questions_trains_nothing_new(small: knowledge.KnowledgeBase) -> None:
    """Spanish questions have an encoder of their own: a wording added for it leaves the English answer encoder's
    training, and so its English answers, as they were. An English one changes it."""
    entry = small.entries[0]
    spanish = dataclasses.replace(entry, spanish=(*entry.spanish, "¿y después me puedo ir sola a mi casa?"))
    english = dataclasses.replace(entry, alternates=(*entry.alternates, "can i go home on my own after"))
    keys = adapt.entry_keys(small)
    assert adapt.entry_keys(dataclasses.replace(small, entries=(spanish, *small.entries[1:]))) == keys
    assert adapt.entry_keys(dataclasses.replace(small, entries=(english, *small.entries[1:]))) != keys


def test_the_adapt_command_writes_the_folder_and_says_how_to_use_it_even_unheld(
    small: knowledge.KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(knowledge, "load", lambda folder: small)
    result = CliRunner().invoke(cli, ["adapt", "--to", str(tmp_path / "adapted"), "--no-hold"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "adapted" / "model.safetensors").is_file()
    assert json.loads((tmp_path / "adapted" / adapt.MANIFEST).read_text())["held"] == 0
    assert ", 0 exemplars held," in result.output
    assert adapt.recipe(tmp_path / "adapted") == adapt.served_recipe(Settings(), small)
    assert f"Use it with CHATBOT_ANSWER_MODEL={tmp_path / 'adapted'}, then `chatbot build`" in result.output


def test_build_adapts_the_answer_encoder_when_it_is_missing_then_builds_both_indexes(
    small: knowledge.KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`CHATBOT_ANSWER_MODEL=adapted` (the default) on a machine where it was never made: `chatbot build` makes it."""
    monkeypatch.setattr(knowledge, "load", lambda folder: small)
    monkeypatch.setenv("CHATBOT_HOME", str(tmp_path))
    monkeypatch.setenv("CHATBOT_INDEX_DIR", str(tmp_path / "index"))
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 0, result.output
    made = tmp_path / "models" / "adapted-entries"
    assert f"Adapting the answer encoder to the knowledge base in {made}" in result.output
    assert json.loads((made / adapt.MANIFEST).read_text())["held"] == 0
    assert re.findall(r"Built (\S+) in ", result.output) == [
        str((tmp_path / "index" / "current").resolve()),
        str((tmp_path / "index-answers" / "current").resolve()),
    ]
    assert adapt.to_make(Settings()) is None
    assert adapt.recipe(made) == adapt.served_recipe(Settings(), small), "a start would not say to remake it"
    assert adapt.served_recipe(Settings(answer_model=""), small) is None


def test_a_start_without_the_answer_encoder_makes_it_the_same_bit_for_bit(
    real_settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """models/ lost (a fresh disk, a cleanup): the start adapts again in a child process, and the weights come out
    identical, so the answer index and the policy calibrated for them still hold; nothing is rebuilt."""
    copy_indexes(real_settings, tmp_path / "index")
    settings = Settings(home=tmp_path, knowledge_dir=KNOWLEDGE, index_dir=tmp_path / "index")
    assert adapt.to_make(settings) == tmp_path / "models" / "adapted-entries"
    with caplog.at_level(logging.INFO, logger="chatbot"):
        assistant = load_assistant(settings)
    assert "Adapting the answer encoder" in caplog.text and "Rebuilding" not in caplog.text
    made = resolve_model(str(settings.adapted_dir))
    assert weights_sha256(made) == weights_sha256(resolve_model(str(real_settings.adapted_dir)))
    assert assistant.answering is not None and assistant.ask("how much does it cost?").id == "cost"
