from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CLARIFIED, SlowLoad
from fastapi.testclient import TestClient
from support import ready, until

from chatbot.answering.assistant import Assistant
from chatbot.channels.web.app import create_app
from chatbot.domain import NONE_OF_THESE
from chatbot.settings import Settings
from chatbot.storage.store import DB_FILE, UnansweredStore


@pytest.fixture
def client(fake: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), load=lambda: fake)) as test_client:
        yield ready(test_client)


def test_a_known_question_gets_the_clinics_own_words(client: TestClient, fake: Assistant) -> None:
    response = client.post("/v1/ask", json={"question": "What is the cost?"})
    assert response.status_code == 200
    body = response.json()
    score = body.pop("score")
    assert body == {
        "kind": "answer",
        "answer": fake.kb.entry("cost").answer,
        "id": "cost",
        "lang": "en",
        "preface": None,
        "suggestions": None,
        "candidates": None,
        "why": None,
    }
    assert isinstance(score, float) and score >= 1.0  # the entry's own question: cosine 1, plus any lexical bonus


def test_explain_says_which_rule_a_fallback_failed(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "zzzz qqqq", "explain": True}).json()
    assert body["kind"] == "fallback"
    assert [why["rule"] for why in body["why"]][:1] == ["too-far"]
    assert body["why"][0]["message"].startswith(f"the closest entry, {body['candidates'][0]['id']}, scores ")


def test_explain_adds_the_top_candidates(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "What is the cost?", "explain": True}).json()
    assert body["candidates"][0] == {"id": "cost", "score": body["score"]}
    assert len(body["candidates"]) == 5
    assert [c["score"] for c in body["candidates"]] == sorted((c["score"] for c in body["candidates"]), reverse=True)


def test_an_unknown_question_gets_the_fallback(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "zebra quantum marmalade"}).json()
    assert body["kind"] == "fallback"
    assert "please contact the office" in body["answer"]
    assert body["id"] is None


def test_an_emergency_gets_911_and_988(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "I can't breathe"}).json()
    assert body["kind"] == "emergency"
    assert "911" in body["answer"] and "988" in body["answer"]


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ({"question": 42}, "question must be a string, got int"),
        ({"question": None}, "question must be a string, got NoneType"),
        ({"question": ["a"]}, "question must be a string, got list"),
        ({"question": "   \n\t "}, "question is empty after trimming whitespace"),
        ({"question": ""}, "question is empty after trimming whitespace"),
        ({"question": "x" * 1001}, "question is 1,001 characters long; the limit is 1,000"),
        ({}, "question: Field required"),
        ({"text": "hello"}, "question: Field required"),
    ],
)
def test_bad_questions_get_a_422_that_says_why(client: TestClient, payload: dict[str, object], says: str) -> None:
    response = client.post("/v1/ask", json=payload)
    assert response.status_code == 422
    assert says in response.json()["error"]


def test_a_question_of_exactly_1000_characters_is_answered(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "cost " * 200})
    assert response.status_code == 200


