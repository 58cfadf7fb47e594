"""The short-lived state store: values expire, and the newest write wins."""

from __future__ import annotations

import time

import pytest
import redis
from servers import RedisServer
from support import free_port

from chatbot.errors import StateUnavailable
from chatbot.storage.failover import Failover
from chatbot.storage.state import FallbackState, MemoryState, RedisState, state_from_uri


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


# -- Redis: shared by replicas, with a fallback to each process's memory ------------------------


def replica(redis_url: str) -> FallbackState:
    """One replica's view of the shared state; it tries Redis again at once after a failure (no waiting in tests)."""
    return FallbackState(RedisState(redis_url), Failover("Shared state", "keeping it in this process", retry_seconds=0))


def test_redis_keeps_a_value_for_its_ttl_and_forgets_it_when_deleted(redis_url: str) -> None:
    state = RedisState(redis_url)
    state.put("sms-choice:abc", "cost,wifi", ttl_seconds=600)
    assert state.get("sms-choice:abc") == "cost,wifi"
    assert 0 < redis.Redis.from_url(redis_url).pttl(RedisState.PREFIX + "sms-choice:abc") <= 600_000
    state.delete("sms-choice:abc")
    assert state.get("sms-choice:abc") is None


def test_a_value_in_redis_expires(redis_url: str) -> None:
    state = RedisState(redis_url)
    state.put("k", "v", ttl_seconds=0.05)
    time.sleep(0.1)
    assert state.get("k") is None


def test_two_replicas_on_one_redis_see_each_others_values(redis_url: str) -> None:
    first, second = replica(redis_url), replica(redis_url)
    first.put("sid:SM1", "answered", 3600)
    assert second.get("sid:SM1") == "answered"
    second.delete("sid:SM1")
    assert first.get("sid:SM1") is None


def test_an_unreachable_redis_raises_state_unavailable() -> None:
    with pytest.raises(StateUnavailable):
        RedisState(f"redis://127.0.0.1:{free_port()}/0").get("k")


def test_while_redis_is_down_each_replica_keeps_state_itself_and_says_so_once(
    redis_server: RedisServer, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = replica(redis_url), replica(redis_url)
    redis_server.stop()
    try:
        first.put("choice", "cost,wifi", 600)
        assert first.get("choice") == "cost,wifi"  # kept in this process
        assert second.get("choice") is None  # not shared while Redis is away
        first.put("other", "x", 600)
        assert sum("unreachable" in r.getMessage() for r in caplog.records) == 2  # once per replica
    finally:
        redis_server.start()
    first.put("after", "shared again", 600)
    assert second.get("after") == "shared again"
    back = [r.getMessage() for r in caplog.records if "shared again" in r.getMessage()]
    assert len(back) == 2


@pytest.mark.parametrize(("uri", "kind"), [("memory://", MemoryState), ("redis://127.0.0.1:6379/0", FallbackState)])
def test_the_storage_setting_chooses_the_state(uri: str, kind: type) -> None:
    assert isinstance(state_from_uri(uri), kind)
