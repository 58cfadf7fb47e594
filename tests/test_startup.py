"""Opening the index: missing, stale, corrupt or unwritable indexes are rebuilt or worked around, and said so."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import KNOWLEDGE, copy_indexes
from fastapi.testclient import TestClient
from support import ready

from chatbot.channels.terminal.cli import cli
from chatbot.channels.web.app import create_app
from chatbot.errors import KnowledgeError, ModelNotFound, WeightsMismatch
from chatbot.kb import adapt, index
from chatbot.kb.encoder import ModelSource, resolve_model, weights_sha256
from chatbot.kb.startup import load_assistant
from chatbot.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture
def private(real_settings: Settings, knowledge_copy: Path, tmp_path: Path) -> Settings:
    """A copy of the session's built indexes and of the knowledge base, free to damage."""
    copy_indexes(real_settings, tmp_path / "index")
    return Settings(knowledge_dir=knowledge_copy, index_dir=tmp_path / "index", spanish_model="e5")


def test_a_fresh_index_is_used_as_it_is(private: Settings, caplog: pytest.LogCaptureFixture) -> None:
    before = (private.index_dir / index.CURRENT).resolve()
    with caplog.at_level(logging.INFO, logger="chatbot"):
        assistant = load_assistant(private)
    assert assistant.index.folder == before
    assert "Rebuilding" not in caplog.text
    assert "calibrated for other weights" not in caplog.text, "knowledge/policy.yaml records the weights served"


