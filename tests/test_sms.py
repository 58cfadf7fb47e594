from __future__ import annotations

import dataclasses
import itertools
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import pytest
from conftest import CLARIFIED, SlowLoad
from fastapi import FastAPI
from fastapi.testclient import TestClient
from limits.errors import StorageError
from limits.storage import MemoryStorage
from servers import RedisServer
from starlette.datastructures import ImmutableMultiDict
from support import EVENTS, FakeEncoder, logged, ready
from twilio.request_validator import RequestValidator

from chatbot.answering.assistant import Assistant
from chatbot.channels.sms.desk import (
    CHOICE_SECONDS,
    Allowance,
    Deliveries,
    SenderHasher,
    SenderLimiter,
    startup_warnings,
)
from chatbot.channels.sms.twilio import clip, gsm7_friendly, twilio_signature
from chatbot.channels.web.app import create_app
from chatbot.channels.web.services import services
from chatbot.errors import StateUnavailable
from chatbot.kb import index, knowledge
from chatbot.settings import Settings
from chatbot.storage.failover import RETRY_SECONDS, Failover
from chatbot.storage.rate_limits import limits_storage
from chatbot.storage.state import MemoryState

TOKEN = "test-auth-token"
PUBLIC_URL = "https://clinic.example"
WEBHOOK = f"{PUBLIC_URL}/sms/twilio"
PATIENT = "+15551234567"
NOT_GSM7 = "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0"

Params = Mapping[str, str] | ImmutableMultiDict[str, str]


class Response(Protocol):
    status_code: int
    headers: Mapping[str, str]
    content: bytes
    text: str


def sms_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"twilio_auth_token": TOKEN, "public_url": PUBLIC_URL, "log_key": "test-log-key"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@contextmanager
def sms_client(assistant: Assistant, **overrides: object) -> Iterator[TestClient]:
    with TestClient(create_app(sms_settings(**overrides), load=lambda: assistant)) as client:
        yield ready(client)


@pytest.fixture
def client(fake: Assistant) -> Iterator[TestClient]:
    with sms_client(fake) as test_client:
        yield test_client


def change_desk(client: TestClient, **parts: object) -> None:
    """Swap parts of the app's SMS desk, through the one dependency the routes reach it by."""
    app = client.app
    assert isinstance(app, FastAPI)
    wired = app.state.services
    changed = dataclasses.replace(wired, sms=dataclasses.replace(wired.sms, **parts))
    app.dependency_overrides[services] = lambda: changed


_SIDS = itertools.count()


