"""Bad input, tried on every channel: POST /v1/ask, POST /sms/twilio (validly signed) and `chatbot ask --json`
batch mode.

One table of cases (issue 7). Each case is sent as it is to all three channels, and each must end
either in a 4xx whose JSON `error` names the problem, or in a normal reply that keeps the reply
contract (an answer is the clinic's text verbatim); never a 5xx, and the server still answers
/healthz afterwards. SMS never shows an error: every text gets valid TwiML with one message, except
the documented opt-out and a body over the size cap. The batch run reads every case's line in one
go and must print one result per line, in order, an error object for each bad one.

The test ids are the cases' names: `pytest tests/test_bad_input.py -v` lists every case tried per channel.
"""

from __future__ import annotations

import json
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner, Result
from conftest import SlowLoad
from fastapi.testclient import TestClient
from support import ready
from test_sms import PUBLIC_URL, TOKEN, inbound, signed

from chatbot.answering.assistant import Assistant
from chatbot.channels.sms.twilio import clip, gsm7_friendly
from chatbot.channels.terminal.cli import cli
from chatbot.channels.web.app import create_app
from chatbot.domain import Messages
from chatbot.kb import knowledge
from chatbot.settings import Settings

JSON = "application/json"
REPLY_KINDS = {"answer", "clarify", "fallback", "emergency", "smalltalk"}
EMPTY = "question is empty after trimming whitespace"
NOT_AN_OBJECT = "body: Input should be a valid dictionary or object"
NOT_JSON = "body is not valid JSON"
NOT_A_BOOL = "explain: Input should be a valid boolean"
TOO_BIG = "The request body is larger than 16,384 bytes."


def too_long(chars: int) -> str:
    return f"question is {chars:,} characters long; the limit is 1,000"