def test_a_policy_calibrated_for_other_weights_is_said_at_start(
    private: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The answer encoder adapted again on an edited knowledge base: its thresholds no longer fit for sure."""
    policy = private.knowledge_dir / "policy.yaml"
    recorded = yaml.safe_load(policy.read_text(encoding="utf-8"))
    recorded["policy"]["calibrated_for"]["answer_encoder"] = "0" * 64
    policy.write_text(yaml.safe_dump(recorded), encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="chatbot"):
        assistant = load_assistant(private)
    assert assistant.ask("how much does it cost?").id == "cost", "it still answers"
    assert "calibrated for other weights of the answer encoder than these serve" in caplog.text
    assert "Run `chatbot calibrate`" in caplog.text


def test_an_answer_encoder_adapted_before_an_update_is_said_to_need_adapting_again(
    real_settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An update changed what the answer encoder learns from (as when Spanish wordings stopped training it): the
    model folder a clinic already has is not the one the new policy was calibrated for. The start says to remake it,
    which is the fix, not to calibrate for the old model, and answers meanwhile."""
    copy_indexes(real_settings, tmp_path / "index")
    folder = tmp_path / "models" / "adapted-entries"
    shutil.copytree(real_settings.adapted_dir, folder)
    manifest = json.loads((folder / adapt.MANIFEST).read_text(encoding="utf-8"))
    (folder / adapt.MANIFEST).write_text(json.dumps(manifest | {"trained_on_sha256": "0" * 64}), encoding="utf-8")
    settings = Settings(home=tmp_path, knowledge_dir=KNOWLEDGE, index_dir=tmp_path / "index", spanish_model="e5")
    with caplog.at_level(logging.INFO, logger="chatbot"):
        assistant = load_assistant(settings)
    assert assistant.ask("how much does it cost?").id == "cost"
    assert f"The answer encoder in {folder} was adapted from other keys" in caplog.text
    assert "Run `chatbot adapt --no-hold`" in caplog.text and "chatbot calibrate" not in caplog.text


def test_a_stale_index_is_rebuilt_and_says_so(private: Settings, caplog: pytest.LogCaptureFixture) -> None:
    faq = yaml.safe_load((private.knowledge_dir / "faq.yaml").read_text(encoding="utf-8"))
    faq["entries"][11]["alternates"].append("what does the whole course set me back in dollars")
    (private.knowledge_dir / "faq.yaml").write_text(yaml.safe_dump(faq, allow_unicode=True), encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="chatbot"):
        assistant = load_assistant(private)
    assert "built from another version of the knowledge base" in caplog.text and "Rebuilding" in caplog.text
    assert assistant.index.manifest.fingerprint == assistant.kb.fingerprint
    reply = assistant.ask("what does the whole course set me back in dollars")
    assert reply.id == "cost" and reply.score is not None and reply.score >= 1.0 - 1e-4


def test_a_corrupt_index_gives_a_clear_message_and_is_rebuilt(
    private: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    vectors = private.index_dir / index.CURRENT / index.VECTORS
    vectors.write_bytes(vectors.read_bytes()[:100])
    with caplog.at_level(logging.INFO, logger="chatbot"):
        assistant = load_assistant(private)
    assert f"{index.VECTORS} does not match the sha256 recorded in" in caplog.text and "damaged" in caplog.text
    assert assistant.ask("What is the cost?").id == "cost"


def test_a_damaged_spanish_index_is_rebuilt_in_process_from_its_key_cache(
    private: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The Spanish encoder needs no torch, so no child process; its key cache spares it the minute of encoding."""
    spanish = private.for_spanish()
    assert spanish is not None
    vectors = spanish.index_dir / index.CURRENT / index.VECTORS
    vectors.write_bytes(vectors.read_bytes()[:100])
    with caplog.at_level(logging.INFO, logger="chatbot"):
        assistant = load_assistant(private)
    assert "damaged" in caplog.text and f"Rebuilding the index in {spanish.index_dir}" in caplog.text
    assert assistant.spanish is not None and assistant.spanish.index.folder != vectors.parent
    reply = assistant.ask("¿tengo que ir acompañado a la infusión?")
    assert (reply.lang, reply.id) == ("es", "companion")


def test_a_missing_index_is_built(tmp_path: Path, knowledge_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(knowledge_dir=knowledge_copy, index_dir=tmp_path / "nothing-here")
    with caplog.at_level(logging.INFO, logger="chatbot"):
        assistant = load_assistant(settings)
    assert "No index" in caplog.text
    assert (settings.index_dir / index.CURRENT / index.MANIFEST).exists()
    assert assistant.ask("do u have wifi").id == "wifi"


def test_built_versions_are_whole_and_current_is_a_link(real_settings: Settings) -> None:
    current = real_settings.index_dir / index.CURRENT
    assert current.is_symlink()
    names = {p.name for p in current.resolve().iterdir()}
    assert {index.VECTORS, index.LABELS, index.MANIFEST, index.ONNX_FILE, index.TOKENIZER_FILE} <= names
    assert not list(real_settings.index_dir.glob(".building-*"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_a_read_only_index_folder_still_serves(private: Settings) -> None:  # pragma: no cover - CI runs as root
    private.index_dir.chmod(0o555)
    try:
        assert load_assistant(private).ask("What is the cost?").id == "cost"
    finally:
        private.index_dir.chmod(0o755)


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    packaged = resolve_model("")
    fake_folder = tmp_path / "model"
    fake_folder.mkdir()
    (fake_folder / "model.safetensors").write_bytes(b"not the official weights")
    with pytest.raises(WeightsMismatch, match=r"Refusing to start: .* has sha256 .* official"):
        weights_sha256(ModelSource(packaged.name, fake_folder, packaged.expected_sha256))


def test_the_packaged_weights_are_the_official_file() -> None:
    assert weights_sha256(resolve_model("")) == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def test_a_model_name_that_would_need_a_download_is_refused() -> None:
    with pytest.raises(ModelNotFound, match="Nothing is downloaded at run time"):
        resolve_model("sentence-transformers/all-mpnet-base-v2")


# -- a start on a knowledge base saved with a mistake ------------------------------------------------


def _break_cost_answer(knowledge_dir: Path) -> None:
    faq = yaml.safe_load((knowledge_dir / "faq.yaml").read_text(encoding="utf-8"))
    cost = next(entry for entry in faq["entries"] if entry["id"] == "cost")
    cost["answer"] = cost["answer"].replace("cash", "cheques")
    (knowledge_dir / "faq.yaml").write_text(yaml.safe_dump(faq, allow_unicode=True), encoding="utf-8")


def _ready(client: TestClient) -> dict[str, object]:
    """/readyz once the app answers."""
    return ready(client).get("/readyz").json()


def test_a_fresh_start_on_a_broken_knowledge_base_serves_the_last_good_one(
    private: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break_cost_answer(private.knowledge_dir)
    with pytest.raises(KnowledgeError):
        load_assistant(private)  # a reload or a staff member's `chatbot ask` still refuses it

    with caplog.at_level(logging.INFO, logger="chatbot"), TestClient(create_app(private)) as client:
        ready = _ready(client)
        reply = client.post("/v1/ask", json={"question": "how much does it cost?"}).json()
        metrics = client.get("/metrics").text
    assert ready["stale"] is True
    assert any("faq.yaml" in p and "entry 'cost', field 'answer'" in p and "'cheques'" in p for p in ready["problems"])
    assert reply["id"] == "cost" and "cash" in reply["answer"]  # the last good answer, word for word
    assert "chatbot_knowledge_stale 1.0" in metrics
    assert "SERVING THE LAST GOOD KNOWLEDGE BASE" in caplog.text

    monkeypatch.setenv("CHATBOT_KNOWLEDGE_DIR", str(private.knowledge_dir))
    monkeypatch.setenv("CHATBOT_INDEX_DIR", str(private.index_dir))
    refused = CliRunner().invoke(cli, ["build"])
    assert refused.exit_code == 2 and "entry 'cost', field 'answer'" in refused.output


def test_a_good_knowledge_base_is_not_stale(private: Settings) -> None:
    with TestClient(create_app(private)) as client:
        ready = _ready(client)
    assert ready["stale"] is False and "problems" not in ready
