"""`POST /v1/ask` and `GET /v1/greeting`: the reply contract over HTTP."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema, field_validator

from chatbot.answering.picking import chosen
from chatbot.answering.policy import RULES
from chatbot.answering.question import MAX_QUESTION_CHARS, check_question
from chatbot.channels.web.services import Answering, Wired
from chatbot.domain import MAX_SUGGESTIONS, NONE_OF_THESE, Kind
from chatbot.errors import UnknownChoice


def parse_json(body: bytes) -> Any:
    """`json.loads`, except that every failure is a `JSONDecodeError` saying what is wrong.

    FastAPI answers a JSONDecodeError with a 422 naming the problem, but anything else the parser
    raises (bytes that are not UTF-8, nesting deeper than it recurses, an integer of thousands of
    digits) with a bare 400 "There was an error parsing the body".
    """
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        raise
    except UnicodeDecodeError as exc:
        reason = f"byte 0x{exc.object[exc.start]:02x} is not UTF-8"
        raise json.JSONDecodeError(reason, body.decode("latin-1"), exc.start) from None
    except RecursionError:
        raise json.JSONDecodeError("arrays or objects are nested too deeply", "", 0) from None
    except ValueError:  # int() refuses to convert that many digits
        reason = f"a number has more than {sys.get_int_max_str_digits():,} digits"
        raise json.JSONDecodeError(reason, "", 0) from None


class _JsonRequest(Request):
    """A request whose `json()` is `parse_json`."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_json(await self.body())
        return self._json