def inbound(body: str, sender: str = PATIENT, **extra: str) -> dict[str, str]:
    """The form Twilio posts for one new inbound SMS, with some of the fields Twilio adds over time."""
    sid = f"SM{next(_SIDS):032x}"
    return {
        "ToCountry": "US",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "From": sender,
        "To": "+15550100000",
        "Body": body,
        "MessageSid": sid,
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "FromCity": "SPRINGFIELD",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def signed(params: Params, url: str = WEBHOOK, token: str = TOKEN) -> str:
    """The signature Twilio would send, computed by Twilio's own library."""
    return RequestValidator(token).compute_signature(url, params)


def send(client: TestClient, params: Params, signature: str | bytes | None, path: str = "/sms/twilio") -> Response:
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    data = {name: params.getlist(name) for name in params} if isinstance(params, ImmutableMultiDict) else dict(params)
    return client.post(path, data=data, headers=headers)


def message(response: Response) -> str | None:
    """The text the patient gets back from a TwiML response (None: no reply)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    messages = root.findall("Message")
    assert len(messages) <= 1 and len(root) == len(messages)
    return messages[0].text if messages else None


def text(client: TestClient, body: str, sender: str = PATIENT, **extra: str) -> str | None:
    """Send a correctly signed text and return the reply."""
    params = inbound(body, sender, **extra)
    return message(send(client, params, signed(params)))


def with_messages(fake: Assistant, **texts: str) -> Assistant:
    return Assistant(fake.kb, fake.index, fake.encoder, dataclasses.replace(fake.messages, **texts))


# -- answers -----------------------------------------------------------------------------------


def test_a_question_by_text_gets_the_clinics_own_words(client: TestClient, fake: Assistant) -> None:
    assert text(client, "What is the cost?") == fake.kb.entry("cost").answer


def test_an_unknown_question_gets_the_fallback(client: TestClient, fake: Assistant) -> None:
    assert text(client, "zebra quantum marmalade") == fake.messages.fallback


def test_an_emergency_gets_911_and_988_escaped_and_intact(client: TestClient, fake: Assistant) -> None:
    params = inbound("I can't breathe")
    response = send(client, params, signed(params))
    assert b"Suicide &amp; Crisis Lifeline" in response.content
    assert message(response) == fake.messages.emergency


def test_a_message_over_1000_characters_gets_the_fallback_not_an_error(client: TestClient, fake: Assistant) -> None:
    assert text(client, "cost " * 201) == fake.messages.fallback


def test_curly_quotes_reach_the_phone_as_plain_ones(client: TestClient, fake: Assistant) -> None:
    original = fake.kb.entry("nmda-ketamine-blocks").answer
    assert "\u201creboots\u201d" in original
    reply = text(client, "How does ketamine stop pain signals?")
    assert reply is not None
    assert '"reboots"' in reply
    assert not set(reply) & set(NOT_GSM7)


# -- keywords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "gets"),
    [
        ("STOP", None),
        ("stop", None),
        ("  Stop!  ", None),
        ("STOPALL", None),
        ("unsubscribe", None),
        ("Cancel.", None),
        ("END", None),
        ("quit", None),
        ("OptOut", None),
        ("REVOKE", None),
        ("START", "sms_start"),
        ("unstop", "sms_start"),
        ("Yes!", "sms_start"),
        ("HELP", "sms_help"),
        ("help?", "sms_help"),
        ("Info", "sms_help"),
        ("", "sms_help"),
        ("   \n ", "sms_help"),
        ("stop the nausea?", "assistant"),
        ("help me understand the cost", "assistant"),
        ("yes, what is the cost?", "assistant"),
    ],
)
def test_keywords_as_the_whole_message_in_any_case(
    client: TestClient, fake: Assistant, body: str, gets: str | None
) -> None:
    reply = text(client, body)
    if gets is None:
        assert reply is None
    elif gets == "assistant":
        assert reply == fake.ask(body).answer
    else:
        assert reply == getattr(fake.messages, gets)


def test_the_help_text_names_the_clinic_the_office_and_how_to_opt_out(client: TestClient, fake: Assistant) -> None:
    reply = text(client, "HELP")
    assert reply is not None
    assert fake.kb.messages.clinic_name in reply
    assert "555-0100" in reply
    assert "Reply STOP to opt out. Msg & data rates may apply." in reply


def test_a_picture_without_words_gets_the_help_text(client: TestClient, fake: Assistant) -> None:
    reply = text(client, "", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1", MediaContentType0="image/jpeg")
    assert reply == fake.messages.sms_help


# -- what goes back ----------------------------------------------------------------------------


def test_markup_in_an_office_text_is_escaped_and_parses_back(fake: Assistant) -> None:
    help_text = "Call <the office> & ask for R&D; 5 > 4"
    with sms_client(with_messages(fake, sms_help=help_text)) as client:
        params = inbound("HELP")
        response = send(client, params, signed(params))
    assert b"<the office>" not in response.content
    assert b"&lt;the office&gt; &amp; ask for R&amp;D" in response.content
    assert message(response) == help_text


@pytest.mark.parametrize(
    ("help_text", "length"),
    [
        ("x" * 1600, 1600),
        ("word " * 500, None),
        ("\u2026" * 700, None),
    ],
)
def test_a_reply_is_at_most_1600_characters(fake: Assistant, help_text: str, length: int | None) -> None:
    with sms_client(with_messages(fake, sms_help=help_text)) as client:
        reply = text(client, "HELP")
    assert reply is not None and len(reply) <= 1600
    if length is not None:
        assert len(reply) == length
    else:
        assert reply.endswith("...")


@pytest.mark.parametrize(
    ("original", "plain"),
    [
        ("the brain \u201creboots\u201d", 'the brain "reboots"'),
        ("Ketamine\u2019s \u2018effects\u2019", "Ketamine's 'effects'"),
        ("$750\u2013$800 \u2014 all in", "$750-$800 - all in"),
        ("wait\u2026", "wait..."),
        ("call\u00a0555-0100", "call 555-0100"),
        ("caf\u00e9 \u00a3 \u00e0 \u00fc", "caf\u00e9 \u00a3 \u00e0 \u00fc"),  # already in the GSM-7 alphabet
    ],
)
def test_gsm7_friendly_text(original: str, plain: str) -> None:
    assert gsm7_friendly(original) == plain


@pytest.mark.parametrize(
    ("original", "clipped"),
    [
        ("short", "short"),
        ("one two three four", "one two..."),
        ("abcdefghijklmnopq", "abcdefghijklm..."),
    ],
)
def test_clip_keeps_whole_words(original: str, clipped: str) -> None:
    assert clip(original, 16) == clipped


# -- signatures --------------------------------------------------------------------------------


FORM = inbound("What is the cost?")


@pytest.mark.parametrize(
    ("form", "signature", "status"),
    [
        pytest.param(FORM, signed(FORM), 200, id="valid"),
        pytest.param(FORM, None, 403, id="missing"),
        pytest.param(FORM, "", 403, id="empty"),
        pytest.param(FORM, signed(FORM, token="someone-elses-token"), 403, id="another token"),
        pytest.param(FORM, signed(FORM, url="https://attacker.example/sms/twilio"), 403, id="another host"),
        pytest.param(FORM, signed(FORM, url=f"{PUBLIC_URL}/v1/ask"), 403, id="another path"),
        pytest.param({**FORM, "Body": "Send me everything"}, signed(FORM), 403, id="body changed after signing"),
        pytest.param({**FORM, "Extra": "1"}, signed(FORM), 403, id="a parameter added after signing"),
        pytest.param(FORM, "not base64 at all!", 403, id="garbage"),
        pytest.param(FORM, "\u00e9t\u00e9".encode("latin-1"), 403, id="not ascii"),
    ],
)
def test_only_requests_signed_by_twilio_are_answered(
    client: TestClient, form: dict[str, str], signature: str | bytes | None, status: int
) -> None:
    assert send(client, form, signature).status_code == status


def test_a_refused_request_gets_no_detail(client: TestClient) -> None:
    response = send(client, FORM, "bm9wZQ==")
    assert response.status_code == 403
    assert response.content == b""


_TOO_MANY_FIELDS = "&".join(f"f{n}=x" for n in range(1001)).encode()


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        pytest.param(_TOO_MANY_FIELDS, "application/x-www-form-urlencoded", id="1001 fields"),
        pytest.param(
            b"--x\r\nContent-Disposition: form-data; name=Body\r\n\r\nhi\r\n--x--\r\n",
            "multipart/form-data",
            id="multipart without a boundary",
        ),
        pytest.param(b"--x\r\ngarbage", "multipart/form-data; boundary=x", id="truncated multipart"),
    ],
)
@pytest.mark.parametrize("signature", [None, "bm9wZQ=="], ids=["unsigned", "wrongly signed"])
def test_a_malformed_body_gets_the_bare_403_not_a_parsing_error(
    client: TestClient, content: bytes, content_type: str, signature: str | None
) -> None:
    headers = {"content-type": content_type, **({} if signature is None else {"X-Twilio-Signature": signature})}
    response = client.post("/sms/twilio", content=content, headers=headers)
    assert (response.status_code, response.content) == (403, b"")


@pytest.mark.parametrize(
    ("path", "signed_url", "status"),
    [
        ("/sms/twilio?clinic=main", f"{WEBHOOK}?clinic=main", 200),
        ("/sms/twilio?clinic=main", WEBHOOK, 403),
        ("/sms/twilio", f"{WEBHOOK}?clinic=main", 403),
    ],
)
def test_the_query_string_is_part_of_the_signed_url(
    client: TestClient, path: str, signed_url: str, status: int
) -> None:
    params = inbound("What is the cost?")
    assert send(client, params, signed(params, url=signed_url), path=path).status_code == status


def test_a_parameter_sent_twice_is_signed_with_every_value(client: TestClient, fake: Assistant) -> None:
    params = ImmutableMultiDict(
        [*inbound("What is the cost?").items(), ("MediaUrl", "https://b.example"), ("MediaUrl", "https://a.example")]
    )
    assert message(send(client, params, signed(params))) == fake.kb.entry("cost").answer


@pytest.mark.parametrize(
    "params",
    [
        [],
        [("Body", "What is the cost?"), ("From", PATIENT)],
        [("Reason", "Participant left"), ("ReasonConferenceEnded", "participant-left")],  # a name that prefixes another
        [("Digits", "5678"), ("Digits", "1234"), ("Sid", "CA123")],
        [("Body", "caf\u00e9 \u201cquotes\u201d \U0001f600")],
    ],
)
def test_our_signature_is_twilios(params: list[tuple[str, str]]) -> None:
    url = f"{WEBHOOK}?a=1&b=%20x"
    assert twilio_signature(TOKEN, url, params) == RequestValidator(TOKEN).compute_signature(
        url, ImmutableMultiDict(params)
    )


@pytest.mark.parametrize("overrides", [{"twilio_auth_token": ""}, {"public_url": ""}])
def test_without_a_token_or_public_url_the_endpoint_answers_503(fake: Assistant, overrides: dict[str, str]) -> None:
    with sms_client(fake, **overrides) as client:
        params = inbound("What is the cost?")
        assert send(client, params, signed(params)).status_code == 503


def test_verify_false_answers_unsigned_requests_and_warns_at_start(
    fake: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.WARNING, logger="chatbot"),
        sms_client(fake, twilio_auth_token="", twilio_verify=False) as client,
    ):
        reply = message(send(client, inbound("What is the cost?"), None))
    assert reply == fake.kb.entry("cost").answer
    assert any("CHATBOT_TWILIO_VERIFY=false" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


@pytest.mark.parametrize(
    ("overrides", "warns"),
    [
        ({}, []),
        ({"twilio_verify": False}, ["CHATBOT_TWILIO_VERIFY=false"]),
        ({"public_url": ""}, ["CHATBOT_PUBLIC_URL is empty"]),
        ({"log_key": "", "limits_storage": "redis://cache:6379"}, ["CHATBOT_LOG_KEY is empty"]),
        ({"log_key": ""}, []),
    ],
)
def test_startup_warnings(overrides: dict[str, object], warns: list[str]) -> None:
    warnings = startup_warnings(sms_settings(**overrides))
    assert len(warnings) == len(warns)
    assert all(fragment in warning for fragment, warning in zip(warns, warnings, strict=True))


# -- the sender limit --------------------------------------------------------------------------


@dataclasses.dataclass
class Clock:
    now: float

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(("overrides", "limit"), [({}, 10), ({"sms_limit": 1}, 1)])
def test_a_sender_over_the_limit_is_asked_to_call_once_then_gets_silence(
    fake: Assistant, overrides: dict[str, int], limit: int
) -> None:
    with sms_client(fake, **overrides) as client:
        answers = [text(client, "What is the cost?") for _ in range(limit)]
        assert answers == [fake.kb.entry("cost").answer] * limit
        assert text(client, "What is the cost?") == fake.messages.sms_limit
        assert text(client, "What is the cost?") is None
        assert text(client, "HELP") is None
        assert text(client, "What is the cost?", sender="+15557654321") == fake.kb.entry("cost").answer


def test_a_sender_over_the_limit_still_gets_the_emergency_text_once_per_window(fake: Assistant) -> None:
    with sms_client(fake, sms_limit=1) as client:
        assert text(client, "What is the cost?") == fake.kb.entry("cost").answer
        assert text(client, "I can't breathe") == fake.messages.emergency  # in place of the "please call" notice
        assert text(client, "I can't breathe") is None  # an auto-responder echoing it back gets no loop
        assert text(client, "What is the cost?") is None


def test_the_limit_lifts_when_the_window_passes(fake: Assistant) -> None:
    clock = Clock(now=600.0 * 1000)  # the start of a 600-second window
    with sms_client(fake) as client:
        change_desk(client, limiter=SenderLimiter(MemoryStorage(), 2, 600, clock=clock))
        replies = [text(client, "What is the cost?") for _ in range(4)]
        assert replies[2:] == [fake.messages.sms_limit, None]
        clock.now += 599
        assert text(client, "What is the cost?") is None
        clock.now += 1
        assert text(client, "What is the cost?") == fake.kb.entry("cost").answer


class DownStorage(MemoryStorage):
    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        raise StorageError(ConnectionError("redis is down"))


def test_texts_are_counted_in_this_process_while_the_limit_storage_is_down(
    fake: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    with sms_client(fake, sms_limit=2) as client:
        change_desk(client, limiter=SenderLimiter(DownStorage(), 2, 600))
        replies = [text(client, "What is the cost?") for _ in range(4)]
    assert replies == [fake.kb.entry("cost").answer] * 2 + [fake.messages.sms_limit, None]
    down = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(down) == 1 and "counting texts in this process" in down[0].getMessage()


def test_two_replicas_on_one_redis_count_one_sender_limit(fake: Assistant, tmp_path: Path, redis_url: str) -> None:
    shared = {"sms_limit": 2, "limits_storage": redis_url}
    with (
        sms_client(fake, var_dir=tmp_path / "a", **shared) as first,
        sms_client(fake, var_dir=tmp_path / "b", **shared) as second,
    ):
        replies = [text(replica, "What is the cost?") for replica in (first, second, first, second)]
    assert replies == [fake.kb.entry("cost").answer] * 2 + [fake.messages.sms_limit, None]


def test_a_twilio_retry_that_reaches_another_replica_gets_the_same_reply_uncounted(
    fake: Assistant, tmp_path: Path, redis_url: str
) -> None:
    shared = {"sms_limit": 1, "limits_storage": redis_url}
    with (
        sms_client(fake, var_dir=tmp_path / "a", **shared) as first,
        sms_client(fake, var_dir=tmp_path / "b", **shared) as second,
    ):
        params = inbound("What is the cost?")
        assert message(send(first, params, signed(params))) == fake.kb.entry("cost").answer
        assert (
            message(send(second, params, signed(params))) == fake.kb.entry("cost").answer
        )  # the retry, not a second text
        assert (
            text(second, "What is the cost?") == fake.messages.sms_limit
        )  # the retry was not counted: this is the second


def test_the_sender_limit_counts_in_this_process_while_redis_is_away_and_in_redis_when_it_is_back(
    redis_server: RedisServer, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock(now=600.0 * 1000)
    failover = Failover("The SMS sender limit's storage", "counting texts in this process", clock=clock)
    limiter = SenderLimiter(limits_storage(redis_url), 2, 600, clock=clock, failover=failover)
    assert limiter.allow("sender") is Allowance.ANSWER  # one in Redis
    redis_server.stop()
    try:
        assert [limiter.allow("sender") for _ in range(3)] == [Allowance.ANSWER, Allowance.ANSWER, Allowance.NOTICE]
    finally:
        redis_server.start()
    clock.now += RETRY_SECONDS  # time to try Redis again; still the same window
    # The restarted Redis kept nothing (no persistence), but from here on the count is shared again.
    other_replica = SenderLimiter(limits_storage(redis_url), 2, 600, clock=clock)
    assert [limiter.allow("sender"), other_replica.allow("sender"), limiter.allow("sender")] == [
        Allowance.ANSWER,
        Allowance.ANSWER,
        Allowance.NOTICE,
    ]
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unreachable" in m for m in messages) == 1 and sum("shared again" in m for m in messages) == 1


def test_a_message_twilio_delivers_twice_gets_the_same_reply_and_counts_once(
    fake: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    with sms_client(fake, sms_limit=1) as client, caplog.at_level(logging.INFO, logger=EVENTS):
        params = inbound("zebra quantum marmalade")
        replies = [message(send(client, params, signed(params))) for _ in range(3)]
        assert replies == [fake.messages.fallback] * 3
        assert text(client, "What is the cost?") == fake.messages.sms_limit  # the second message, not the fourth
        assert text(client, "What is the cost?") is None
        assert message(send(client, params, signed(params))) == fake.messages.fallback  # still the same, a day long
    recorded = logged(caplog.records, "reply")
    assert len(recorded) == 1  # one fallback kept for review, not three


class DownState(MemoryState):
    def get(self, key: str) -> str | None:
        raise StateUnavailable("redis is down")

    def put(self, key: str, value: str, ttl_seconds: float) -> None:
        raise StateUnavailable("redis is down")


def test_a_retried_message_is_answered_again_when_the_state_store_is_down(fake: Assistant) -> None:
    with sms_client(fake) as client:
        change_desk(client, deliveries=Deliveries(DownState()))
        params = inbound("What is the cost?")
        assert [message(send(client, params, signed(params))) for _ in range(2)] == [fake.kb.entry("cost").answer] * 2


def test_a_repeated_delivery_of_a_silenced_message_stays_silent(fake: Assistant) -> None:
    with sms_client(fake, sms_limit=1) as client:
        text(client, "What is the cost?")
        text(client, "What is the cost?")
        params = inbound("What is the cost?")
        assert [message(send(client, params, signed(params))) for _ in range(2)] == [None, None]


def test_opting_out_does_not_count_against_the_limit(fake: Assistant) -> None:
    with sms_client(fake, sms_limit=2) as client:
        assert [text(client, "STOP") for _ in range(5)] == [None] * 5
        assert text(client, "START") == fake.messages.sms_start
        assert text(client, "What is the cost?") == fake.kb.entry("cost").answer


# -- what reaches the logs ---------------------------------------------------------------------


def test_phone_numbers_and_messages_never_reach_the_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    digest = SenderHasher("test-log-key")(PATIENT)
    with caplog.at_level(logging.INFO):
        for body in ["What is the cost?", "HELP", "STOP"] + ["zebra quantum marmalade"] * 11:
            text(client, body)
        assert send(client, inbound("forged"), "bm9wZQ==").status_code == 403
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert digest in logged
    for secret in [PATIENT, PATIENT.lstrip("+"), PATIENT[-10:], "zebra quantum marmalade", "forged"]:
        assert secret not in logged


def test_emergencies_are_logged_without_the_sender(fake: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    digest = SenderHasher("test-log-key")(PATIENT)
    with sms_client(fake, sms_limit=2) as client, caplog.at_level(logging.INFO, logger=EVENTS):
        text(client, "I can't breathe")
        text(client, "What is the cost?")
        text(client, "I can't breathe")  # over the limit
    events = logged(caplog.records, "sms")
    assert [e["action"] for e in events] == ["emergency", "answer", "emergency-over-limit"]
    assert [e.get("sender") for e in events] == [None, digest, None]


def test_sender_digests_are_keyed() -> None:
    assert SenderHasher("k")(PATIENT) == SenderHasher("k")(PATIENT)
    assert SenderHasher("k")(PATIENT) != SenderHasher("other key")(PATIENT)
    assert SenderHasher("")(PATIENT) != SenderHasher("")(PATIENT)  # a random key per process when none is set
    assert PATIENT[-10:] not in SenderHasher("k")(PATIENT)


def test_each_answered_text_is_recorded_once_as_sms(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger=EVENTS):
        for body in ["What is the cost?", "HELP", "STOP", "I can't breathe"]:
            text(client, body)
    events = logged(caplog.records, "reply")
    assert [(e["channel"], e["kind"], e["id"]) for e in events] == [
        ("sms", "answer", "cost"),
        ("sms", "emergency", None),
    ]


def test_an_emergency_texted_while_the_index_loads_gets_the_emergency_text(fake: Assistant) -> None:
    slow_load = SlowLoad(fake)
    with TestClient(create_app(sms_settings(), load=slow_load)) as client:
        assert "988" in (text(client, "I can't breathe") or "")
        question = inbound("What is the cost?")
        waiting = send(client, question, signed(question))
        assert waiting.status_code == 503  # nothing else can be answered before the index is loaded
        slow_load.finish()
        assert text(ready(client), "What is the cost?") == fake.kb.entry("cost").answer


def test_while_starting_an_sms_waits_like_the_web_and_an_emergency_is_counted_without_its_sender(
    fake: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    slow_load = SlowLoad(fake)
    with caplog.at_level(logging.INFO), TestClient(create_app(sms_settings(), load=slow_load)) as client:
        assert "988" in (text(client, "I can't breathe") or "")
        question = inbound("What is the cost?")
        assert send(client, question, signed(question)).json() == client.get("/v1/greeting").json()
        metrics = client.get("/metrics").text
        slow_load.finish()
    assert 'chatbot_sms_events_total{event="emergency-while-starting"} 1.0' in metrics
    events = logged(caplog.records, "sms")
    assert events == [{"event": "sms", "action": "emergency-while-starting"}]


# -- did you mean, by text ----------------------------------------------------------------------

SUGGESTED = ("feeling-afterwards", "hallucinations", "side-effects-after-treatment")
STRANGER = "+15550000000"


def as_new_message(client: TestClient, body: str) -> str | None:
    """The reply `body` gets from a sender with nothing pending."""
    return text(client, body, sender=STRANGER)


def test_a_clarify_reply_lists_the_suggestions_numbered(clarifying: Assistant) -> None:
    with sms_client(clarifying) as client:
        lines = (text(client, CLARIFIED) or "").split("\n")
    questions = [f"{n}. {clarifying.kb.entry(entry).question}" for n, entry in enumerate(SUGGESTED, start=1)]
    assert lines == [clarifying.messages.clarify, *questions, clarifying.messages.sms_clarify]


@pytest.mark.parametrize(
    ("number", "entry"),
    [
        ("1", SUGGESTED[0]),
        (" 2 ", SUGGESTED[1]),
        ("3.", SUGGESTED[2]),
        ("the second one", SUGGESTED[1]),
        ("la ultima porfa", SUGGESTED[2]),
    ],
)
def test_a_number_within_ten_minutes_gets_that_entrys_answer(clarifying: Assistant, number: str, entry: str) -> None:
    with sms_client(clarifying) as client:
        text(client, CLARIFIED)
        assert text(client, number) == gsm7_friendly(clarifying.kb.entry(entry).answer)
        assert text(client, number) == as_new_message(client, number)  # used up: the same number again is a new message


def test_an_expired_choice_leaves_the_number_a_new_message(clarifying: Assistant) -> None:
    clock = Clock(now=1000.0)
    with sms_client(clarifying) as client:
        change_desk(client, choices=MemoryState(clock=clock))
        text(client, CLARIFIED)
        clock.now += CHOICE_SECONDS - 1
        assert text(client, "1") == gsm7_friendly(clarifying.kb.entry(SUGGESTED[0]).answer)
        text(client, CLARIFIED)
        clock.now += CHOICE_SECONDS
        assert (
            text(client, "1") == as_new_message(client, "1") != gsm7_friendly(clarifying.kb.entry(SUGGESTED[0]).answer)
        )


def test_a_number_with_no_pending_choice_is_a_new_message(clarifying: Assistant) -> None:
    with sms_client(clarifying) as client:
        new_message = as_new_message(client, "2")
        assert new_message != gsm7_friendly(clarifying.kb.entry(SUGGESTED[1]).answer)
        assert text(client, "2") == new_message
        text(client, CLARIFIED, sender="+15557654321")  # someone else's choice is not this sender's
        assert text(client, "2") == new_message


def test_a_number_beyond_the_suggestions_is_a_new_message(clarifying: Assistant) -> None:
    with sms_client(clarifying) as client:
        text(client, CLARIFIED)
        assert text(client, "4") == as_new_message(client, "4")


def test_a_pick_that_says_more_is_a_new_message(clarifying: Assistant) -> None:
    with sms_client(clarifying) as client:
        text(client, CLARIFIED)
        message = "the first one, and can i eat before?"
        assert text(client, message) == as_new_message(client, message)


def test_a_failing_state_store_costs_no_reply(clarifying: Assistant) -> None:
    with sms_client(clarifying) as client:
        change_desk(client, choices=DownState())
        assert (text(client, CLARIFIED) or "").startswith(clarifying.messages.clarify)
        assert (
            text(client, "1") == as_new_message(client, "1") != gsm7_friendly(clarifying.kb.entry(SUGGESTED[0]).answer)
        )


def test_small_talk_by_text_gets_the_offices_reply(client: TestClient, fake: Assistant) -> None:
    assert text(client, "thx!") == gsm7_friendly(fake.messages.smalltalk["thanks"])


# -- Spanish ---------------------------------------------------------------------------------------


def test_a_spanish_question_gets_the_office_reply_in_spanish(client: TestClient, fake: Assistant) -> None:
    assert text(client, "¿tienen estacionamiento para los pacientes?") == fake.messages.in_language("es").fallback


def test_a_spanish_emergency_gets_the_spanish_emergency_text_with_988_in_spanish(
    client: TestClient, fake: Assistant
) -> None:
    reply = text(client, "mi esposo no respira, q hago")
    assert reply == fake.messages.in_language("es").emergency
    assert "911" in reply and "988" in reply and "AYUDA" in reply


@pytest.mark.parametrize("keyword", ["AYUDA", "ayuda!", " Ayuda "])
def test_ayuda_gets_the_spanish_help_text(client: TestClient, fake: Assistant, keyword: str) -> None:
    assert text(client, keyword) == fake.messages.in_language("es").sms_help


@pytest.mark.parametrize("keyword", ["PARAR", "cancelar", "Baja"])
def test_a_spanish_opt_out_gets_no_reply(client: TestClient, keyword: str) -> None:
    assert text(client, keyword) is None


def test_a_message_twilio_flags_as_an_opt_out_gets_no_reply_whatever_its_words(client: TestClient) -> None:
    assert text(client, "ya no me manden nada por favor", OptOutType="STOP") is None


def test_a_message_twilio_flags_as_help_gets_the_help_text_in_its_language(client: TestClient, fake: Assistant) -> None:
    assert text(client, "ayúdenme", OptOutType="HELP") == fake.messages.in_language("es").sms_help
    assert text(client, "what is this", OptOutType="HELP") == fake.messages.sms_help


def test_a_spanish_emergency_texted_while_the_index_loads_gets_the_spanish_text(fake: Assistant) -> None:
    slow_load = SlowLoad(fake)
    # The office's number as the fake assistant's messages give it: the emergency text names it for what is no
    # emergency.
    with TestClient(create_app(sms_settings(office_phone="555-0100"), load=slow_load)) as client:
        assert text(client, "me quiero morir") == fake.messages.in_language("es").emergency


# -- what staff see: the log and /metrics ---------------------------------------------------------


def test_a_refused_signature_logs_the_url_it_was_checked_against_and_the_setting_to_fix(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    params = inbound("how much is it")
    behind_a_proxy = signed(params, url="http://10.0.0.5:8000/sms/twilio")  # Twilio posted to another URL than we check
    with caplog.at_level(logging.WARNING, logger="chatbot"):
        assert send(client, params, behind_a_proxy).status_code == 403
    refusal = next(r.getMessage() for r in caplog.records if "refused a request" in r.getMessage())
    assert f"checked against {WEBHOOK}" in refusal and "set CHATBOT_PUBLIC_URL" in refusal
    assert PATIENT not in refusal and "how much is it" not in refusal
    assert 'chatbot_sms_events_total{event="signature-refused"} 1.0' in client.get("/metrics").text


def test_keywords_and_the_sender_limit_are_counted(fake: Assistant) -> None:
    """As the README says: every message counts against the limit, HELP and START too; only an opt-out does not."""
    with sms_client(fake, sms_limit=2) as client:
        replies = [text(client, body) for body in ("HELP", "STOP", "START", "What is the cost?", "What is the cost?")]
        metrics = client.get("/metrics").text
    assert replies == [fake.messages.sms_help, None, fake.messages.sms_start, fake.messages.sms_limit, None]
    for event, count in (("help", 1), ("opt-out", 1), ("opt-in", 1), ("limit-notice", 1), ("limited", 1)):
        assert f'chatbot_sms_events_total{{event="{event}"}} {count}.0' in metrics, event


def test_sms_not_configured_names_both_settings(fake: Assistant) -> None:
    with sms_client(fake, twilio_auth_token="") as client:
        response = send(client, inbound("hi"), None)
    assert response.status_code == 503
    assert "CHATBOT_TWILIO_AUTH_TOKEN" in response.text and "CHATBOT_PUBLIC_URL" in response.text


def test_an_emergency_while_starting_on_a_broken_knowledge_base_gets_the_last_good_emergency_text(
    fake: Assistant, knowledge_copy: Path, tmp_path: Path
) -> None:
    snapshot = tmp_path / "knowledge.json"
    knowledge.write_snapshot(knowledge.load(knowledge_copy), snapshot)
    labels, texts = ["cost"], [fake.kb.entry("cost").question]
    manifest = index.Manifest("fake", "0" * 64, fake.kb.fingerprint, {"keys": 1}, "now", 0.0)
    index.write(
        tmp_path / "index", labels, texts, FakeEncoder().encode(texts), manifest, {index.KNOWLEDGE_FILE: snapshot}
    )
    (knowledge_copy / "faq.yaml").write_text("entries: [unclosed\n", encoding="utf-8")
    slow_load = SlowLoad(fake)
    settings = sms_settings(knowledge_dir=knowledge_copy, index_dir=tmp_path / "index")
    with TestClient(create_app(settings, load=slow_load)) as client:
        assert text(client, "I can't breathe") == fake.messages.emergency.replace(
            "555-0100", "the number on our website"
        )
        slow_load.finish()
