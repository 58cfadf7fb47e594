"""`POST /sms/twilio`: Twilio's inbound-message webhook, answered with TwiML."""

from __future__ import annotations

import logging
import time

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from chatbot.channels.sms.desk import SmsDesk
from chatbot.channels.sms.twilio import twiml
from chatbot.channels.web.services import Wired
from chatbot.errors import ForgedRequest, SmsNotConfigured
from chatbot.telemetry.events import Texted, emit

router = APIRouter(prefix="/sms", tags=["sms"])
log = logging.getLogger("chatbot")

_TWIML = {"content": {"application/xml": {"example": "<Response><Message>...</Message></Response>"}}}


@router.post(
    "/twilio",
    response_class=Response,
    responses={
        200: {"description": "TwiML: one message back, or an empty <Response/> for none.", **_TWIML},
        403: {"description": "X-Twilio-Signature is missing or wrong."},
        503: {"description": "No Twilio auth token is configured, or the assistant is still starting."},
    },
)
async def twilio(request: Request, services: Wired) -> Response:
    """Answer one text message. Twilio posts its form (From, Body, ...) signed with the account's auth token."""
    desk = services.sms
    header = request.headers.get("X-Twilio-Signature")
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    try:
        desk.verifier.expect_signature(header)
        form = await _form(request, desk)
        items = form.multi_items()
        params = [(name, value) for name, value in items if isinstance(value, str)]
        if len(params) != len(items):
            raise ForgedRequest("Twilio never uploads files")
        desk.verifier.check(path, params, header)
    except SmsNotConfigured as exc:
        return Response(f"SMS is not configured on this server: {exc}.", status_code=503, media_type="text/plain")
    except ForgedRequest as exc:
        # The usual cause is a proxy: Twilio signs the URL it posted to, which must be CHATBOT_PUBLIC_URL + the path.
        log.warning(
            "refused a request to %s: %s; checked against %s (if Twilio posts to another URL, e.g. http:// "
            "or another host behind a proxy, set CHATBOT_PUBLIC_URL to the base of the URL in Twilio's console)",
            request.url.path,
            exc,
            desk.verifier.public_url + path,
        )
        services.metrics.sms_event("signature-refused")
        return Response(status_code=403)

    sender = desk.hasher(str(form.get("From", "")))
    body = str(form.get("Body", ""))
    started = time.perf_counter()
    sid = str(form.get("MessageSid", ""))
    opt_out_type = str(form.get("OptOutType", ""))
    outcome = await run_in_threadpool(desk.answer, sid, sender, body, services.holder.assistant, opt_out_type)
    if outcome.reply is not None:
        await services.recorder.record_soon("sms", body, outcome.reply, time.perf_counter() - started)
    emit(Texted(sender, outcome.action))
    if outcome.reply is None or outcome.action == "emergency-over-limit":  # the rest are counted as replies
        services.metrics.sms_event(outcome.action)
    return Response(twiml(outcome.text), media_type="application/xml")


async def _form(request: Request, desk: SmsDesk) -> FormData:
    """The posted form. One that cannot be parsed (too many fields, multipart without a boundary) was
    not sent by Twilio, so it is refused like any unsigned request, without naming the problem."""
    try:
        return await request.form()
    except HTTPException as exc:
        if desk.verifier.enabled:
            raise ForgedRequest(f"unreadable form: {exc.detail}") from exc
        raise
