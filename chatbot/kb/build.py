"""`chatbot build`: embed every key of the knowledge base, export the fast encoder, write the index.

Keys encoded by an earlier build with the same weights, and the export itself, come from the key cache
(`key_cache.py`), so a rebuild after an edit encodes only the keys that changed.
"""

from __future__ import annotations

import datetime
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from chatbot.answering.normalise import normalise
from chatbot.errors import ExportMismatch, IndexNotWritable, KnowledgeError
from chatbot.kb import index, key_cache, ngram_model
from chatbot.kb.encoder import (
    EXPORT_FORMAT,
    Encoder,
    ModelSource,
    OnnxEncoder,
    SentenceTransformerEncoder,
    export_onnx,
    weights_sha256,
)
from chatbot.kb.files import file_sha256
from chatbot.kb.knowledge import KnowledgeBase, write_snapshot
from chatbot.kb.publishing import near_twins

MIN_COSINE = 0.9999


def build(
    kb: KnowledgeBase,
    source: ModelSource,
    index_dir: Path,
    threads: int = 1,
    *,
    export: bool = True,
    scores_entries: bool = True,
    encoder: Encoder | None = None,
    as_written: bool = False,
    say: Callable[[str], None] = lambda _: None,
) -> Path:
    """Build and atomically install a new index version for `kb`.

    Args:
        export: also export the encoder to ONNX and check it against sentence-transformers.
        scores_entries: this encoder scores the entries, so two entries' near-twin alternates are refused (an encoder
            that only reads the emergency and small-talk exemplars, beside an answer encoder, is not held to it).
        encoder: encodes the keys instead of sentence-transformers reading `source` (then `export` must be off): one
            that is not a sentence-transformers model, such as the Spanish questions' (`multilingual.py`).
        as_written: encode the keys as written, not normalised (for an encoder that reads messages so).
        say: where progress messages go.

    Returns:
        The new version's folder.
    """
    started = time.perf_counter()
    weights = weights_sha256(source)
    # Scratch space beside the index, named like a version in progress: a build killed midway leaves
    # its leftovers where `index.write` clears them, not in the temporary folder. Made first, so that
    # a folder that cannot be written is reported before the minutes of work, not after.
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        scratch_dir = tempfile.TemporaryDirectory(prefix=".building-export-", dir=index_dir)
    except OSError as exc:
        raise IndexNotWritable(f"Cannot write the index in {index_dir}: {exc}") from exc
    with scratch_dir as scratch:
        labelled = index.keys_of(kb)
        labels = [label for label, _ in labelled]
        texts = [text for _, text in labelled]
        readings = texts if as_written else [normalise(text) for text in texts]  # as the encoder reads them
        cache = key_cache.load(index_dir, weights)
        fresh = cache.missing(readings)
        say(f"{len(texts)} keys; encoding the {len(fresh)} texts not in the key cache with {source.name}…")
        if fresh:
            cache.add(fresh, (encoder or SentenceTransformerEncoder(source, threads)).encode(fresh))
        vectors = cache.lookup(readings)
        key_cache.save(index_dir, cache, readings)
        twins = near_twins(kb, dict(zip(texts, vectors, strict=True))) if scores_entries else []
        if twins:
            raise KnowledgeError(twins)
        extra = ngram_model.write_all(ngram_model.train(labelled), Path(scratch))
        if kb.files:  # kept so that a start on a knowledge base broken later can serve this one
            extra[index.KNOWLEDGE_FILE] = Path(scratch) / index.KNOWLEDGE_FILE
            write_snapshot(kb, extra[index.KNOWLEDGE_FILE])
        min_cosine = None
        if export:
            onnx_file, min_cosine = exported(
                source, weights, index_dir, Path(scratch), cache, fresh, readings, threads, say
            )
            extra |= {index.ONNX_FILE: onnx_file, index.TOKENIZER_FILE: source.path / "tokenizer.json"}
        manifest = index.Manifest(
            model=source.name,
            weights_sha256=weights,
            fingerprint=kb.fingerprint,
            counts=dict(Counter(_group(label) for label in labels)),
            built_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            build_seconds=round(time.perf_counter() - started, 2),
            encoder="onnx" if export else "sentence-transformers" if encoder is None else encoder.name,
            onnx_sha256=file_sha256(extra[index.ONNX_FILE]) if export else None,
            onnx_min_cosine=min_cosine,
        )
        return index.write(index_dir, labels, texts, vectors, manifest, extra)


def build_spanish(
    kb: KnowledgeBase,
    index_dir: Path,
    threads: int = 1,
    encoder: Encoder | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> Path:
    """Build the Spanish questions' index (`multilingual.py`): the same keys, read by that encoder (`encoder` when the
    caller has it loaded already), no export."""
    from chatbot.kb import multilingual

    weights = multilingual.source()
    return build(
        kb,
        weights,
        index_dir,
        threads,
        export=False,
        scores_entries=False,
        encoder=encoder or multilingual.MultilingualEncoder(weights, threads),
        as_written=multilingual.AS_WRITTEN,
        say=say,
    )


def exported(
    source: ModelSource,
    weights: str,
    index_dir: Path,
    scratch: Path,
    cache: key_cache.KeyCache,
    fresh: list[str],
    texts: list[str],
    threads: int,
    say: Callable[[str], None],
) -> tuple[Path, float]:
    """The encoder's ONNX export and the lowest cosine it showed against the reference.

    An export kept by an earlier build of these weights is checked on the keys encoded just now (it was
    checked on all the others when it was made); a new one is checked on every key.
    """
    kept = key_cache.cached_export(index_dir, weights, EXPORT_FORMAT)
    if kept is not None:
        onnx_file, min_cosine = kept
        if fresh:
            min_cosine = min(min_cosine, check_export(onnx_file, source, cache.lookup(fresh), fresh, threads))
        return onnx_file, min_cosine
    onnx_file = scratch / index.ONNX_FILE
    say("Exporting the encoder to ONNX…")
    export_onnx(source, onnx_file)
    min_cosine = check_export(onnx_file, source, cache.lookup(texts), texts, threads)
    key_cache.keep_export(index_dir, weights, EXPORT_FORMAT, onnx_file, min_cosine)
    return onnx_file, min_cosine


def check_export(onnx_file: Path, source: ModelSource, reference: np.ndarray, texts: list[str], threads: int) -> float:
    """The lowest cosine between the export's and the reference's vectors over `texts`.

    Raises:
        ExportMismatch: below MIN_COSINE on any text.
    """
    exported = OnnxEncoder(onnx_file, source.path / "tokenizer.json", source.name, threads).encode(texts)
    cosines = (exported * reference).sum(axis=1)
    worst = int(np.argmin(cosines))
    if cosines[worst] < MIN_COSINE:
        raise ExportMismatch(
            f"The ONNX export disagrees with sentence-transformers: cosine {cosines[worst]:.6f} < {MIN_COSINE} "
            f"on {texts[worst]!r}. The build is refused; the previous index stays in place."
        )
    return round(float(cosines.min()), 6)


def _group(label: str) -> str:
    return label.lstrip("~").partition(":")[0] if label.startswith("~") else "entry-keys"
