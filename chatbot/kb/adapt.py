"""`chatbot adapt`: the encoder adapted to this clinic's knowledge base. Adapted without the hold (below) it is the
default answer encoder (`CHATBOT_ANSWER_MODEL=adapted`, made by `chatbot build` or a start when missing: `to_make`);
with it, a model folder for `CHATBOT_MODEL`.

The packaged all-MiniLM-L6-v2 learnt from the web's sentence pairs, not from this clinic's questions: one entry's
wordings often sit as close to a neighbouring entry's as to each other, so the right entry leads by little and the
policy falls back. One pass of contrastive training over the knowledge base's own keys (each key pulled towards
another key of its entry and away from the other entries' in its batch) spreads the entries apart. Only the
knowledge base is trained on, never the evaluation set.

The emergency check and small talk score messages against their own exemplars with the same encoder, and a model
adapted to the entries alone lost emergencies the packaged one caught. So every step also holds those exemplars
(English and Spanish emergencies and their ordinary twins, small talk) where the packaged model puts them
(`HOLD_WEIGHT`). The out-of-scope exemplars are free to move: they are what the entries should move away from.

Measured in the README ("Adapting the encoder to the clinic", "Two encoders, one per purpose"). Training takes about
a minute on two cores, and adapting again is only needed when the entries change a lot: an added alternate is encoded
by the adapted model like any key.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chatbot.answering.normalise import normalise
from chatbot.kb.encoder import WEIGHTS_FILE, ModelSource, resolve_model, weights_sha256
from chatbot.kb.knowledge import KnowledgeBase
from chatbot.settings import ADAPTED, Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MANIFEST = "adapted.json"
BATCH = 32
LEARNING_RATE = 2e-5
# Cosines are scaled by this before the softmax over a batch (sentence-transformers' default for this loss).
SCALE = 20.0
# How hard the safety and small-talk exemplars are held where the packaged model puts them. At 100 the emergency
# check, at every level from 0.40 to 0.55, caught as many of the English sets' 33 emergencies that only it catches
# (31) with about as many false alarms as the packaged model (8 against 7-8 at 0.52); adapted without holding, it
# caught 29 with 11.
HOLD_WEIGHT = 100.0


@dataclass(frozen=True)
class Adapted:
    """What `adapt` wrote, and how it trained."""

    folder: Path
    keys: int
    held: int
    steps: int
    loss: float


def entry_keys(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Each entry's English keys as the index encodes them (normalised), for entries with two or more. The Spanish
    ones are left out: the model learnt English, Spanish questions have an encoder of their own
    (`CHATBOT_SPANISH_MODEL`), and with them every Spanish wording added for that encoder retrained this one and moved
    English answers (README, "Spanish wordings from blind writers")."""
    keys = {entry.id: sorted({normalise(key) for key in (entry.question, *entry.alternates)}) for entry in kb.entries}
    return {entry_id: texts for entry_id, texts in keys.items() if len(texts) >= 2}


def held_texts(kb: KnowledgeBase) -> list[str]:
    """The exemplars the adapted model must place where the packaged one does."""
    texts = [*kb.emergency, *kb.not_emergency, *kb.spanish_emergency, *kb.spanish_not_emergency]
    texts += [text for exemplars in kb.smalltalk.exemplars.values() for text in exemplars]
    return sorted({normalise(text) for text in texts})


def batches(keys: dict[str, list[str]], rng: random.Random, size: int = BATCH) -> Iterator[list[tuple[str, str]]]:
    """One epoch of (key, another key of the same entry) pairs, every key once as the first, in batches that hold
    each entry at most once: a second key of the same entry in a batch would be counted as a wrong match."""
    pending = [(entry_id, text) for entry_id, texts in keys.items() for text in texts]
    rng.shuffle(pending)
    while pending:
        batch: list[tuple[str, str]] = []
        seen: set[str] = set()
        rest = []
        for entry_id, text in pending:
            if len(batch) < size and entry_id not in seen:
                batch.append((text, rng.choice([other for other in keys[entry_id] if other != text])))
                seen.add(entry_id)
            else:
                rest.append((entry_id, text))
        pending = rest
        if len(batch) >= 2:  # one pair alone teaches nothing: there is no other entry to move away from
            yield batch


def to_make(settings: Settings) -> Path | None:
    """The folder of the adapted answer encoder when the settings serve it (`CHATBOT_ANSWER_MODEL=adapted`, the
    default) and it has not been made yet; else None. `chatbot build` makes it, and so does a start that finds it
    missing, as a missing index is rebuilt: the same knowledge base and weights make the same model on this machine,
    bit for bit (on another CPU, the same model up to the last bits of its floats: see `recipe`).
    """
    if settings.answer_model != ADAPTED or (settings.adapted_dir / WEIGHTS_FILE).is_file():
        return None
    return settings.adapted_dir


def make_served(
    settings: Settings,
    kb: KnowledgeBase,
    *,
    folder: Path | None = None,
    epochs: int = 1,
    say: Callable[[str], None] = lambda line: None,
) -> Adapted:
    """Adapt the answer encoder (`CHATBOT_ANSWER_MODEL=adapted`) into `folder`, by default the one these settings
    serve: what `chatbot build`, a start that finds it missing and `chatbot adapt --no-hold` all make."""
    source, hold = _served(settings)
    return adapt(source, kb, folder or settings.adapted_dir, epochs=epochs, hold=hold, say=say)


