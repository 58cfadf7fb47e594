"""`POST /v1/ask` and `GET /v1/greeting`: the reply contract over HTTP."""

from __future__ import annotations

import time
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, field_validator

from chatbot.question import check_question
from chatbot.serving import current_assistant

router = APIRouter(prefix="/v1", tags=["ask"])


class AskRequest(BaseModel):
    question: str = Field(description="The patient's question, 1 to 1,000 characters.", examples=["How much does it cost?"])
    explain: bool = Field(False, description="Also return the top candidate entries and their scores.")

    @field_validator("question", mode="before")
    @classmethod
    def _askable(cls, value: object) -> str:
        return check_question(value)


class Candidate(BaseModel):
    id: str
    score: float


class AskReply(BaseModel):
    kind: Literal["answer", "fallback", "emergency", "greeting"]
    answer: str = Field(description="The text to show; for 'answer', the clinic's own words verbatim.")
    id: str | None = Field(description="The entry answered with, or null.")
    score: float | None = Field(
        description="How close the best entry came: the cosine of its closest phrasing plus the policy's lexical bonus; or null."
    )
    candidates: list[Candidate] | None = Field(None, description="The top entries, when `explain` was asked.")


@router.post("/ask", response_model=AskReply, response_model_exclude_none=False)
def ask(body: AskRequest, request: Request) -> dict[str, object]:
    started = time.perf_counter()
    reply = current_assistant(request).ask(body.question)
    request.app.state.recorder.record("web", body.question, reply, time.perf_counter() - started)
    return reply.to_dict(explain=body.explain)


class GreetingReply(AskReply):
    notice: str = Field(description="One line to show beside the greeting: an automated assistant, not for emergencies.")


@router.get("/greeting", response_model=GreetingReply)
def greeting(request: Request) -> dict[str, object]:
    assistant = current_assistant(request)
    return {**assistant.greeting().to_dict(), "notice": assistant.messages.notice}
