"""The FAISS index on disk: what it holds, how it is written atomically, and how it is read back.

Layout: `index/current` is a symlink to one version folder (`index/<fingerprint>-<time>/`) holding
`vectors.faiss`, `labels.json`, `manifest.json`, the emergency n-gram models (`english-emergency-ngrams.json`,
`spanish-emergency-ngrams.json`) and, when exported, `encoder.onnx` and `tokenizer.json`. A version is written
in a temporary folder, renamed into place, and only then is `current` switched with one atomic rename; a build
killed halfway leaves the old version serving. The manifest records every other file's sha256, and reading checks
them, so a file that is missing, truncated or altered is reported as a corrupt index rather than answered with.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from chatbot.domain import (
    EMERGENCY,
    NOT_EMERGENCY,
    OUT_OF_SCOPE,
    SMALLTALK,
    SPANISH_EMERGENCY,
    SPANISH_NOT_EMERGENCY,
)
from chatbot.errors import CorruptIndex, IndexNotWritable, MissingIndex, StaleIndex
from chatbot.kb import ngram_model
from chatbot.kb.files import file_sha256

if TYPE_CHECKING:
    import faiss
    from numpy.typing import NDArray

    from chatbot.answering.ngrams import NgramModel
    from chatbot.kb.knowledge import KnowledgeBase

CURRENT = "current"
VECTORS = "vectors.faiss"
LABELS = "labels.json"
MANIFEST = "manifest.json"
ONNX_FILE = "encoder.onnx"
TOKENIZER_FILE = "tokenizer.json"
KNOWLEDGE_FILE = "knowledge.json"  # the validated knowledge base the version was built from
KEEP_VERSIONS = 2
T = TypeVar("T")


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
    files: dict[str, str] = field(default_factory=dict)  # every other file of the version: name -> sha256


@dataclass(frozen=True)
class Index:
    """A loaded index: every key's vector, its label (entry id or exemplar group) and its text."""

    folder: Path
    manifest: Manifest
    vectors: faiss.Index
    labels: tuple[str, ...]
    texts: tuple[str, ...]
    ngrams: dict[str, NgramModel]  # by language

    def scores(self, query: NDArray[np.float32]) -> NDArray[np.float32]:
        """Cosine similarity of one normalised query vector to every key, in key order."""
        found, positions = self.vectors.search(query.reshape(1, -1), len(self.labels))
        scores = np.empty(len(self.labels), dtype=np.float32)
        scores[positions[0]] = found[0]
        return scores

    @property
    def onnx_file(self) -> Path | None:
        """The exported encoder, when the index has one (`read` has checked that it is there and whole)."""
        return self.folder / ONNX_FILE if self.manifest.encoder == "onnx" else None


def keys_of(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """Every text the index holds, with its label."""
    keys = [(entry.id, key) for entry in kb.entries for key in entry.keys]
    keys += [(OUT_OF_SCOPE, text) for text in kb.out_of_scope]
    keys += [(EMERGENCY, text) for text in kb.emergency]
    keys += [(NOT_EMERGENCY, text) for text in kb.not_emergency]
    keys += [(SMALLTALK + intent, text) for intent, texts in kb.smalltalk.exemplars.items() for text in texts]
    keys += [(SPANISH_EMERGENCY, text) for text in kb.spanish_emergency]
    keys += [(SPANISH_NOT_EMERGENCY, text) for text in kb.spanish_not_emergency]
    return keys


def write(
    index_dir: Path,
    labels: list[str],
    texts: list[str],
    vectors: NDArray[np.float32],
    manifest: Manifest,
    extra_files: dict[str, Path],
) -> Path:
    """Write a new version of the index and make it current, atomically.

    Returns:
        The new version's folder.

    Raises:
        IndexNotWritable: the folder cannot be written; the current version, if any, is untouched.
    """
    import faiss

    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=index_dir))
    except OSError as exc:
        raise IndexNotWritable(f"Cannot write the index in {index_dir}: {exc}") from exc
    try:
        flat = faiss.IndexFlatIP(vectors.shape[1])
        flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
        faiss.write_index(flat, str(staging / VECTORS))
        (staging / LABELS).write_text(
            json.dumps({"labels": labels, "texts": texts}, ensure_ascii=False), encoding="utf-8"
        )
        for name, path in extra_files.items():
            shutil.copyfile(path, staging / name)
        checked = replace(manifest, files={path.name: file_sha256(path) for path in sorted(staging.iterdir())})
        # The manifest goes last: a folder with a manifest is a whole one.
        (staging / MANIFEST).write_text(json.dumps(asdict(checked), indent=2), encoding="utf-8")
        _fsync_folder(staging)
        version = index_dir / f"{manifest.fingerprint[:12]}-{time.time_ns()}"
        os.rename(staging, version)
        switch(index_dir, version)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, (OSError, RuntimeError)):  # faiss reports a failed write as a RuntimeError
            raise IndexNotWritable(
                f"Cannot write the index in {index_dir} ({exc}); the current version is unchanged."
            ) from exc
        raise
    _prune(index_dir, keep=version)
    return version