def test_invalid_json_is_a_422_not_a_500(client: TestClient) -> None:
    response = client.post("/v1/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "error" in response.json()


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready_body = client.get("/readyz").json()
    assert ready_body["status"] == "ready" and ready_body["entries"] == 26


def test_not_ready_until_the_index_is_loaded(fake: Assistant) -> None:
    slow_load = SlowLoad(fake)
    with TestClient(create_app(Settings(), load=slow_load)) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        assert client.post("/v1/ask", json={"question": "What is the cost?"}).status_code == 503
        slow_load.finish()
        assert ready(client).post("/v1/ask", json={"question": "What is the cost?"}).status_code == 200


def test_a_failed_load_is_reported_by_readyz(fake: Assistant) -> None:
    from chatbot.errors import KnowledgeError, Problem

    def broken() -> Assistant:
        raise KnowledgeError([Problem("faq.yaml", "cost", "answer", "is not a verbatim excerpt")])

    with TestClient(create_app(Settings(), load=broken)) as client:
        until(lambda: "faq.yaml" in client.get("/readyz").json().get("detail", ""), "the failed load's report", 2)
        assert client.get("/readyz").status_code == 503
        assert "faq.yaml: entry 'cost', field 'answer'" in client.get("/readyz").json()["detail"]


def test_the_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/v1/ask" in client.get("/openapi.json").json()["paths"]


def test_a_spanish_question_gets_the_spanish_fallback_marked_es(client: TestClient, fake: Assistant) -> None:
    body = client.post("/v1/ask", json={"question": "¿tienen estacionamiento para los pacientes?"}).json()
    assert (body["kind"], body["lang"], body["answer"]) == ("fallback", "es", fake.messages.in_language("es").fallback)


def test_a_spanish_emergency_gets_the_spanish_emergency_message(client: TestClient, fake: Assistant) -> None:
    body = client.post("/v1/ask", json={"question": "no puedo respirar"}).json()
    assert (body["kind"], body["lang"], body["answer"]) == (
        "emergency",
        "es",
        fake.messages.in_language("es").emergency,
    )


def test_an_emergency_in_a_language_we_do_not_answer_in_gets_both_emergency_messages(
    client: TestClient, fake: Assistant
) -> None:
    body = client.post("/v1/ask", json={"question": "je veux mourir"}).json()
    assert body["kind"] == "emergency"
    assert fake.messages.emergency in body["answer"] and fake.messages.in_language("es").emergency in body["answer"]


def test_another_language_gets_one_bilingual_reply_with_the_emergency_numbers(
    client: TestClient, fake: Assistant
) -> None:
    body = client.post("/v1/ask", json={"question": "quanto custa cada infusão de cetamina?"}).json()
    assert (body["kind"], body["answer"]) == ("fallback", fake.messages.other_language)
    assert "911" in body["answer"] and "988" in body["answer"]


@pytest.mark.parametrize("question", ["quanto custa?", "combien de temps ça dure"])
def test_a_fallback_for_a_message_too_short_to_be_sure_of_its_language_still_gives_the_numbers(
    client: TestClient, fake: Assistant, question: str
) -> None:
    body = client.post("/v1/ask", json={"question": question}).json()
    assert (body["kind"], body["answer"]) == ("fallback", fake.messages.other_language)


def test_a_short_english_question_the_detector_reads_as_italian_gets_the_english_fallback(
    client: TestClient, fake: Assistant
) -> None:
    # lingua ranks it Italian first; every word is one the knowledge base or the dictionary spells.
    body = client.post("/v1/ask", json={"question": "whats the wifi password"}).json()
    assert (body["kind"], body["answer"], body["lang"]) == ("fallback", fake.messages.fallback, "en")


def test_the_greeting_and_notice_come_in_spanish_for_a_spanish_page(client: TestClient, fake: Assistant) -> None:
    body = client.get("/v1/greeting", params={"lang": "es"}).json()
    spanish = fake.messages.in_language("es")
    assert (body["answer"], body["notice"], body["lang"]) == (spanish.greeting, spanish.notice, "es")
    assert client.get("/v1/greeting", params={"lang": "klingon"}).status_code == 422


# -- did you mean, over HTTP --------------------------------------------------------------------


@pytest.fixture
def clarifying_client(clarifying: Assistant, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(var_dir=tmp_path / "var"), load=lambda: clarifying)) as test_client:
        yield ready(test_client)


def test_a_clarify_reply_lists_the_entries_by_their_own_questions(
    clarifying_client: TestClient, clarifying: Assistant
) -> None:
    body = clarifying_client.post("/v1/ask", json={"question": CLARIFIED}).json()
    assert (body["kind"], body["answer"], body["id"]) == ("clarify", clarifying.messages.clarify, None)
    assert body["suggestions"] == [
        {"id": entry, "question": clarifying.kb.entry(entry).question}
        for entry in ("feeling-afterwards", "hallucinations", "side-effects-after-treatment")
    ]


@pytest.mark.parametrize("entry", ["feeling-afterwards", "side-effects-after-treatment", "hallucinations"])
def test_picking_a_suggestion_answers_it_word_for_word(
    clarifying_client: TestClient, clarifying: Assistant, entry: str
) -> None:
    body = clarifying_client.post("/v1/ask", json={"question": CLARIFIED, "choice": entry}).json()
    assert (body["kind"], body["id"], body["answer"], body["suggestions"]) == (
        "answer",
        entry,
        clarifying.kb.entry(entry).answer,
        None,
    )


