from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from chatbot.app import create_app
from chatbot.assistant import Assistant
from chatbot.settings import Settings
from test_api import ready

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
    assert 429 not in {client.post("/sms/twilio", data={"From": "+15555550100", "Body": "hi"}).status_code for _ in range(61)}


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
