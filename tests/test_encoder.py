"""Encoders from any sentence-transformers folder: a non-BERT one builds, exports and answers; failures name the
model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import KNOWLEDGE

from chatbot.channels.terminal.cli import cli
from chatbot.errors import ExportFailed, ModelNotFound
from chatbot.kb import build as build_module
from chatbot.kb.encoder import ModelSource, OnnxEncoder, export_onnx, resolve_model
from chatbot.settings import Settings

pytestmark = pytest.mark.slow


def tiny_mpnet(folder: Path) -> Path:
    """A two-layer MPNet (whose graph takes no token_type_ids) with the packaged model's tokenizer, saved as
    a sentence-transformers folder: random weights, but every file a real one would have."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import MPNetConfig, MPNetModel

    torch.manual_seed(0)
    packaged = resolve_model("").path
    inner = folder.parent / "tiny-transformer"
    MPNetModel(
        MPNetConfig(vocab_size=30527, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    ).save_pretrained(inner)
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        shutil.copy(packaged / name, inner / name)
    transformer = models.Transformer(str(inner), max_seq_length=256)
    SentenceTransformer(modules=[transformer, models.Pooling(32, "mean"), models.Normalize()], device="cpu").save(
        str(folder)
    )
    return folder


@pytest.fixture(scope="module")
def mpnet_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_mpnet(tmp_path_factory.mktemp("model") / "tiny-mpnet")


def test_a_non_bert_model_folder_builds_and_answers(
    mpnet_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chatbot.kb.startup import load_assistant

    monkeypatch.setenv("CHATBOT_MODEL", str(mpnet_folder))
    monkeypatch.setenv("CHATBOT_KNOWLEDGE_DIR", str(KNOWLEDGE))
    monkeypatch.setenv("CHATBOT_INDEX_DIR", str(tmp_path / "index"))
    # Random weights put every two texts close together, so the build's check that two entries' alternates
    # do not read alike (a judgement on the knowledge base's wording, not on the encoder's plumbing) is off here.
    monkeypatch.setattr(build_module, "near_twins", lambda kb, vectors: [])
    built = CliRunner().invoke(cli, ["build"])
    assert built.exit_code == 0, built.output
    assistant = load_assistant(Settings())
    assert isinstance(assistant.encoder, OnnxEncoder) and assistant.encoder.inputs == ["input_ids", "attention_mask"]
    manifest = json.loads((tmp_path / "index" / "current" / "manifest.json").read_text())
    assert manifest["model"] == str(mpnet_folder) and manifest["onnx_min_cosine"] >= 0.9999
    for entry in assistant.kb.entries[:5]:
        assert assistant.ask(entry.question).candidates[0].id == entry.id


def test_an_export_failure_names_the_model(mpnet_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Unsupported: ONNX export of operator foo")

    monkeypatch.setattr(torch.onnx, "export", refuse)
    with pytest.raises(
        ExportFailed, match=r"Cannot export the encoder tiny-mpnet \(.*tiny-mpnet\) to ONNX: RuntimeError: Unsupported"
    ):
        export_onnx(ModelSource("tiny-mpnet", mpnet_folder, None), tmp_path / "encoder.onnx")


def test_a_folder_that_is_not_a_model_is_refused_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "tokenizer.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"nothing")
    monkeypatch.setenv("CHATBOT_MODEL", str(folder))
    monkeypatch.setenv("CHATBOT_KNOWLEDGE_DIR", str(KNOWLEDGE))
    monkeypatch.setenv("CHATBOT_INDEX_DIR", str(tmp_path / "index"))
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code == 2
    assert f"Error: sentence-transformers cannot load the encoder {folder}" in result.output


def test_a_folder_without_a_fast_tokenizer_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match=r"has no tokenizer\.json"):
        resolve_model(str(tmp_path))
