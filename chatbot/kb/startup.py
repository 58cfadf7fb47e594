"""Putting an Assistant together from settings: the I/O edge of the library.

A missing, stale or corrupt index is rebuilt here (and said so), unless a version already built for
this knowledge base is kept beside it (going back to the previous knowledge base is a switch, not a
rebuild). An index folder that cannot be written gets a private build in the temporary folder
instead, reused from one start to the next, so the clinic keeps answering while someone fixes it.
A rebuild runs `chatbot build` in a child process: building needs torch and sentence-transformers
(seconds to import, about 500 MiB held), answering does not, and a server or a terminal session
that rebuilt in-process would carry them until it exits.

A server starting on a knowledge base that fails validation answers with the last good one, the
one the index versions keep (`knowledge_to_serve`); every other caller refuses it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from chatbot.answering import language
from chatbot.answering.assistant import AnswerModel, Assistant
from chatbot.errors import BuildFailed, CorruptIndex, KnowledgeError, MissingIndex, StaleIndex
from chatbot.kb import adapt, index, knowledge
from chatbot.kb.encoder import (
    Encoder,
    ModelSource,
    OnnxEncoder,
    SentenceTransformerEncoder,
    resolve_model,
    weights_sha256,
)
from chatbot.settings import Settings

log = logging.getLogger("chatbot")


def load_assistant(settings: Settings, *, last_good: bool = False) -> Assistant:
    """Validate the knowledge base, check the model, open (or rebuild) the index, and build an Assistant.

    Args:
        last_good: when the knowledge base on disk is invalid, answer with the last good one the index
            keeps (a server starting), instead of refusing (a reload, a staff member's `chatbot ask`).

    Raises:
        KnowledgeError, WeightsMismatch, ModelNotFound, BuildFailed: nothing safe to serve.
    """
    kb, source, opened = ensure_ready(settings, last_good=last_good)
    encoder = encoder_for(opened, source, settings.threads)
    language.detector()  # loaded here, with the rest, rather than during the first patient's question
    assistant = Assistant(
        kb,
        opened,
        encoder,
        knowledge.fill(kb.messages, settings.office_phone),
        answer_model_for(kb, settings),
        spanish_model_for(kb, settings),
    )
    warn_if_calibrated_for_other_weights(assistant, settings)
    return assistant


def warn_if_calibrated_for_other_weights(assistant: Assistant, settings: Settings) -> None:
    """Say so when the policy was chosen for other vectors (another encoder, re-adapted weights, or the answer
    encoder switched on or off): every threshold and the judge's weights are the encoders' own. When the policy was
    chosen for the very model `chatbot adapt --no-hold` would make now, the served one is out of date instead (an
    update changed what it learns from): remaking it is the fix, not calibrating for it."""
    recorded = dict(assistant.kb.calibrated_for)
    serving = assistant.weights()
    changed = sorted(role for role, sha in recorded.items() if serving.get(role) != sha)
    if not changed:
        return
    if changed == ["answer_encoder"] and adapt.served_recipe(settings, assistant.kb) == recorded["answer_encoder"]:
        log.warning(
            "The answer encoder in %s was adapted from other keys than the policy (knowledge/policy.yaml) was "
            "calibrated for. Run `chatbot adapt --no-hold` to make the model it was calibrated for, then restart.",
            settings.adapted_dir,
        )
        return
    log.warning(
        "The policy (knowledge/policy.yaml) was calibrated for other weights of the %s than these serve; its "
        "thresholds may not fit them. Run `chatbot calibrate` (then keep the emergency pair by hand).",
        " and the ".join(role.replace("_", " ") for role in changed),
    )


def answer_model_for(kb: knowledge.KnowledgeBase, settings: Settings) -> AnswerModel | None:
    """The second encoder and its index for this knowledge base (rebuilt in a child process if needed), or None
    without `answer_model`."""
    answering = settings.for_answers()
    if answering is None:
        return None
    missing = adapt.to_make(settings)
    if missing is not None:
        log.warning("Adapting the answer encoder to the knowledge base in %s (this takes about a minute)…", missing)
        run_child(settings, ["adapt", "--no-hold", "--to", str(missing)], f"Adapting the answer encoder in {missing}")
    source = resolve_model(answering.model)
    opened = open_index(kb, weights_sha256(source), answering)
    return AnswerModel(opened, encoder_for(opened, source, settings.threads), adapt.recipe(source.path))


def spanish_model_for(kb: knowledge.KnowledgeBase, settings: Settings) -> AnswerModel | None:
    """The Spanish questions' encoder and its index for this knowledge base, or None without `spanish_model`. A
    missing or stale index is rebuilt in this process: the encoder needs no torch, and the key cache keeps a rebuild
    after an edit to the keys that changed."""
    spanish = settings.for_spanish()
    if spanish is None:
        return None
    from chatbot.kb import multilingual

    weights = multilingual.source()
    encoder = multilingual.MultilingualEncoder(weights, settings.threads)

    def rebuild(folder: Path) -> None:
        from chatbot.kb.build import build_spanish  # the builder's imports, only when there is building to do

        build_spanish(kb, folder, settings.threads, encoder)

    opened = open_index(kb, weights_sha256(weights), spanish, rebuild=rebuild)
    return AnswerModel(opened, encoder, as_written=multilingual.AS_WRITTEN)


def ensure_ready(
    settings: Settings, *, last_good: bool = False
) -> tuple[knowledge.KnowledgeBase, ModelSource, index.Index]:
    """The validated knowledge base (or the last good one, see `load_assistant`), the checked model, and a fresh
    index."""
    kb = knowledge_to_serve(settings) if last_good else knowledge.load(settings.knowledge_dir)
    source = resolve_model(settings.model)
    weights = weights_sha256(source)
    return kb, source, open_index(kb, weights, settings)


def knowledge_to_serve(settings: Settings) -> knowledge.KnowledgeBase:
    """The knowledge base on disk, or, if it is invalid, the last good one an index version keeps, marked
    with what is wrong on disk: a mistake saved before a reboot must not take the assistant down.

    Raises:
        KnowledgeError: the knowledge base is invalid and no index version keeps a good one.
    """
    try:
        return knowledge.load(settings.knowledge_dir)
    except KnowledgeError as invalid:
        kept = last_good_knowledge(settings.index_dir, invalid)
        if kept is None:
            raise
        log.error(
            "%s\nSERVING THE LAST GOOD KNOWLEDGE BASE (%s, kept in %s) until this is fixed; "
            "run `chatbot check`, fix, then reload.",
            invalid,
            kept.fingerprint[:12],
            settings.index_dir,
        )
        return kept


def last_good_knowledge(index_dir: Path, invalid: KnowledgeError) -> knowledge.KnowledgeBase | None:
    """The newest valid knowledge base the index versions keep (the current one's first), marked with `invalid`'s
    problems."""
    for snapshot in index.snapshots(index_dir):
        try:
            kept = knowledge.load_snapshot(snapshot)
        except (OSError, ValueError, KnowledgeError) as exc:
            log.warning("Cannot serve the knowledge base kept in %s: %s", snapshot, exc)
            continue
        return dataclasses.replace(kept, problems_on_disk=tuple(invalid.problems))
    return None


def open_index(
    kb: knowledge.KnowledgeBase, weights: str, settings: Settings, rebuild: Callable[[Path], None] | None = None
) -> index.Index:
    """The index for this knowledge base and model: the current one, a kept one, or a rebuilt one (by `rebuild` into
    the folder given, else by `chatbot build` in a child process).

    Raises:
        BuildFailed: the rebuild failed; its own message is kept.
        StaleIndex: the knowledge base changed on disk while the rebuild ran.
    """
    index_dir = settings.index_dir
    opened = _fresh_or_kept(index_dir, kb.fingerprint, weights)
    if opened is not None:
        return opened
    if not _writable(index_dir):
        index_dir = private_index_dir(settings.index_dir)
        log.error(
            "Cannot write the index in %s; serving from a private build in %s until it can be written.",
            settings.index_dir,
            index_dir,
        )
        opened = _fresh_or_kept(index_dir, kb.fingerprint, weights)
        if opened is not None:
            return opened
    log.warning("Rebuilding the index in %s (this takes about 30 s)…", index_dir)
    if rebuild is None:
        build_in_child(settings, index_dir)
    else:
        rebuild(index_dir)
    rebuilt = index.read(index_dir)
    index.check_fresh(rebuilt, kb.fingerprint, weights)
    return rebuilt


def _fresh_or_kept(index_dir: Path, fingerprint: str, weights: str) -> index.Index | None:
    """The current version if it is whole and fresh; else a kept whole version for this knowledge base, made current."""
    try:
        current = index.read(index_dir)
        index.check_fresh(current, fingerprint, weights)
        return current
    except (MissingIndex, StaleIndex, CorruptIndex) as problem:
        log.warning("%s", problem)
    kept = index.find(index_dir, fingerprint, weights)
    if kept is None:
        return None
    try:
        index.switch(index_dir, kept.folder)
        log.warning("Switched the index to %s, already built for this knowledge base.", kept.folder)
    except OSError as exc:
        log.warning(
            "Serving the index in %s, already built for this knowledge base (cannot make it current: %s).",
            kept.folder,
            exc,
        )
    return kept


def private_index_dir(index_dir: Path) -> Path:
    """Where to build when `index_dir` cannot be written: one folder per index folder and user, so restarts reuse it.

    The temporary folder is shared with every local user, so the folder is used only if it is a real
    folder that this user owns and nobody else may write; otherwise a new one is made.
    """
    key = hashlib.sha256(str(index_dir.absolute()).encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"chatbot-index-{os.getuid()}-{key}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return Path(tempfile.mkdtemp(prefix="chatbot-index-"))
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        return Path(tempfile.mkdtemp(prefix="chatbot-index-"))
    return folder


def build_in_child(settings: Settings, index_dir: Path) -> None:
    """Run `python -m chatbot build` for these settings into `index_dir`; its progress goes to the log.

    Raises:
        BuildFailed: the build exited with an error.
    """
    run_child(settings.model_copy(update={"index_dir": index_dir}), ["build"], f"Rebuilding the index in {index_dir}")


def run_child(settings: Settings, arguments: list[str], doing: str) -> None:
    """Run `python -m chatbot <arguments>` with these settings: torch and sentence-transformers stay in the child.

    Raises:
        BuildFailed: the command exited with an error, `doing` and its own message said.
    """
    command = [sys.executable, "-m", "chatbot", *arguments]
    done = subprocess.run(
        command, env=settings.environment(), stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    for line in done.stdout.splitlines():
        log.info("%s", line)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        # `chatbot` reports a library error as "Error: …" (possibly several lines); anything else as a traceback.
        start = next((i for i, line in enumerate(lines) if line.startswith("Error: ")), max(len(lines) - 10, 0))
        reason = "\n".join(lines[start:]).removeprefix("Error: ") or "no message"
        raise BuildFailed(f"{doing} failed (exit status {done.returncode}): {reason}")


def _writable(folder: Path) -> bool:
    """Whether a build can write `folder` (or create it in its nearest existing parent).

    Tried, not read from permission bits: root ignores them, and read-only mounts, ACLs and network
    file systems each answer differently.
    """
    existing = folder.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        return False
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".probe-", dir=existing))
    except OSError:
        return False
    return True


def encoder_for_check(settings: Settings) -> tuple[Encoder, index.Index | None]:
    """An encoder for `chatbot check`, and the current index if it was built with the same model (its vectors
    are reused): the index's fast ONNX encoder when there is one, so a check takes seconds, not a torch import."""
    source = resolve_model(settings.model)
    try:
        built = index.read(settings.index_dir)
    except (MissingIndex, CorruptIndex):
        return SentenceTransformerEncoder(source, settings.threads), None
    if built.manifest.weights_sha256 != weights_sha256(source):
        return SentenceTransformerEncoder(source, settings.threads), None
    return encoder_for(built, source, settings.threads), built


def encoder_for(opened: index.Index, source: ModelSource, threads: int) -> Encoder:
    """The exported ONNX encoder when the index has one (fast, no torch); else the reference encoder."""
    if opened.onnx_file is not None:
        return OnnxEncoder(opened.onnx_file, opened.folder / index.TOKENIZER_FILE, source.name, threads)
    return SentenceTransformerEncoder(source, threads)
