"""The key cache: a vector comes back only for the same normalised text and the same weights, and a
damaged cache is ignored, never trusted."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from support import FakeEncoder

from chatbot.kb import key_cache

WEIGHTS, OTHER_WEIGHTS = "a" * 64, "b" * 64
TEXTS = ["how much does it cost", "can i drive home", "is there wifi"]


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    cache = key_cache.KeyCache(WEIGHTS)
    cache.add(TEXTS, FakeEncoder().encode(TEXTS))
    key_cache.save(tmp_path, cache, TEXTS)
    return tmp_path


def test_unchanged_keys_are_hits_with_their_own_vectors(saved: Path) -> None:
    cache = key_cache.load(saved, WEIGHTS)
    assert cache.missing(TEXTS) == []
    np.testing.assert_array_equal(cache.lookup(TEXTS[::-1]), FakeEncoder().encode(TEXTS[::-1]))


def test_a_changed_text_is_a_miss(saved: Path) -> None:
    cache = key_cache.load(saved, WEIGHTS)
    assert cache.missing([*TEXTS, "how much does it cost?", "How much does it cost"]) == [
        "how much does it cost?",
        "How much does it cost",
    ]


def test_other_weights_find_nothing(saved: Path) -> None:
    assert key_cache.load(saved, OTHER_WEIGHTS).missing(TEXTS) == TEXTS


def test_a_cache_file_renamed_to_other_weights_is_ignored(saved: Path, caplog: pytest.LogCaptureFixture) -> None:
    key_cache.path_for(saved, WEIGHTS).rename(key_cache.path_for(saved, OTHER_WEIGHTS))
    assert key_cache.load(saved, OTHER_WEIGHTS).missing(TEXTS) == TEXTS
    assert "Ignoring the damaged key cache" in caplog.text


@pytest.mark.parametrize("damage", ["truncated", "garbage", "vectors changed", "texts swapped"])
def test_a_damaged_cache_is_ignored_and_rewritten(saved: Path, damage: str, caplog: pytest.LogCaptureFixture) -> None:
    path = key_cache.path_for(saved, WEIGHTS)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "garbage":
        path.write_bytes(b"not a cache")
    else:
        # A well-formed file whose vectors no longer belong to their texts: only the recorded sha256 can tell.
        with np.load(path) as data:
            arrays = dict(data)
        if damage == "vectors changed":
            arrays["vectors"] = arrays["vectors"] + np.float32(0.01)
        else:
            arrays["texts"] = arrays["texts"][::-1]
        np.savez(path, **arrays)
    with caplog.at_level(logging.WARNING, logger="chatbot"):
        cache = key_cache.load(saved, WEIGHTS)
    assert cache.missing(TEXTS) == TEXTS
    assert "Ignoring the damaged key cache" in caplog.text
    cache.add(TEXTS, FakeEncoder().encode(TEXTS))
    key_cache.save(saved, cache, TEXTS)
    assert key_cache.load(saved, WEIGHTS).missing(TEXTS) == []


def test_earlier_keys_are_kept_up_to_twice_the_current_ones(saved: Path) -> None:
    cache = key_cache.load(saved, WEIGHTS)
    key_cache.save(saved, cache, TEXTS[:1])
    assert key_cache.load(saved, WEIGHTS).missing(TEXTS) == TEXTS[2:]


def test_a_cache_that_cannot_be_written_costs_nothing_but_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    cache = key_cache.KeyCache(WEIGHTS)
    cache.add(TEXTS, FakeEncoder().encode(TEXTS))
    key_cache.save(blocked, cache, TEXTS)
    assert "Cannot write the key cache" in caplog.text


def test_a_kept_export_is_reused_only_whole_and_of_the_same_format(tmp_path: Path) -> None:
    onnx = tmp_path / "encoder.onnx"
    onnx.write_bytes(b"an exported graph")
    key_cache.keep_export(tmp_path, WEIGHTS, 2, onnx, 0.99995)
    kept = key_cache.cached_export(tmp_path, WEIGHTS, 2)
    assert kept is not None and kept[0].read_bytes() == b"an exported graph" and kept[1] == 0.99995
    assert key_cache.cached_export(tmp_path, WEIGHTS, 3) is None
    assert key_cache.cached_export(tmp_path, OTHER_WEIGHTS, 2) is None
    kept[0].write_bytes(b"an exported graph, damaged")
    assert key_cache.cached_export(tmp_path, WEIGHTS, 2) is None
