"""Generated input (issue 7): Hypothesis on the answering core, Schemathesis on the HTTP API.

- For arbitrary text, `Assistant.ask` returns a reply that keeps the contract (one of the kinds; an
  answer is the entry's text verbatim, anything else the office's message) and never raises; and
  `check_question` either refuses the text with one of its reasons or passes it on unchanged.
- Every operation in the OpenAPI schema, fed by Schemathesis: never a 5xx, and every response
  matches what the schema declares (status, content type, headers, body).
"""

from __future__ import annotations

import json
import math

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import until

from chatbot.answering.assistant import Assistant
from chatbot.answering.question import check_question
from chatbot.channels.web.app import create_app
from chatbot.domain import Kind, Reply
from chatbot.errors import InvalidQuestion
from chatbot.settings import Settings

FAKE_EXAMPLES = 200
REAL_EXAMPLES = 30
API_EXAMPLES = 100  # per operation

# The autouse `private_var_dir` fixture only sets an environment variable: safe to share between examples.
FAKE = settings(max_examples=FAKE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
REAL = settings(max_examples=REAL_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Words and phrases that steer the model towards answers and emergencies, and characters that try to hide them.
PHRASES = [
    "what is the cost",
    "how much",
    "do you have wifi",
    "can i drive home",
    "ketamine",
    "infusion",
    "midazolam",
    "side effects",
    "how long does it take",
    "is it safe",
    "depression",
    "pain",
    "insurance",
    "appointment",
    "I can't breathe",
    "I want to kill myself",
    "I took too many pills",
    "chest pain",
    "seizure",
    "overdose",
    "u",
    "4",
    "2",
    "hw much",
    "?",
    "!!!",
    "...",
    "$750",
]
TRICKS = [
    "\u200b",
    "\u200d",
    "\u202e",
    "\u202c",
    "\ufeff",
    "\x00",
    "\x1b",
    "\u00ad",
    "\uff01",
    "\U0001f489",
    "\u0301",
    "\n",
    "\t",
]

unicode_text = st.text(max_size=300)  # every category except surrogates
long_text = st.text(min_size=500, max_size=2000)
decoded_bytes = st.binary(max_size=3000).map(lambda raw: raw.decode("utf-8", "replace"))
steered = st.lists(st.one_of(st.sampled_from(PHRASES), st.sampled_from(TRICKS), st.text(max_size=4)), max_size=40).map(
    " ".join
)
any_text = st.one_of(unicode_text, long_text, decoded_bytes, steered)
# What a JSON client can send: lone surrogates included ("\ud800").
with_surrogates = st.one_of(st.text(st.characters(exclude_categories=()), max_size=1200), steered)

REASONS = ("question is empty after trimming whitespace", "characters long; the limit is 1,000", "unpaired surrogate")


def assert_valid(reply: Reply, assistant: Assistant) -> None:
    """The reply contract, and that the reply can be sent as JSON."""
    assert isinstance(reply, Reply)
    assert reply.kind in set(Kind)
    if reply.kind is Kind.ANSWER:
        assert reply.id is not None
        assert reply.answer == assistant.kb.entry(reply.id).answer
    elif reply.kind is Kind.SMALLTALK:
        assert reply.answer == assistant.messages.in_language(reply.lang).smalltalk[str(reply.id)]
    else:
        assert reply.id is None
        assert reply.answer in assistant.messages.variants(reply.kind.value)
    assert (reply.suggestions is not None) == (reply.kind is Kind.CLARIFY)
    assert all(s.question == assistant.kb.entry(s.id).question for s in reply.suggestions or ())
    assert reply.score is None or math.isfinite(reply.score)
    assert all(match.id in assistant.answers and math.isfinite(match.score) for match in reply.candidates)
    json.dumps(reply.to_dict(explain=True), allow_nan=False).encode("utf-8")


def ask_checked(assistant: Assistant, text: str) -> None:
    """The path every channel takes: check the question, then ask it."""
    try:
        question = check_question(text)
    except InvalidQuestion as exc:
        refusal = str(exc)
    else:
        assert question is text
        assert_valid(assistant.ask(question), assistant)
        return
    assert any(reason in refusal for reason in REASONS), refusal


# -- the answering core, with the fake encoder -------------------------------------------------------


@FAKE
@given(text=any_text)
def test_ask_keeps_the_reply_contract_for_any_text(fake: Assistant, text: str) -> None:
    assert_valid(fake.ask(text), fake)


@FAKE
@given(text=with_surrogates)
def test_checked_questions_are_refused_with_a_reason_or_answered(fake: Assistant, text: str) -> None:
    ask_checked(fake, text)


# -- the answering core, with the real model -------------------------------------------------------


@pytest.mark.slow
@REAL
@given(text=any_text)
def test_ask_with_the_real_model_keeps_the_reply_contract(real: Assistant, text: str) -> None:
    assert_valid(real.ask(text), real)


@pytest.mark.slow
@REAL
@given(text=with_surrogates)
def test_checked_questions_with_the_real_model(real: Assistant, text: str) -> None:
    ask_checked(real, text)


# -- the HTTP API against its own OpenAPI schema ---------------------------------------------------

# The schema is the app's own document (what /openapi.json serves); it does not depend on the assistant.
# (Built here rather than with `schemathesis.pytest.from_fixture`, which fails under pytest 9: it reads
# the removed `Function._nodeid`.)
schema = schemathesis.openapi.from_dict(create_app(Settings(rate_limit="off")).openapi())


@pytest.fixture(scope="module")
def app(fake: Assistant, tmp_path_factory: pytest.TempPathFactory) -> object:
    """The app with the fake assistant, rate limit off and SMS configured (so /sms/twilio refuses unsigned
    requests with a 403 rather than answering 503 "not configured"); ready before the first case."""
    configured = Settings(
        rate_limit="off",
        twilio_auth_token="test-auth-token",
        public_url="https://clinic.example",
        var_dir=tmp_path_factory.mktemp("var"),
    )
    app = create_app(configured, load=lambda: fake)
    readyz = schema["/readyz"]["GET"]
    until(lambda: readyz.Case().call(app=app).status_code == 200, "the app to be ready")  # the first call starts it
    return app


@schema.parametrize()  # about 2 s for all five operations: not marked slow
@settings(max_examples=API_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_matches_its_schema(case: schemathesis.Case, app: object) -> None:
    # Every response check (no 5xx; status, content type, headers and body as declared; schema-valid requests
    # accepted). Not `negative_data_rejection`: pydantic's lax mode takes "explain": 0 or "yes" as a bool.
    # An entry id is valid only if the knowledge base holds it, which the schema cannot say: generated ids are
    # replaced by a real one, so "schema-valid requests are accepted" still holds for everything else in the body.
    if isinstance(case.body, dict):
        for field in ENTRY_ID_FIELDS.get(case.operation.path, ()):
            if isinstance(case.body.get(field), str):
                case.body[field] = "cost"
    case.call_and_validate(app=app, excluded_checks=[schemathesis.checks.negative_data_rejection])


ENTRY_ID_FIELDS = {"/v1/ask": ("choice",), "/v1/feedback": ("id",)}
