"""`chatbot adapt`: the packaged encoder trained on a small knowledge base's keys (a few seconds)."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from chatbot.channels.terminal.cli import cli
from chatbot.kb import adapt, knowledge
from chatbot.kb.encoder import resolve_model, weights_sha256

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
        spanish_not_emergency=(),
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
    assert len(held) == adapted.held == 24
    drift = np.sum(_encode(resolve_model("").path, held) * _encode(adapted.folder, held), axis=1)
    assert drift.min() > 0.95


def test_the_folder_says_what_it_was_adapted_from(small: knowledge.KnowledgeBase, adapted: adapt.Adapted) -> None:
    manifest = json.loads((adapted.folder / adapt.MANIFEST).read_text())
    assert manifest["base_weights_sha256"] == weights_sha256(resolve_model(""))
    assert manifest["knowledge_fingerprint"] == small.fingerprint
    assert manifest["steps"] == adapted.steps > 0
    assert resolve_model(str(adapted.folder)).path == adapted.folder  # usable as CHATBOT_MODEL


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


def test_the_adapt_command_writes_the_folder_and_says_how_to_use_it_even_unheld(
    small: knowledge.KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(knowledge, "load", lambda folder: small)
    result = CliRunner().invoke(cli, ["adapt", "--to", str(tmp_path / "adapted"), "--no-hold"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "adapted" / "model.safetensors").is_file()
    assert json.loads((tmp_path / "adapted" / adapt.MANIFEST).read_text())["held"] == 0
    assert ", 0 exemplars held," in result.output
    assert f"Use it with CHATBOT_ANSWER_MODEL={tmp_path / 'adapted'}, then `chatbot build`" in result.output
