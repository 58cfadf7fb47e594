"""The short-lived state store: values expire, and the newest write wins."""

from __future__ import annotations

from chatbot.state import MemoryState


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_stored_value_is_read_back_until_it_expires() -> None:
    clock = Clock()
    state = MemoryState(clock)
    state.put("sms-choice:abc", "cost,wifi", ttl_seconds=600)
    assert state.get("sms-choice:abc") == "cost,wifi"
    clock.now += 599
    assert state.get("sms-choice:abc") == "cost,wifi"
    clock.now += 1
    assert state.get("sms-choice:abc") is None


def test_a_missing_key_is_none_and_deleting_it_is_harmless() -> None:
    state = MemoryState()
    assert state.get("nothing") is None
    state.delete("nothing")
    state.put("k", "v", 60)
    state.delete("k")
    assert state.get("k") is None


def test_a_new_value_replaces_the_old_and_restarts_its_clock() -> None:
    clock = Clock()
    state = MemoryState(clock)
    state.put("k", "old", 10)
    clock.now += 8
    state.put("k", "new", 10)
    clock.now += 8
    assert state.get("k") == "new"


def test_expired_keys_are_swept_when_others_are_written() -> None:
    clock = Clock()
    state = MemoryState(clock)
    for n in range(100):
        state.put(f"old-{n}", "x", 1)
    clock.now += 2
    state.put("fresh", "y", 1)
    assert len(state._values) == 1