class _JsonRoute(APIRoute):
    """A route whose JSON body is parsed by `parse_json` (FastAPI's documented custom-request hook)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_json(request: Request) -> Response:
            return await handle(_JsonRequest(request.scope, request.receive))

        return handle_json


router = APIRouter(prefix="/v1", tags=["ask"], route_class=_JsonRoute)


class _Question(BaseModel):
    question: str = Field(
        description="The patient's question, 1 to 1,000 characters, not all whitespace.",
        examples=["How much does it cost?"],
        # Documents what check_question enforces (with a message saying which rule failed). The pattern is
        # "something str.strip() keeps": JSON Schema's (ECMA's) \s, unlike Python's, leaves out \x1c-\x1f and \x85.
        json_schema_extra={"minLength": 1, "maxLength": MAX_QUESTION_CHARS, "pattern": r"[^\s\x1c-\x1f\x85]"},
    )

    @field_validator("question", mode="before")
    @classmethod
    def _askable(cls, value: object) -> str:
        return check_question(value)


class AskRequest(_Question):
    explain: bool = Field(False, description="Also return the top candidate entries and their scores.")
    choice: str | None = Field(
        None,
        description=f'A "did you mean" pick: the `id` of one of a `clarify` reply\'s suggestions (answered with that '
        f'entry), or {NONE_OF_THESE!r} for "None of these" (the fallback). Send the same `question` with it.',
        examples=["companion"],
    )
    offered: list[str] | None = Field(
        None,
        max_length=MAX_SUGGESTIONS,
        description="The `id`s of the suggestions the previous reply offered, in order, while they are the last thing "
        'in the conversation. A `question` that only picks one of them ("2", "the second one", "la primera") is '
        "answered with that entry, like a `choice`; any other question is asked as usual.",
        examples=[["companion", "side-effects-after-treatment"]],
    )


class Candidate(BaseModel):
    id: str
    score: float


class SuggestionItem(BaseModel):
    id: str = Field(description="The entry; send it back as `choice` to get its answer.")
    question: str = Field(description="The entry's own question, as the clinic's page asks it.")


def _policy_rule(rule: str) -> str:
    if rule not in RULES:
        raise ValueError(f"{rule!r} is not one of the policy's rules {RULES}")
    return rule


# The policy's rule names, checked and listed in place in the schema like the reply kinds below.
PolicyRule = Annotated[str, AfterValidator(_policy_rule), WithJsonSchema({"type": "string", "enum": list(RULES)})]


class Why(BaseModel):
    rule: PolicyRule
    message: str = Field(description="The rule and the numbers that decided it, in words.")
    exemplar: str | None = Field(None, description="For out-of-scope-exemplar: the exemplar that vetoed the answer.")
    exemplar_score: float | None = Field(None, description="Its score, compared with the best entry's.")


# The domain's reply kinds, listed in place in the schema (rather than as a `$ref` to a component), so that
# whoever reads AskReply sees the values where `kind` is.
ReplyKind = Annotated[Kind, WithJsonSchema({"type": "string", "enum": [kind.value for kind in Kind]})]


class AskReply(BaseModel):
    kind: ReplyKind
    answer: str = Field(
        description="The text to show; for 'answer', the clinic's own words verbatim; for 'clarify', the office's "
        '"did you mean" prompt to show above the suggestions.'
    )
    id: str | None = Field(
        description="The entry answered with; for 'smalltalk', the intent (greeting, thanks...); else null."
    )
    score: float | None = Field(
        description="How close the best entry came: the cosine of its closest phrasing plus the policy's lexical "
        "bonus; or null."
    )
    suggestions: list[SuggestionItem] | None = Field(
        None,
        description="For 'clarify' only: 1 to 3 entries to offer, best first (else null). "
        "Nothing of their answers is shown.",
    )
    lang: str = Field(description="The conversation's language (BCP 47): `en`, or `es` for a Spanish message.")
    preface: str | None = Field(
        None,
        description="An office line to show before `answer`: a Spanish question answered with the clinic's "
        "English text.",
    )
    candidates: list[Candidate] | None = Field(None, description="The top entries, when `explain` was asked.")
    why: list[Why] | None = Field(
        None, description="When `explain` was asked: every rule a fallback's best entry failed (empty otherwise)."
    )


class ErrorReply(BaseModel):
    error: str = Field(description="What is wrong, in words.")


class InvalidRequestReply(ErrorReply):
    detail: list[dict[str, Any]] = Field(
        description="FastAPI's validation errors: type, loc, msg, and the input when JSON can carry it."
    )


class NotReadyReply(BaseModel):
    detail: str = Field(description="Why the assistant cannot answer yet.")


_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"model": NotReadyReply, "description": "The assistant is still starting."},
}
_ASK_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorReply, "description": "The body is larger than CHATBOT_MAX_BODY_BYTES."},
    422: {
        "model": InvalidRequestReply,
        "description": "The body is not a JSON object, `question` is not a string, is empty, too long, or not valid "
        "Unicode, or `choice` (or the `offered` id the question picks) names no entry.",
    },
    429: {
        "model": ErrorReply,
        "description": "Over CHATBOT_RATE_LIMIT for this address.",
        "headers": {
            "Retry-After": {"description": "Seconds until this address may ask again.", "schema": {"type": "integer"}}
        },
    },
    **_NOT_READY,
    504: {"model": ErrorReply, "description": "No reply within CHATBOT_REQUEST_TIMEOUT_SECONDS."},
}


@router.post("/ask", response_model=AskReply, response_model_exclude_none=False, responses=_ASK_ERRORS)
async def ask(body: AskRequest, assistant: Answering, services: Wired) -> Any:
    # Answering is ~4 ms of CPU with one encoder thread: run inline on the event loop, which is
    # measurably faster than handing each request to the thread pool and back.
    started = time.perf_counter()
    choice = body.choice
    if choice is None and body.offered and (index := chosen(body.question, len(body.offered))) is not None:
        choice = body.offered[index]
    try:
        reply = assistant.ask(body.question) if choice is None else assistant.choose(body.question, choice)
    except UnknownChoice as exc:
        return _refused("choice" if body.choice else "offered", str(exc))
    await services.recorder.record_soon("web", body.question, reply, time.perf_counter() - started)
    return reply.to_dict(explain=body.explain)


class FeedbackRequest(_Question):
    """The question the judged answer was given to is stored with personal details removed, like unanswered
    questions."""

    id: str = Field(description="The entry whose answer the patient judged (the reply's `id`).", examples=["cost"])
    helpful: bool = Field(description="Thumbs up (true) or down (false).")


class FeedbackReply(BaseModel):
    status: Literal["recorded"]


@router.post("/feedback", response_model=FeedbackReply, responses=_ASK_ERRORS)
async def feedback(body: FeedbackRequest, assistant: Answering, services: Wired) -> Any:
    """Was this answer helpful? Kept for CHATBOT_RETENTION_DAYS and listed by `chatbot review`."""
    if body.id not in assistant.answers:
        return _refused("id", f"id: no entry {body.id!r}; send the `id` of the answer being judged")
    await services.recorder.feedback_soon(body.id, body.helpful, body.question)
    return {"status": "recorded"}


def _refused(field: str, message: str) -> JSONResponse:
    """A 422 shaped like the app's validation errors, for what only the knowledge base can judge (an entry id)."""
    detail = [{"type": "value_error", "loc": ["body", field], "msg": message}]
    return JSONResponse({"error": message, "detail": detail}, status_code=422)


class GreetingReply(AskReply):
    notice: str = Field(
        description="One line to show beside the greeting: an automated assistant, not for emergencies."
    )


@router.get("/greeting", response_model=GreetingReply, responses=_NOT_READY)
def greeting(
    assistant: Answering,
    lang: Literal["en", "es"] = Query(
        "en", description="The page's language: `es` for the Spanish greeting and notice."
    ),
) -> dict[str, object]:
    return {**assistant.greeting(lang).to_dict(), "notice": assistant.messages.in_language(lang).notice}
