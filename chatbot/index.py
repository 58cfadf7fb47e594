"""The FAISS index on disk: what it holds, how it is written atomically, and how it is read back.

Layout: `index/current` is a symlink to one version folder (`index/<fingerprint>-<time>/`) holding
`vectors.faiss`, `labels.json`, `manifest.json` and, when exported, `encoder.onnx` and
`tokenizer.json`. A version is written in a temporary folder, renamed into place, and only then is
`current` switched with one atomic rename; a build killed halfway leaves the old version serving.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from chatbot.errors import CorruptIndex, MissingIndex, StaleIndex

if TYPE_CHECKING:
    import faiss
    from numpy.typing import NDArray

    from chatbot.knowledge import KnowledgeBase

CURRENT = "current"
VECTORS = "vectors.faiss"
LABELS = "labels.json"
MANIFEST = "manifest.json"
ONNX_FILE = "encoder.onnx"
TOKENIZER_FILE = "tokenizer.json"
KEEP_VERSIONS = 2

# Labels of the keys that are not an entry's: exemplars the policy and the safety check compare against.
OUT_OF_SCOPE = "~out-of-scope"
EMERGENCY = "~emergency"
NOT_EMERGENCY = "~not-emergency"


@dataclass(frozen=True)
class Manifest:
    model: str
    weights_sha256: str
    fingerprint: str
    counts: dict[str, int]
    built_at: str
    build_seconds: float
    encoder: str = "sentence-transformers"
    onnx_sha256: str | None = None
    onnx_min_cosine: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Index:
    """A loaded index: every key's vector, its label (entry id or exemplar group) and its text."""

    folder: Path
    manifest: Manifest
    vectors: faiss.Index
    labels: tuple[str, ...]
    texts: tuple[str, ...]

    def scores(self, query: NDArray[np.float32]) -> NDArray[np.float32]:
        """Cosine similarity of one normalised query vector to every key, in key order."""
        found, positions = self.vectors.search(query.reshape(1, -1), len(self.labels))
        scores = np.empty(len(self.labels), dtype=np.float32)
        scores[positions[0]] = found[0]
        return scores

    @property
    def onnx_file(self) -> Path | None:
        path = self.folder / ONNX_FILE
        return path if self.manifest.encoder == "onnx" and path.exists() else None


def keys_of(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """Every text the index holds, with its label."""
    keys = [(entry.id, key) for entry in kb.entries for key in entry.keys]
    keys += [(OUT_OF_SCOPE, text) for text in kb.out_of_scope]
    keys += [(EMERGENCY, text) for text in kb.emergency]
    keys += [(NOT_EMERGENCY, text) for text in kb.not_emergency]
    return keys


def write(index_dir: Path, labels: list[str], texts: list[str], vectors: NDArray[np.float32], manifest: Manifest, extra_files: dict[str, Path]) -> Path:
    """Write a new version of the index and make it current, atomically.

    Returns:
        The new version's folder.
    """
    import faiss

    index_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=index_dir))
    try:
        flat = faiss.IndexFlatIP(vectors.shape[1])
        flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
        faiss.write_index(flat, str(staging / VECTORS))
        (staging / LABELS).write_text(json.dumps({"labels": labels, "texts": texts}, ensure_ascii=False), encoding="utf-8")
        for name, path in extra_files.items():
            shutil.copyfile(path, staging / name)
        # The manifest goes last: a folder with a manifest is a whole one.
        (staging / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
        _fsync_folder(staging)
        version = index_dir / f"{manifest.fingerprint[:12]}-{time.time_ns()}"
        os.rename(staging, version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    link = index_dir / f".{CURRENT}-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(version.name)
    os.replace(link, index_dir / CURRENT)
    _prune(index_dir, keep=version)
    return version


def _fsync_folder(folder: Path) -> None:
    for path in folder.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


def _prune(index_dir: Path, keep: Path) -> None:
    """Remove old versions and leftovers of killed builds, keeping the newest few."""
    versions = sorted((p for p in index_dir.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    for old in versions[:-KEEP_VERSIONS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in index_dir.glob(".building-*"):
        if time.time() - leftover.stat().st_mtime > 3600:
            shutil.rmtree(leftover, ignore_errors=True)


def read(index_dir: Path) -> Index:
    """Load the current version.

    Raises:
        MissingIndex: nothing has been built yet.
        CorruptIndex: the files are unreadable or disagree with each other.
    """
    import faiss

    folder = index_dir / CURRENT
    if not folder.exists():
        raise MissingIndex(f"No index in {index_dir}/ yet.")
    folder = folder.resolve()
    try:
        raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        manifest = Manifest(**raw)
        keyed = json.loads((folder / LABELS).read_text(encoding="utf-8"))
        labels, texts = tuple(keyed["labels"]), tuple(keyed["texts"])
        vectors = faiss.read_index(str(folder / VECTORS))
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise CorruptIndex(f"The index in {folder} cannot be read ({type(exc).__name__}: {exc}).") from exc
    if vectors.ntotal != len(labels) or len(labels) != len(texts) or sum(manifest.counts.values()) != len(labels):
        raise CorruptIndex(
            f"The index in {folder} is inconsistent: {vectors.ntotal} vectors, {len(labels)} labels, "
            f"manifest counts {sum(manifest.counts.values())}."
        )
    return Index(folder, manifest, vectors, labels, texts)


def check_fresh(index: Index, fingerprint: str, weights_sha256: str) -> None:
    """Raise StaleIndex unless the index was built from this knowledge base and these weights."""
    if index.manifest.fingerprint != fingerprint:
        raise StaleIndex(f"The index in {index.folder} was built from another version of the knowledge base.")
    if index.manifest.weights_sha256 != weights_sha256:
        raise StaleIndex(f"The index in {index.folder} was built with other model weights.")