def full_width(text: str) -> str:
    """ASCII letters and punctuation as their full-width forms (U+FF01 to U+FF5E), as some phone keyboards type them."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def math_bold(text: str) -> str:
    """Letters as MATHEMATICAL BOLD ones (outside the Basic Multilingual Plane), as "fancy text" generators make
    them."""
    return "".join(
        unicodedata.lookup(f"MATHEMATICAL BOLD {'CAPITAL' if c.isupper() else 'SMALL'} {c.upper()}")
        if c.isascii() and c.isalpha()
        else c
        for c in text
    )


@dataclass(frozen=True)
class Case:
    """One bad input and what each channel must make of it.

    `text` is what the patient sends: the JSON `question` on the web (a `str`; `bytes` are put
    between the quotes as they are), the SMS `Body` and the batch line (both as UTF-8 bytes,
    surrogates included). `body` replaces the whole web request body; on the other channels it is
    then the text itself.
    """

    name: str
    text: str | bytes | None = None
    body: bytes | None = None
    content_type: str | None = JSON
    says: str | None = None  # the web answers 4xx with this in `error`; None: a normal reply
    status: int = 422
    kind: str | None = None  # the web's and the batch's reply must be of this kind
    entry: str | None = None  # ... and answer with this entry
    line: bytes | None = None  # the batch line, when it cannot be the text (which holds a newline)
    line_says: str | None = None  # the batch prints an error with this; None: a reply
    sms: str | int = "web"  # "web": what the web replies; "help", "fallback", "none"; or an HTTP status

    def payload(self) -> bytes:
        if self.body is not None:
            return self.body
        if isinstance(self.text, bytes):
            return b'{"question": "' + self.text + b'"}'
        return json.dumps({"question": self.text}).encode()

    def raw(self) -> bytes:
        """The text as bytes on the wire: what SMS and the terminal get."""
        if self.text is None:
            assert self.body is not None
            return self.body
        return self.text if isinstance(self.text, bytes) else self.text.encode("utf-8", "surrogatepass")

    def batch_line(self) -> bytes:
        line = self.raw() if self.line is None else self.line
        assert b"\n" not in line, f"{self.name}: a batch case is one line"
        return line


COST = "What is the cost?"
BREATHE = "I can't breathe"
DEEP = 5000

CASES = [
    # -- nothing to ask ----------------------------------------------------------------------------
    Case("BOM then the question", "\ufeff" + COST, entry="cost"),  # first, so the batch input starts with a BOM
    Case("empty", "", says=EMPTY, line_says=EMPTY, sms="help"),
    Case("spaces only", "     ", says=EMPTY, line_says=EMPTY, sms="help"),
    Case("tabs and newlines only", " \t\r\n\t ", says=EMPTY, line=b" \t\t ", line_says=EMPTY, sms="help"),
    Case("unicode spaces only", "\u00a0\u2003\u3000\u2028", says=EMPTY, line_says=EMPTY, sms="help"),
    Case("carriage return only", "\r", says=EMPTY, line_says=EMPTY, sms="help"),
    Case("zero-width characters only", "\u200b\u200c\u200d\u2060", kind="fallback", sms="help"),
    Case("null bytes only", "\x00\x00\x00", kind="fallback", sms="help"),
    # -- length ----------------------------------------------------------------------------------
    Case("exactly 1,000 characters", "cost " * 200),
    Case("exactly 1,000 characters of a real question", (COST + " ") * 55 + "x" * 10),
    Case("1,001 characters", "x" * 1001, says=too_long(1001), line_says=too_long(1001), sms="fallback"),
    Case("1,001 with trailing spaces", COST + " " * 984, says=too_long(1001), line_says=too_long(1001), sms="fallback"),
    Case("1,000 emoji (4,000 bytes)", "\U0001f489" * 1000, sms="help"),
    Case("1,001 emoji", "\U0001f489" * 1001, says=too_long(1001), line_says=too_long(1001), sms="help"),
    Case("one 900-character word", "ketamine" * 112 + "abcd"),
    Case("one 900-character word of one letter", "a" * 900),
    Case("1 MB body", "a" * 1_000_000, says=TOO_BIG, status=413, line_says=too_long(1_000_000), sms=413),
    Case(
        "100,000-character line",
        "what is the cost " * 5882 + "?" * 6,
        says=TOO_BIG,
        status=413,
        line_says=too_long(100_000),
        sms=413,
    ),
    Case(
        "10,000 characters (under the body cap)",
        "cost? " * 1666 + "cost",
        says=too_long(10_000),
        line_says=too_long(10_000),
        sms="fallback",
    ),
    # -- not JSON ----------------------------------------------------------------------------------
    Case("truncated JSON", body=b'{"question": ', says=f"{NOT_JSON}: Expecting value"),
    Case("single-quoted JSON", body=b"{'question': 'What is the cost?'}", says=f"{NOT_JSON}: Expecting property name"),
    Case("trailing comma", body=b'{"question": "What is the cost?",}', says=NOT_JSON),
    Case("trailing garbage", body=b'{"question": "What is the cost?"} and more', says=f"{NOT_JSON}: Extra data"),
    Case("plain text sent as JSON", body=COST.encode(), says=f"{NOT_JSON}: Expecting value (at position 0)"),
    Case("form body sent as JSON", body=b"question=What+is+the+cost%3F", says=NOT_JSON),
    Case(
        "JSON without a content type",
        body=b'{"question": "What is the cost?"}',
        content_type=None,
        says="send it with Content-Type: application/json",
    ),
    Case(
        "JSON sent as text/plain",
        body=b'{"question": "What is the cost?"}',
        content_type="text/plain",
        says="send it with Content-Type: application/json",
    ),
    Case(
        "invalid UTF-8 bytes",
        b"\xff\xfe What is the cost?",
        says=f"{NOT_JSON}: byte 0xff is not UTF-8 (at position 14)",
    ),
    # Python's JSON parser lets UTF-8-encoded surrogates through ("surrogatepass"); the question check stops them.
    Case(
        "a surrogate encoded as UTF-8 bytes",
        b"\xed\xa0\x80",
        says="question has an unpaired surrogate (U+D800)",
        sms="help",
    ),
    Case("overlong UTF-8 encoding of '/'", b"\xc0\xaf", says=f"{NOT_JSON}: byte 0xc0 is not UTF-8", sms="help"),
    Case("NaN", body=b'{"question": NaN}', says="question must be a string, got float"),
    Case("Infinity", body=b'{"question": Infinity}', says="question must be a string, got float"),
    Case("a number too large for a float", body=b'{"question": 1e400}', says="question must be a string, got float"),
    Case(
        "an integer of 5,000 digits",
        body=b'{"question": ' + b"9" * 5000 + b"}",
        says="a number has more than 4,300 digits",
        line_says=too_long(5014),
        sms="fallback",
    ),
    Case(
        "arrays nested 5,000 deep",
        body=b"[" * DEEP + b"]" * DEEP,
        says="nested too deeply",
        line_says=too_long(2 * DEEP),
        sms=413,
    ),  # percent-encoded, the form is 30 KB
    Case(
        "a question nested 500 deep",
        body=b'{"question": ' + b"[" * 500 + b"]" * 500 + b"}",
        says="got list",
        line_says=too_long(1014),
        sms="fallback",
    ),
    # -- JSON of the wrong shape ---------------------------------------------------------------------
    Case("an array", body=b"[]", says=NOT_AN_OBJECT, sms="help"),
    Case("an array holding the object", body=b'[{"question": "What is the cost?"}]', says=NOT_AN_OBJECT),
    Case("a number", body=b"42", says=NOT_AN_OBJECT),
    Case("a string", body=b'"What is the cost?"', says=NOT_AN_OBJECT),
    Case("null", body=b"null", says=NOT_AN_OBJECT),
    Case("true", body=b"true", says=NOT_AN_OBJECT),
    Case("an empty object", body=b"{}", says="question: Field required", sms="help"),
    Case("the wrong field name", body=b'{"text": "What is the cost?"}', says="question: Field required"),
    Case(
        "the field name in the wrong case", body=b'{"Question": "What is the cost?"}', says="question: Field required"
    ),
    Case("question null", body=b'{"question": null}', says="question must be a string, got NoneType"),
    Case("question a number", body=b'{"question": 42}', says="question must be a string, got int"),
    Case("question a float", body=b'{"question": 4.2}', says="question must be a string, got float"),
    Case("question a bool", body=b'{"question": true}', says="question must be a string, got bool"),
    Case("question a list", body=b'{"question": ["What is the cost?"]}', says="question must be a string, got list"),
    Case(
        "question an object",
        body=b'{"question": {"text": "What is the cost?"}}',
        says="question must be a string, got dict",
    ),
    Case("explain a string", body=b'{"question": "What is the cost?", "explain": "maybe"}', says=NOT_A_BOOL),
    Case("explain an object", body=b'{"question": "What is the cost?", "explain": {}}', says=NOT_A_BOOL),
    Case("explain NaN", body=b'{"question": "What is the cost?", "explain": NaN}', says=NOT_A_BOOL),
    Case(
        "extra fields",
        body=b'{"question": "What is the cost?", "user": "x", "__proto__": {"admin": true}}',
        entry="cost",
    ),
    Case(
        "the question twice (the last counts)",
        body=b'{"question": "zzz", "question": "What is the cost?"}',
        entry="cost",
    ),
    # -- characters --------------------------------------------------------------------------------
    Case("null bytes inside", "What\x00 is the\x00 cost?", entry="cost"),
    Case("control characters and an ANSI escape", "\x07What is\x1b[0m the cost?\x7f\x08"),
    Case("zero-width characters inside words", "Wh\u200bat is the co\u200dst?\u2060", entry="cost"),
    Case("soft hyphens inside words", "What is the co\u00adst?", entry="cost"),
    Case("right-to-left override around the question", "\u202e" + COST + "\u202c", entry="cost"),
    Case("right-to-left override with reversed text", "\u202e?tsoc eht si tahW"),
    Case("Hebrew (right-to-left)", "כמה זה עולה?"),
    Case("Arabic (right-to-left)", "كم تكلفة العلاج؟"),
    Case("emoji only", "\U0001f489\U0001f914\U0001f4b0\u2753", sms="help"),
    Case(
        "emoji with skin tones and joiners", "\U0001f469\U0001f3fd\u200d\u2695\ufe0f " + COST + " \U0001f44d\U0001f3ff"
    ),
    Case("full-width letters", full_width(COST), entry="cost"),
    Case("mathematical bold letters", math_bold(COST), entry="cost"),
    Case("combining marks piled on (zalgo)", "W\u0335\u031bh\u0337a\u0338t\u0336 i\u0334s the cost?"),
    Case("Cyrillic look-alike letters", "Wh\u0430t \u0456s th\u0435 c\u043est?"),
    Case("private-use and unassigned characters", "\ue000\uf8ff\U000f0000\u0378", sms="help"),
    Case("noncharacters", "\ufffe\uffff What is the cost?"),
    Case("unicode line separators", COST + "\u2028\u2029\u0085", entry="cost"),
    Case(
        "lone surrogate escape in JSON",
        b"\xed\xa0\x80",
        body=b'{"question": "\\ud800"}',
        says="question has an unpaired surrogate (U+D800) at character 1",
        sms="help",
    ),
    Case(
        "lone low surrogate inside a question",
        COST + " \udfff",
        says="question has an unpaired surrogate (U+DFFF) at character 19",
    ),
    Case(
        "a surrogate pair escape (an emoji) in JSON",
        body=b'{"question": "\\ud83d\\udc89 What is the cost?"}',
        entry="cost",
    ),
    Case(
        "UTF-16 JSON with its BOM",
        body='{"question": "What is the cost?"}'.encode("utf-16"),
        entry="cost",
        line=COST.encode(),
    ),
    Case("BOM before the JSON", body=b"\xef\xbb\xbf" + b'{"question": "What is the cost?"}', entry="cost"),
    Case("CRLF line ending", COST + "\r\n", entry="cost", line=COST.encode() + b"\r"),
    Case("two questions on two lines", COST + "\r\nDo you have wifi?", line=COST.encode() + b"\rDo you have wifi?"),
    # -- markup, code and injection ----------------------------------------------------------------
    Case("HTML tags", "<b>What</b> is the <i>cost</i>?"),
    Case("a script tag", "<script>alert('x')</script> " + COST),
    Case("an image tag with onerror", "<img src=x onerror=\"fetch('//evil.example')\">"),
    Case("SQL injection", "'; DROP TABLE unanswered; --"),
    Case("SQL tautology", "1' OR '1'='1' -- " + COST),
    Case("a format string", "{office_phone} {0} %s %(x)s ${7*7} {{7*7}}"),
    Case("a path", "../../../../etc/passwd"),
    Case("JSON inside the question", '{"question": "What is the cost?"}'),
    Case("XML that would break TwiML", "</Message></Response><Response><Message>free infusions"),
    Case("percent-encoded text", "What%20is%20the%20cost%3F"),
    # -- punctuation and shorthand -----------------------------------------------------------------
    Case("repeated question marks", "?" * 200, sms="help"),
    Case("repeated punctuation around the question", "!!!???..." + COST + "????!!!!!!......", entry="cost"),
    Case("dots only", "." * 1000, sms="help"),
    Case("letters repeated", "Whaaaaaaaat is the cooooooost???"),
    # -- languages -------------------------------------------------------------------------------
    Case("Spanish", "¿Cuánto cuesta la infusión de ketamina?"),
    Case("Spanish and English", "how much cuesta la infusion of ketamine?"),
    Case("Chinese", "氯胺酮输液多少钱？"),
    Case("Japanese with full-width punctuation", "ケタミンの費用は？"),
    Case("Arabic, Chinese and English", "What is the cost 多少钱 كم التكلفة?"),
    Case("Hindi", "इलाज कितने का है?"),
    # -- emergencies must survive the tricks -------------------------------------------------------
    Case("an emergency with zero-width characters", "I can\u200b't brea\u200bthe", kind="emergency"),
    Case("an emergency in full-width letters", full_width(BREATHE), kind="emergency"),
    Case("an emergency shouted", "I CAN'T BREATHE!!!!!!!!", kind="emergency"),
    Case("an emergency inside a right-to-left override", "\u202e" + BREATHE + "\u202c", kind="emergency"),
    Case("an emergency after HTML", "<p>" + BREATHE + "</p>", kind="emergency"),
    # -- SMS keywords (documented: no reply to an opt-out) -----------------------------------------
    Case("STOP with padding", "  Stop!  ", sms="none"),
    Case("HELP", "HELP", sms="help"),
]


def test_there_are_at_least_60_cases() -> None:
    assert len(CASES) >= 60
    assert len({case.name for case in CASES}) == len(CASES)


def ids(cases: list[Case]) -> list[Any]:
    return [pytest.param(case, id=case.name) for case in cases]


# -- the reply contract ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def contract(kb: knowledge.KnowledgeBase) -> tuple[dict[str, str], Messages]:
    """The clinic's answers and the office's messages, as every assistant here fills them in."""
    return {entry.id: entry.answer for entry in kb.entries}, knowledge.fill(kb.messages, "555-0100")


def assert_reply(reply: Mapping[str, Any], case: Case | None, contract: tuple[dict[str, str], Messages]) -> None:
    """The reply contract; and the case's expected kind and entry, if any (None: the contract only)."""
    answers, messages = contract
    allowed = {"kind", "answer", "id", "score", "lang", "preface", "suggestions", "candidates", "why"}
    assert {"kind", "answer", "id", "score", "lang"} <= set(reply) <= allowed, reply
    assert reply["kind"] in REPLY_KINDS, reply
    if reply["kind"] == "answer":
        assert reply["answer"] == answers[reply["id"]]  # verbatim, never made up
    elif reply["kind"] == "smalltalk":
        assert reply["answer"] == messages.smalltalk[reply["id"]]
    else:
        assert reply["id"] is None
        assert reply["answer"] in messages.variants(reply["kind"])
    assert (reply.get("suggestions") is not None) == (reply["kind"] == "clarify"), reply
    if case is not None and case.kind is not None:
        assert reply["kind"] == case.kind
    if case is not None and case.entry is not None:
        assert (reply["kind"], reply["id"]) == ("answer", case.entry)