def served_recipe(settings: Settings, kb: KnowledgeBase) -> str | None:
    """The recipe `make_served` would give the answer encoder now, or None when these settings serve none adapted."""
    if settings.answer_model != ADAPTED:
        return None
    source, hold = _served(settings)
    return recipe_for(source, kb, hold=hold)


def _served(settings: Settings) -> tuple[ModelSource, bool]:
    # Adapted from the encoder the settings name, with nothing held (the second value): it scores the entries only,
    # never the emergency check or small talk, so their exemplars are free to move.
    return resolve_model(settings.model), False


# What makes an adapted model what it is: the weights it started from, the texts it trained on (not the whole
# knowledge base: an added out-of-scope exemplar changes no weight), and how. The same recipe on another CPU gives
# weights that differ in the last bits of their floats (measured: another sha256, and the same figures on every
# evaluation set), so a policy is calibrated for the recipe, not for the file.
RECIPE = ("base_weights_sha256", "trained_on_sha256", "epochs", "seed", "hold_weight")


def recipe(folder: Path) -> str | None:
    """A digest of how the model in `folder` was adapted ("adapted-<sha256>"), or None if it was not (no readable
    manifest): the identity a policy is calibrated for (`Assistant.weights`)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        made = {name: manifest[name] for name in RECIPE}
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return _digest(made)


def recipe_for(source: ModelSource, kb: KnowledgeBase, *, epochs: int = 1, seed: int = 0, hold: bool = True) -> str:
    """The recipe `adapt` would give the model it makes from `source` and `kb` (the same arguments), without making
    it: a model folder adapted before the knowledge base or the training keys changed has another."""
    keys, held = entry_keys(kb), held_texts(kb) if hold else []
    return _digest(_recipe_fields(source, keys, held, epochs, seed))


def _recipe_fields(
    source: ModelSource, keys: dict[str, list[str]], held: list[str], epochs: int, seed: int
) -> dict[str, object]:
    """The `RECIPE` fields of a manifest: written by `adapt`, digested by `recipe_for`, so the two cannot drift."""
    return {
        "base_weights_sha256": weights_sha256(source),
        "trained_on_sha256": _trained_on(keys, held),
        "epochs": epochs,
        "seed": seed,
        "hold_weight": HOLD_WEIGHT if held else 0.0,
    }


def _trained_on(keys: dict[str, list[str]], held: list[str]) -> str:
    return hashlib.sha256(json.dumps({"keys": keys, "held": held}, sort_keys=True).encode()).hexdigest()


def _digest(made: dict[str, object]) -> str:
    return "adapted-" + hashlib.sha256(json.dumps(made, sort_keys=True).encode()).hexdigest()


def adapt(
    source: ModelSource,
    kb: KnowledgeBase,
    folder: Path,
    *,
    epochs: int = 1,
    seed: int = 0,
    hold: bool = True,
    say: Callable[[str], None] = lambda line: None,
) -> Adapted:
    """Train `source`'s model on `kb`'s keys and write it to `folder` (replaced whole, only once it is complete).

    Args:
        hold: hold the emergency and small-talk exemplars in place; without, the model is fit for scoring the entries
            only (`CHATBOT_ANSWER_MODEL`), not for the emergency check."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = SentenceTransformer(str(source.path), device="cpu")
    keys, held = entry_keys(kb), held_texts(kb) if hold else []
    with torch.no_grad():
        model.eval()
        target = torch.tensor(model.encode(held, normalize_embeddings=True, batch_size=64)) if held else None
    model.train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)

    def embed(texts: Sequence[str]) -> torch.Tensor:
        return torch.nn.functional.normalize(model(model.preprocess(list(texts)))["sentence_embedding"], dim=-1)

    steps, losses = 0, []
    for epoch in range(epochs):
        for batch in batches(keys, rng):
            similarities = embed([a for a, _ in batch]) @ embed([b for _, b in batch]).T * SCALE
            labels = torch.arange(len(batch))
            loss = (
                torch.nn.functional.cross_entropy(similarities, labels)
                + torch.nn.functional.cross_entropy(similarities.T, labels)
            ) / 2
            if target is not None:
                rows = rng.sample(range(len(held)), min(BATCH, len(held)))
                drift = 1 - (embed([held[row] for row in rows]) * target[rows]).sum(dim=-1)
                loss = loss + HOLD_WEIGHT * drift.mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            steps += 1
            losses.append(loss.item())
        say(f"Epoch {epoch + 1} of {epochs}: {steps} steps, mean loss {sum(losses) / max(len(losses), 1):.3f}")
    model.eval()
    result = Adapted(folder, sum(len(texts) for texts in keys.values()), len(held), steps, losses[-1] if losses else 0)
    _write(model, folder, source, kb, result, _recipe_fields(source, keys, held, epochs, seed))
    return result


def _write(
    model: SentenceTransformer,
    folder: Path,
    source: ModelSource,
    kb: KnowledgeBase,
    result: Adapted,
    made: dict[str, object],
) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".adapting-", dir=folder.parent) as scratch:
        written = Path(scratch) / folder.name
        model.save(str(written))
        manifest = {
            "base_model": source.name,
            "knowledge_fingerprint": kb.fingerprint,
            **made,
            "keys": result.keys,
            "held": result.held,
            "steps": result.steps,
            "adapted_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }
        (written / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        written.rename(folder)
