"""Putting an Assistant together from settings: the I/O edge of the library.

A missing, stale or corrupt index is rebuilt here (and said so); a read-only index folder gets a
private temporary build instead, so the clinic keeps answering while someone fixes permissions.
A rebuild runs `chatbot build` in a child process: building needs torch and sentence-transformers
(seconds to import, about 500 MiB held), answering does not, and a server or a terminal session
that rebuilt in-process would carry them until it exits.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from chatbot import index, knowledge
from chatbot.assistant import Assistant
from chatbot.build import BuildFailed
from chatbot.encoder import Encoder, ModelSource, OnnxEncoder, SentenceTransformerEncoder, resolve_model, weights_sha256
from chatbot.errors import CorruptIndex, MissingIndex, StaleIndex
from chatbot.files import file_sha256
from chatbot.settings import Settings

log = logging.getLogger("chatbot")


def load_assistant(settings: Settings) -> Assistant:
    """Validate the knowledge base, check the model, open (or rebuild) the index, and build an Assistant.

    Raises:
        KnowledgeError, WeightsMismatch, ModelNotFound, BuildFailed: nothing safe to serve.
    """
    kb, source, opened = ensure_ready(settings)
    encoder = encoder_for(opened, source, settings.threads)
    return Assistant(kb, opened, encoder, knowledge.fill(kb.messages, settings.office_phone))


def ensure_ready(settings: Settings) -> tuple[knowledge.KnowledgeBase, ModelSource, index.Index]:
    """The validated knowledge base, the checked model, and a fresh index (built if need be)."""
    kb = knowledge.load(settings.knowledge_dir)
    source = resolve_model(settings.model)
    weights = weights_sha256(source)
    return kb, source, open_index(kb, weights, settings)


def open_index(kb: knowledge.KnowledgeBase, weights: str, settings: Settings) -> index.Index:
    """The current index for this knowledge base and model, rebuilding it (in a child process) when it isn't.

    Raises:
        BuildFailed: the rebuild failed; its own message is kept.
        StaleIndex: the knowledge base changed on disk while the rebuild ran.
    """
    try:
        current = index.read(settings.index_dir)
        index.check_fresh(current, kb.fingerprint, weights)
        _check_export(current)
        return current
    except (MissingIndex, StaleIndex, CorruptIndex) as problem:
        log.warning("%s Rebuilding the index (this takes a few seconds)…", problem)
    index_dir = settings.index_dir
    if not _writable(index_dir):
        index_dir = Path(tempfile.mkdtemp(prefix="chatbot-index-"))
        log.error("Cannot write the index in %s; serving from a temporary build in %s.", settings.index_dir, index_dir)
    build_in_child(settings, index_dir)
    rebuilt = index.read(index_dir)
    index.check_fresh(rebuilt, kb.fingerprint, weights)
    return rebuilt


def build_in_child(settings: Settings, index_dir: Path) -> None:
    """Run `python -m chatbot build` for these settings into `index_dir`; its progress goes to the log.

    Raises:
        BuildFailed: the build exited with an error.
    """
    env = {
        **os.environ,
        "CHATBOT_KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "CHATBOT_INDEX_DIR": str(index_dir),
        "CHATBOT_MODEL": settings.model,
        "CHATBOT_THREADS": str(settings.threads),
    }
    command = [sys.executable, "-m", "chatbot", "build"]
    done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        log.info("%s", line)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        # `chatbot build` reports a library error as "Error: …" (possibly several lines); anything else as a traceback.
        start = next((i for i, line in enumerate(lines) if line.startswith("Error: ")), max(len(lines) - 10, 0))
        reason = "\n".join(lines[start:]).removeprefix("Error: ") or "no message"
        raise BuildFailed(f"Rebuilding the index in {index_dir} failed (exit status {done.returncode}): {reason}")


def _writable(folder: Path) -> bool:
    """Whether a build could write `folder`, or create it in its nearest existing parent."""
    existing = folder.absolute()
    while not existing.exists():
        existing = existing.parent
    return os.access(existing, os.W_OK)


def _check_export(opened: index.Index) -> None:
    onnx_file = opened.onnx_file
    if onnx_file is not None and file_sha256(onnx_file) != opened.manifest.onnx_sha256:
        raise CorruptIndex(f"{onnx_file} does not match the hash recorded in its manifest.")


def encoder_for(opened: index.Index, source: ModelSource, threads: int) -> Encoder:
    """The exported ONNX encoder when the index has one (fast, no torch); else the reference encoder."""
    if opened.onnx_file is not None:
        return OnnxEncoder(opened.onnx_file, opened.folder / index.TOKENIZER_FILE, source.name, threads)
    return SentenceTransformerEncoder(source, threads)
