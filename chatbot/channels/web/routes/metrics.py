"""`GET /metrics`: counts of replies by channel and kind, reply latency, and the knowledge base in service."""

from __future__ import annotations

from fastapi import APIRouter, Response

from chatbot.channels.web.services import Wired
from chatbot.telemetry.metrics import CONTENT_TYPE

router = APIRouter(tags=["metrics"], include_in_schema=False)


@router.get("/metrics")
def metrics(services: Wired) -> Response:
    return Response(services.metrics.exposition(), media_type=CONTENT_TYPE)
