"""Rebuilds after an edit encode only what changed, with the real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from chatbot.answering.normalise import normalise
from chatbot.kb import index, key_cache, knowledge
from chatbot.kb.build import build
from chatbot.kb.encoder import SentenceTransformerEncoder, resolve_model
from chatbot.settings import Settings

pytestmark = pytest.mark.slow

NEW_ALTERNATE = "what will one of these infusions set me back"


def test_adding_one_alternate_encodes_that_key_alone(
    real_settings: Settings, knowledge_copy: Path, tmp_path: Path
) -> None:
    faq = knowledge_copy / "faq.yaml"
    data = yaml.safe_load(faq.read_text(encoding="utf-8"))
    cost = next(e for e in data["entries"] if e["id"] == "cost")
    cost["alternates"].append(NEW_ALTERNATE)
    faq.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    index_dir = tmp_path / "index"
    shutil.copytree(real_settings.index_dir / key_cache.CACHE_DIR, index_dir / key_cache.CACHE_DIR)
    said: list[str] = []
    source = resolve_model("")
    kb = knowledge.load(knowledge_copy)
    folder = build(kb, source, index_dir, say=said.append)
    assert said[0].startswith(f"{len(index.keys_of(kb))} keys; encoding the 1 texts not in the key cache")
    assert "Exporting the encoder to ONNX…" not in said
    rebuilt = index.read_version(folder)
    row = rebuilt.texts.index(NEW_ALTERNATE)
    assert rebuilt.labels[row] == "cost"
    stored = rebuilt.vectors.reconstruct(row)
    reference = SentenceTransformerEncoder(source).encode([normalise(NEW_ALTERNATE)])[0]
    assert float(stored @ reference) > 0.9999
    # Every other key's vector is the one a full build gave it.
    original = index.read(real_settings.index_dir)
    same = [rebuilt.texts.index(text) for text in original.texts]
    np.testing.assert_array_equal(
        rebuilt.vectors.reconstruct_n(0, rebuilt.vectors.ntotal)[same],
        original.vectors.reconstruct_n(0, original.vectors.ntotal),
    )