# -- POST /v1/ask -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def web(fake: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(rate_limit="off", var_dir=tmp_path_factory.mktemp("var"))
    with TestClient(create_app(settings, load=lambda: fake), raise_server_exceptions=False) as client:
        yield ready(client)


@pytest.mark.parametrize("case", ids(CASES))
def test_web(web: TestClient, case: Case, contract: tuple[dict[str, str], Messages]) -> None:
    headers = {} if case.content_type is None else {"content-type": case.content_type}
    response = web.post("/v1/ask", content=case.payload(), headers=headers)
    assert response.status_code < 500, response.text
    assert response.headers["content-type"] == JSON
    if case.says is None:
        assert response.status_code == 200, response.text
        assert_reply(response.json(), case, contract)
    else:
        assert response.status_code == case.status
        assert case.says in response.json()["error"]
    assert web.get("/healthz").json() == {"status": "ok"}


# -- POST /sms/twilio ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sms(fake: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        twilio_auth_token=TOKEN,
        public_url=PUBLIC_URL,
        log_key="test-log-key",
        sms_limit=100_000,
        var_dir=tmp_path_factory.mktemp("var"),
    )
    with TestClient(create_app(settings, load=lambda: fake), raise_server_exceptions=False) as client:
        yield ready(client)


def text_in(client: TestClient, body: bytes) -> Any:
    """POST Twilio's form with `body` as its Body, bytes as they are, signed for what the server decodes."""
    base = inbound("")
    form: dict[str, str | bytes] = {**base, "Body": body}
    seen = {**base, "Body": body.decode("utf-8", "replace")}
    headers = {"content-type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signed(seen)}
    return client.post("/sms/twilio", content=urlencode(form), headers=headers)


def expected_text(case: Case, fake: Assistant) -> str | None:
    if case.sms == "none":
        return None
    if case.sms in ("help", "fallback"):
        return {"help": fake.messages.sms_help, "fallback": fake.messages.fallback}[str(case.sms)]
    return fake.ask(case.raw().decode("utf-8", "replace")).answer


@pytest.mark.parametrize("case", ids(CASES))
def test_sms(sms: TestClient, fake: Assistant, case: Case) -> None:
    response = text_in(sms, case.raw())
    assert response.status_code < 500, response.text
    if isinstance(case.sms, int):
        assert response.status_code == case.sms
        assert response.json() == {"error": TOO_BIG}
    else:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/xml"
        root = ET.fromstring(response.content)  # valid XML, whatever the patient sent
        assert root.tag == "Response" and all(child.tag == "Message" for child in root) and len(root) <= 1
        expected = expected_text(case, fake)
        if expected is None:
            assert len(root) == 0  # the documented opt-out: no reply at all
        else:
            assert len(root) == 1 and root[0].text == clip(gsm7_friendly(expected))
    assert sms.get("/healthz").json() == {"status": "ok"}


# -- chatbot ask --json < lines ------------------------------------------------------------------


@pytest.fixture(scope="module")
def batch(real_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, list[bytes]]:
    """One batch run over every case's line (the last without a final newline), with the real model."""
    settings = Settings(
        index_dir=real_settings.index_dir,
        knowledge_dir=real_settings.knowledge_dir,
        office_phone="555-0100",
        var_dir=tmp_path_factory.mktemp("var"),
    )
    env = settings.environment(base={})
    result = CliRunner().invoke(cli, ["ask", "--json"], input=b"\n".join(case.batch_line() for case in CASES), env=env)
    assert result.exit_code == 0, result.output
    return result, result.stdout_bytes.split(b"\n")[:-1]


@pytest.mark.slow
def test_batch_answers_every_line_in_order_and_never_stops_early(batch: tuple[Result, list[bytes]]) -> None:
    result, lines = batch
    assert result.stdout_bytes.endswith(b"\n")
    assert len(lines) == len(CASES)
    errors = [json.loads(line) for line in lines if b'"error"' in line]
    assert [error["line"] for error in errors] == [n for n, case in enumerate(CASES, start=1) if case.line_says]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("number", "case"), [pytest.param(n, case, id=case.name) for n, case in enumerate(CASES, start=1)]
)
def test_batch(
    batch: tuple[Result, list[bytes]], number: int, case: Case, contract: tuple[dict[str, str], Messages]
) -> None:
    _, lines = batch
    printed = json.loads(lines[number - 1])
    if case.line_says is not None:
        assert printed["line"] == number and set(printed) == {"line", "error"}
        assert case.line_says in printed["error"]
    else:
        # A case about the web's body has its JSON as the line: any reply will do, the contract still holds.
        assert_reply(printed, case if case.body is None or case.line is not None else None, contract)


