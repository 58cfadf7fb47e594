from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from pydantic import ValidationError
from servers import RedisServer
from support import free_port, ready

from chatbot.answering.assistant import Assistant
from chatbot.channels.web.app import create_app
from chatbot.settings import Settings

QUESTION = {"question": "What is the cost?"}


def app_with(fake: Assistant, tmp_path: Path, **settings: object) -> TestClient:
    return TestClient(create_app(Settings(var_dir=tmp_path, **settings), load=lambda: fake))  # type: ignore[arg-type]


@pytest.fixture
def client(fake: Assistant, tmp_path: Path) -> Iterator[TestClient]:
    with app_with(fake, tmp_path) as test_client:
        yield ready(test_client)


def test_the_61st_question_in_a_minute_gets_429_with_retry_after(client: TestClient) -> None:
    statuses = [client.post("/v1/ask", json=QUESTION).status_code for _ in range(60)]
    assert statuses == [200] * 60
    refused = client.post("/v1/ask", json=QUESTION)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many questions" in refused.json()["error"]
    assert "60 per 1 minute" in refused.json()["error"]


def test_another_client_is_counted_separately(client: TestClient) -> None:
    for _ in range(61):
        client.post("/v1/ask", json=QUESTION)
    # A second client of the same (already running) app, from another address.
    neighbour = TestClient(client.app, client=("203.0.113.7", 50000))
    assert neighbour.post("/v1/ask", json=QUESTION).status_code == 200


def test_only_asking_is_limited(client: TestClient) -> None:
    assert 429 not in {client.get("/v1/greeting").status_code for _ in range(61)}
    assert 429 not in {client.get("/healthz").status_code for _ in range(61)}
    # The SMS webhook has its own per-sender limit instead.
    assert 429 not in {
        client.post("/sms/twilio", data={"From": "+15555550100", "Body": "hi"}).status_code for _ in range(61)
    }


def test_the_limit_is_configurable(fake: Assistant, tmp_path: Path) -> None:
    with app_with(fake, tmp_path, rate_limit="2/minute") as client:
        ready(client)
        assert [client.post("/v1/ask", json=QUESTION).status_code for _ in range(3)] == [200, 200, 429]


def test_off_disables_the_limit(fake: Assistant, tmp_path: Path) -> None:
    with app_with(fake, tmp_path, rate_limit="off") as client:
        ready(client)
        assert {client.post("/v1/ask", json=QUESTION).status_code for _ in range(70)} == {200}


@pytest.mark.parametrize("rate", ["sixty", "60 a minute", "60/fortnight", ""])
def test_a_rate_that_is_not_one_is_refused_by_name(rate: str) -> None:
    with pytest.raises(ValidationError, match=f"CHATBOT_RATE_LIMIT has value {rate!r}"):
        Settings(rate_limit=rate)


# -- one limit across replicas, on Redis ---------------------------------------------------------


def test_two_replicas_on_one_redis_count_one_limit(fake: Assistant, tmp_path: Path, redis_url: str) -> None:
    with (
        app_with(fake, tmp_path / "a", rate_limit="4/minute", limits_storage=redis_url) as first,
        app_with(fake, tmp_path / "b", rate_limit="4/minute", limits_storage=redis_url) as second,
    ):
        ready(first), ready(second)
        statuses = [replica.post("/v1/ask", json=QUESTION).status_code for replica in (first, second) * 4]
    assert statuses == [200] * 4 + [429] * 4


def test_patients_get_replies_while_redis_is_away_and_counting_is_shared_again_when_it_is_back(
    fake: Assistant, tmp_path: Path, redis_server: RedisServer, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with app_with(fake, tmp_path, rate_limit="1000/minute", limits_storage=redis_url) as client:
        ready(client)
        assert client.post("/v1/ask", json=QUESTION).status_code == 200
        redis_server.stop()
        try:
            assert {client.post("/v1/ask", json=QUESTION).status_code for _ in range(5)} == {200}
        finally:
            redis_server.start()
        # slowapi tries the storage again after 1, 2, 4 ... seconds; every reply meanwhile is still a 200.
        deadline = time.monotonic() + 40
        while not any("is back" in r.getMessage() for r in caplog.records) and time.monotonic() < deadline:
            assert client.post("/v1/ask", json=QUESTION).status_code == 200
            time.sleep(0.2)
    messages = [r.getMessage() for r in caplog.records if r.name == "chatbot"]
    assert sum("rate limit's storage" in m and "unreachable" in m for m in messages) == 1
    assert sum("rate limit's storage" in m and "is back" in m for m in messages) == 1
    assert redis.Redis.from_url(redis_url).keys("LIMITS:*"), "counted in Redis again"


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("mongodb://db.example:27017", "the scheme must be"),
        ("memcached://cache.example:11211", "the scheme must be"),
        ("redis://", "names no host"),
        ("redis://cache.example:port", "Port could not be cast"),
        ("redis://cache.example:6379/zero", "database number"),
        ("localhost:6379", "the scheme must be"),
    ],
)
def test_a_storage_uri_that_cannot_be_used_is_refused_by_name(uri: str, problem: str) -> None:
    with pytest.raises(ValidationError, match="CHATBOT_LIMITS_STORAGE has value") as refused:
        Settings(limits_storage=uri)
    assert problem in str(refused.value)


def test_a_refused_storage_uri_does_not_show_its_password() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(limits_storage="redis://:hunter2-secret@cache.example:99999999/0")
    assert "hunter2" not in str(refused.value) and "***" in str(refused.value)


def test_a_redis_that_is_down_at_start_costs_no_reply(
    fake: Assistant, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with app_with(fake, tmp_path, rate_limit="2/minute", limits_storage=f"redis://127.0.0.1:{free_port()}/0") as client:
        ready(client)
        statuses = [client.post("/v1/ask", json=QUESTION).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # counted in this process instead
    assert sum("unreachable" in r.getMessage() for r in caplog.records) == 1