def test_none_of_these_gets_the_fallback_and_is_kept_for_review(
    clarifying_client: TestClient, clarifying: Assistant, tmp_path: Path
) -> None:
    body = clarifying_client.post("/v1/ask", json={"question": CLARIFIED, "choice": NONE_OF_THESE}).json()
    assert (body["kind"], body["answer"]) == ("fallback", clarifying.messages.fallback)
    stored = UnansweredStore(tmp_path / "var" / DB_FILE, 30).rows()
    assert [(row.question, row.candidates[0].id) for row in stored] == [(CLARIFIED, "feeling-afterwards")]


def test_a_choice_naming_no_entry_is_a_422_that_says_so(clarifying_client: TestClient) -> None:
    response = clarifying_client.post("/v1/ask", json={"question": CLARIFIED, "choice": "parking"})
    assert response.status_code == 422
    assert response.json()["error"].startswith("choice: no entry 'parking'")


@pytest.mark.parametrize(
    ("typed", "entry"), [("2", "hallucinations"), ("the last one", "side-effects-after-treatment")]
)
def test_a_question_that_picks_an_offered_suggestion_is_answered_with_it(
    clarifying_client: TestClient, clarifying: Assistant, typed: str, entry: str
) -> None:
    offered = ["feeling-afterwards", "hallucinations", "side-effects-after-treatment"]
    body = clarifying_client.post("/v1/ask", json={"question": typed, "offered": offered}).json()
    assert (body["kind"], body["id"], body["answer"]) == ("answer", entry, clarifying.kb.entry(entry).answer)


def test_a_question_with_offered_suggestions_that_picks_none_is_asked_as_usual(clarifying_client: TestClient) -> None:
    offered = ["feeling-afterwards", "hallucinations"]
    for question in ("3", "the first one, and what does it cost?", CLARIFIED):
        with_offer = clarifying_client.post("/v1/ask", json={"question": question, "offered": offered}).json()
        assert with_offer == clarifying_client.post("/v1/ask", json={"question": question}).json()


def test_an_offered_id_naming_no_entry_is_a_422_when_picked(clarifying_client: TestClient) -> None:
    response = clarifying_client.post("/v1/ask", json={"question": "1", "offered": ["parking"]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "offered"]
    too_many = clarifying_client.post("/v1/ask", json={"question": "1", "offered": ["cost"] * 4})
    assert too_many.status_code == 422


# -- was this helpful? --------------------------------------------------------------------------


def test_feedback_is_stored_with_the_question_redacted(clarifying_client: TestClient, tmp_path: Path) -> None:
    question = "what is the cost? call me on 555-867-5309"
    response = clarifying_client.post("/v1/feedback", json={"id": "cost", "helpful": False, "question": question})
    assert response.status_code == 200 and response.json() == {"status": "recorded"}
    stored = UnansweredStore(tmp_path / "var" / DB_FILE, 30).feedback()
    assert [(row.entry, row.helpful, row.question) for row in stored] == [
        ("cost", False, "what is the cost? call me on [phone]")
    ]


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ({"id": "parking", "helpful": True, "question": "where do i park"}, "id: no entry 'parking'"),
        ({"id": "cost", "helpful": "maybe", "question": "cost?"}, "helpful"),
        ({"id": "cost", "helpful": True, "question": "   "}, "question"),
        ({"id": "cost", "helpful": True}, "question"),
    ],
)
def test_bad_feedback_is_a_422_that_says_why(
    clarifying_client: TestClient, payload: dict[str, object], says: str
) -> None:
    response = clarifying_client.post("/v1/feedback", json=payload)
    assert response.status_code == 422
    assert says in response.json()["error"]


def test_the_openapi_schema_states_the_reply_contract(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    kinds = set(schemas["AskReply"]["properties"]["kind"]["enum"])
    assert kinds == {"answer", "clarify", "fallback", "emergency", "greeting", "smalltalk"}
    assert set(schemas["SuggestionItem"]["properties"]) == {"id", "question"}
    assert "choice" in schemas["AskRequest"]["properties"]
    assert "/v1/feedback" in client.get("/openapi.json").json()["paths"]