# -- the schema holds for the errors too --------------------------------------------------------


def test_error_replies_match_the_openapi_schema(fake: Assistant, tmp_path: Path) -> None:
    """413, 422, 429 and 503 from POST /v1/ask are declared, and what is sent matches the declaration."""
    import schemathesis

    slow = SlowLoad(fake)
    settings = Settings(rate_limit="3/minute", var_dir=tmp_path)
    app = create_app(settings, load=slow)
    operation = schemathesis.openapi.from_dict(app.openapi())["/v1/ask"]["POST"]
    with TestClient(app) as client:
        responses = [client.post("/v1/ask", json={"question": COST})]  # 503: still starting
        slow.finish()
        ready(client)
        responses += [
            client.post("/v1/ask", content=CASES[0].payload() + b" " * 20_000, headers={"content-type": JSON}),  # 413
            client.post("/v1/ask", content=b'{"question": "\\ud800"}', headers={"content-type": JSON}),  # 422
            client.post("/v1/ask", json={"question": COST}),  # 200, and the next ones are over the limit
            client.post("/v1/ask", json={"question": COST}),  # 429
        ]
    assert [r.status_code for r in responses] == [503, 413, 422, 200, 429]
    checks = [
        schemathesis.checks.status_code_conformance,
        schemathesis.checks.content_type_conformance,
        schemathesis.checks.response_headers_conformance,
        schemathesis.checks.response_schema_conformance,
    ]
    for response in responses:
        operation.Case(body={"question": COST}, media_type=JSON).validate_response(response, checks=checks)