def switch(index_dir: Path, version: Path) -> None:
    """Make `version` (a folder of `index_dir`) the current one, with one atomic rename.

    Raises:
        OSError: the folder cannot be written.
    """
    link = index_dir / f".{CURRENT}-{os.getpid()}-{threading.get_ident()}"
    link.unlink(missing_ok=True)
    link.symlink_to(version.name)
    os.replace(link, index_dir / CURRENT)
    os.utime(version)  # the newest-used versions are the ones `_prune` keeps


def _fsync_folder(folder: Path) -> None:
    for path in folder.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


def _prune(index_dir: Path, keep: Path) -> None:
    """Remove old versions and leftovers of killed builds, keeping the newest few.

    A leftover is removed only once it is an hour old: a younger one may be another process's build in progress.
    """
    versions = sorted(_versions(index_dir), key=_mtime)
    for old in versions[:-KEEP_VERSIONS]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in index_dir.glob(".building-*"):
        if time.time() - _mtime(leftover) > 3600:
            shutil.rmtree(leftover, ignore_errors=True)


def read(index_dir: Path) -> Index:
    """Load the current version.

    Raises:
        MissingIndex: nothing has been built yet.
        CorruptIndex: the files are missing, unreadable, altered, or disagree with each other.
    """
    folder = index_dir / CURRENT
    if not folder.exists():
        raise MissingIndex(f"No index in {index_dir}/ yet.")
    return read_version(folder.resolve())


def read_version(folder: Path) -> Index:
    """Load one version folder, checking every file against the sha256 its manifest records.

    Raises:
        CorruptIndex: as for `read`.
    """
    import faiss

    manifest = _parsed(folder / MANIFEST, _read_manifest)
    _check_files(folder, manifest)
    labels, texts = _parsed(folder / LABELS, _read_labels)
    vectors = _parsed(folder / VECTORS, lambda path: faiss.read_index(str(path)))
    if vectors.ntotal != len(labels) or len(labels) != len(texts) or sum(manifest.counts.values()) != len(labels):
        raise CorruptIndex(
            f"The index in {folder} is inconsistent: {vectors.ntotal} vectors, {len(labels)} labels, "
            f"manifest counts {sum(manifest.counts.values())}."
        )
    # A version built before an n-gram model existed is refused like a damaged one, so start-up rebuilds it rather
    # than serving without that emergency net.
    ngrams = {lang: _parsed(folder / name, ngram_model.read) for lang, name in ngram_model.FILES.items()}
    return Index(folder, manifest, vectors, labels, texts, ngrams)


