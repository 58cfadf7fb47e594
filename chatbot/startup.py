"""Putting an Assistant together from settings: the I/O edge of the library.

A missing, stale or corrupt index is rebuilt here (and said so); a read-only index folder gets a
private temporary build instead, so the clinic keeps answering while someone fixes permissions.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from chatbot import index, knowledge
from chatbot.assistant import Assistant
from chatbot.encoder import Encoder, ModelSource, OnnxEncoder, SentenceTransformerEncoder, resolve_model, weights_sha256
from chatbot.errors import CorruptIndex, MissingIndex, StaleIndex
from chatbot.files import file_sha256
from chatbot.settings import Settings

log = logging.getLogger("chatbot")


def load_assistant(settings: Settings) -> Assistant:
    """Validate the knowledge base, check the model, open (or rebuild) the index, and build an Assistant.

    Raises:
        KnowledgeError, WeightsMismatch, ModelNotFound, ExportMismatch: nothing safe to serve.
    """
    kb, source, opened = ensure_ready(settings)
    encoder = encoder_for(opened, source, settings.threads)
    return Assistant(kb, opened, encoder, knowledge.fill(kb.messages, settings.office_phone))


def ensure_ready(settings: Settings) -> tuple[knowledge.KnowledgeBase, ModelSource, index.Index]:
    """The validated knowledge base, the checked model, and a fresh index (built if need be)."""
    kb = knowledge.load(settings.knowledge_dir)
    source = resolve_model(settings.model)
    weights = weights_sha256(source)
    return kb, source, open_index(kb, source, weights, settings)


def open_index(kb: knowledge.KnowledgeBase, source: ModelSource, weights: str, settings: Settings) -> index.Index:
    """The current index for this knowledge base and model, rebuilding it when it isn't."""
    from chatbot.build import build

    try:
        current = index.read(settings.index_dir)
        index.check_fresh(current, kb.fingerprint, weights)
        _check_export(current)
        return current
    except (MissingIndex, StaleIndex, CorruptIndex) as problem:
        log.warning("%s Rebuilding the index (this takes a few seconds)…", problem)
    try:
        build(kb, source, settings.index_dir, settings.threads, say=log.info)
        return index.read(settings.index_dir)
    except PermissionError as problem:
        scratch = Path(tempfile.mkdtemp(prefix="chatbot-index-"))
        log.error("Cannot write the index in %s (%s); serving from a temporary build in %s.", settings.index_dir, problem, scratch)
        build(kb, source, scratch, settings.threads, say=log.info)
        return index.read(scratch)


def _check_export(opened: index.Index) -> None:
    onnx_file = opened.onnx_file
    if onnx_file is not None and file_sha256(onnx_file) != opened.manifest.onnx_sha256:
        raise CorruptIndex(f"{onnx_file} does not match the hash recorded in its manifest.")


def encoder_for(opened: index.Index, source: ModelSource, threads: int) -> Encoder:
    """The exported ONNX encoder when the index has one (fast, no torch); else the reference encoder."""
    if opened.onnx_file is not None:
        return OnnxEncoder(opened.onnx_file, opened.folder / index.TOKENIZER_FILE, source.name, threads)
    return SentenceTransformerEncoder(source, threads)
