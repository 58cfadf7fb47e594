"""Vectors of keys already encoded, and the encoder's checked export, so a rebuild after staff add one
alternate encodes one text and exports nothing, instead of redoing it all.

A vector is found only by the exact normalised text it was encoded from, in a file named by (and
recording) the sha256 of the weights that encoded it: no vector from other weights or other text can
come back. The file carries a sha256 of its own contents; one that fails it, or cannot be read, is
ignored (and rewritten by the next build), never trusted. The cache lives beside the index versions in
`index/.cache/`, which versions and their pruning never look at.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from chatbot.kb.files import file_sha256

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger("chatbot")

CACHE_DIR = ".cache"
KEEP_FACTOR = (
    2  # keys kept: the current build's, plus earlier ones up to twice as many, so undoing an edit is cheap too
)


class KeyCache:
    """Normalised text -> vector, for one set of weights."""

    def __init__(self, weights_sha256: str, vectors: dict[str, NDArray[np.float32]] | None = None):
        self.weights_sha256 = weights_sha256
        self.vectors = vectors or {}

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The texts with no cached vector, each once, in order."""
        return list(dict.fromkeys(t for t in texts if t not in self.vectors))

    def add(self, texts: Sequence[str], vectors: NDArray[np.float32]) -> None:
        self.vectors.update(zip(texts, vectors, strict=True))

    def lookup(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """The vectors of `texts`, all of which must be cached."""
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)


def path_for(index_dir: Path, weights_sha256: str) -> Path:
    return index_dir / CACHE_DIR / f"{weights_sha256}.npz"


def load(index_dir: Path, weights_sha256: str) -> KeyCache:
    """The cache for these weights; empty if there is none or it is damaged."""
    path = path_for(index_dir, weights_sha256)
    if not path.exists():
        return KeyCache(weights_sha256)
    try:
        with np.load(path, allow_pickle=False) as data:
            texts, vectors, digest, weights = (
                list(data["texts"]),
                data["vectors"],
                str(data["digest"]),
                str(data["weights"]),
            )
        if weights != weights_sha256 or len(texts) != len(vectors) or digest != _digest(weights, texts, vectors):
            raise ValueError("its contents do not match the sha256 it records")
    except Exception as exc:
        log.warning("Ignoring the damaged key cache %s (%s); every key is encoded afresh.", path, exc)
        return KeyCache(weights_sha256)
    return KeyCache(weights_sha256, dict(zip(texts, vectors, strict=True)))


def save(index_dir: Path, cache: KeyCache, current: Sequence[str]) -> None:
    """Keep the current build's vectors and some earlier ones, atomically. A cache that cannot be written
    costs the next build time, nothing else, so failing to write it is logged, not raised."""
    kept = list(dict.fromkeys(current))
    now = set(kept)
    kept += [t for t in cache.vectors if t not in now][: (KEEP_FACTOR - 1) * len(now)]
    texts = np.asarray(kept, dtype=str)
    vectors = cache.lookup(kept) if kept else np.zeros((0, 0), dtype=np.float32)
    path = path_for(index_dir, cache.weights_sha256)
    scratch = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(dir=path.parent, prefix=".writing-", suffix=".npz")
        with os.fdopen(handle, "wb") as out:
            np.savez(
                out,
                texts=texts,
                vectors=vectors,
                weights=np.asarray(cache.weights_sha256),
                digest=np.asarray(_digest(cache.weights_sha256, kept, vectors)),
            )
        os.replace(scratch, path)
    except OSError as exc:
        log.warning("Cannot write the key cache %s (%s); the next build encodes every key again.", path, exc)
        if scratch:
            Path(scratch).unlink(missing_ok=True)


def cached_export(index_dir: Path, weights_sha256: str, export_format: int) -> tuple[Path, float] | None:
    """The ONNX export of these weights kept by an earlier build, whole, with the lowest cosine it showed
    against the reference; None if there is none, it is damaged, or it was made by another version of the export."""
    onnx_file, record = _export_paths(index_dir, weights_sha256)
    try:
        kept = json.loads(record.read_text(encoding="utf-8"))
        if kept["format"] == export_format and kept["sha256"] == file_sha256(onnx_file):
            return onnx_file, float(kept["min_cosine"])
    except (OSError, ValueError, TypeError, KeyError):
        pass
    return None


def keep_export(index_dir: Path, weights_sha256: str, export_format: int, onnx_file: Path, min_cosine: float) -> None:
    """Keep a checked export for the next build (logged, not raised, if it cannot be written)."""
    kept, record = _export_paths(index_dir, weights_sha256)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(onnx_file, kept)
        record.write_text(
            json.dumps({"format": export_format, "sha256": file_sha256(kept), "min_cosine": min_cosine}),
            encoding="utf-8",
        )
    except OSError as exc:
        log.warning("Cannot keep the encoder's export in %s (%s); the next build exports it again.", kept, exc)


def _export_paths(index_dir: Path, weights_sha256: str) -> tuple[Path, Path]:
    folder = index_dir / CACHE_DIR
    return folder / f"{weights_sha256}.onnx", folder / f"{weights_sha256}.onnx.json"


def _digest(weights_sha256: str, texts: Sequence[str], vectors: NDArray[np.float32]) -> str:
    digest = hashlib.sha256(weights_sha256.encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    digest.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    return digest.hexdigest()
