"""`GET /metrics`: counts of replies by channel and kind, reply latency, and the knowledge base in service."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from chatbot.telemetry.metrics import CONTENT_TYPE, Metrics

router = APIRouter(tags=["metrics"], include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=CONTENT_TYPE)