def find(index_dir: Path, fingerprint: str, weights_sha256: str) -> Index | None:
    """The newest whole version in `index_dir` built from this knowledge base and these weights, if one is kept.

    Going back to a knowledge base that was current a moment ago then needs no rebuild.
    """
    for folder in sorted(_versions(index_dir), key=_mtime, reverse=True):
        try:
            manifest = _read_manifest(folder / MANIFEST)
        except (OSError, ValueError, TypeError):
            continue
        if manifest.fingerprint == fingerprint and manifest.weights_sha256 == weights_sha256:
            try:
                return read_version(folder)
            except CorruptIndex:
                continue
    return None


def snapshots(index_dir: Path) -> list[Path]:
    """The knowledge-base snapshots the versions keep: the current version's first, then the newest first."""
    current = (index_dir / CURRENT).resolve()
    folders = sorted(_versions(index_dir), key=lambda folder: (folder != current, -_mtime(folder)))
    return [folder / KNOWLEDGE_FILE for folder in folders if (folder / KNOWLEDGE_FILE).is_file()]


def _parsed(path: Path, parse: Callable[[Path], T]) -> T:
    """`parse(path)`, with any failure reported as a corrupt index naming the file."""
    try:
        return parse(path)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError) as exc:
        raise CorruptIndex(f"The index file {path} cannot be read ({type(exc).__name__}: {exc}).") from exc


def _read_labels(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    keyed = json.loads(path.read_text(encoding="utf-8"))
    return tuple(keyed["labels"]), tuple(keyed["texts"])


def _read_manifest(path: Path) -> Manifest:
    return _manifest(json.loads(path.read_text(encoding="utf-8")))


def _manifest(raw: object) -> Manifest:
    """The manifest, with the types of the fields that reading relies on checked."""
    if not isinstance(raw, dict):
        raise ValueError(f"{MANIFEST} is not a JSON object")
    manifest = Manifest(**raw)
    for name in ("model", "weights_sha256", "fingerprint", "encoder"):
        if not isinstance(getattr(manifest, name), str):
            raise ValueError(f"{MANIFEST} field {name!r} is {getattr(manifest, name)!r}, not a string")
    for name, kind in (("counts", int), ("files", str)):
        value = getattr(manifest, name)
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, kind) for k, v in value.items()):
            raise ValueError(f"{MANIFEST} field {name!r} is {value!r}, not an object of {kind.__name__}s")
    if manifest.encoder == "onnx" and not isinstance(manifest.onnx_sha256, str):
        raise ValueError(f"{MANIFEST} field 'onnx_sha256' is {manifest.onnx_sha256!r}, not the ONNX file's sha256")
    return manifest


def _check_files(folder: Path, manifest: Manifest) -> None:
    """Every file the version needs is there and, where the manifest has its sha256, unchanged."""
    needed = {VECTORS, LABELS, *manifest.files}
    if manifest.encoder == "onnx":
        needed |= {ONNX_FILE, TOKENIZER_FILE}
    for name in sorted(needed):
        if "/" in name or name.startswith(".") or not (folder / name).is_file():
            raise CorruptIndex(f"The index file {folder / name} is missing.")
    # Versions that list no files record the ONNX export's sha256 alone (`_manifest` refuses an onnx one without it).
    onnx_sha256 = manifest.onnx_sha256 if manifest.encoder == "onnx" else None
    expected = manifest.files or ({ONNX_FILE: onnx_sha256} if onnx_sha256 is not None else {})
    for name, digest in sorted(expected.items()):
        if file_sha256(folder / name) != digest:
            raise CorruptIndex(
                f"{folder / name} does not match the sha256 recorded in {folder / MANIFEST}: "
                "it is damaged or was changed."
            )


def _versions(index_dir: Path) -> list[Path]:
    try:
        return [p for p in index_dir.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]
    except OSError:
        return []


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def check_fresh(index: Index, fingerprint: str, weights_sha256: str) -> None:
    """Raise StaleIndex unless the index was built from this knowledge base and these weights."""
    if index.manifest.fingerprint != fingerprint:
        raise StaleIndex(f"The index in {index.folder} was built from another version of the knowledge base.")
    if index.manifest.weights_sha256 != weights_sha256:
        raise StaleIndex(f"The index in {index.folder} was built with other model weights.")
