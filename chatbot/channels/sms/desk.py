"""The SMS desk: what to text back to one inbound message (Twilio's protocol is in `twilio.py`).

Every inbound text goes through `respond`: opt-out keywords get no reply at all (the carrier
and Twilio handle the opt-out); a sender over the limit gets one "please call the office" per window
and then silence; START and HELP get the office's texts; anything else is asked of the assistant,
exactly like the web. A "did you mean" reply lists its suggestions numbered, and a reply that picks
one ("2", "the second one": `picking.chosen`) within `CHOICE_SECONDS` gets the entry's answer (the
pending choice lives in the shared `State`, keyed by the sender's digest). While the assistant is
still loading, only an emergency is answered (from the office's messages read at the start); anything
else must wait (`AssistantStarting`).

The route turns the sender's number into a `SenderHasher` digest before anything else sees it;
nothing here logs a number or a message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage
from limits.strategies import FixedWindowRateLimiter

from chatbot.answering.language import SPANISH, detect
from chatbot.answering.normalise import normalise
from chatbot.answering.picking import chosen
from chatbot.answering.question import check_question
from chatbot.answering.safety import states_emergency
from chatbot.channels.sms.twilio import Verifier
from chatbot.domain import MAX_SUGGESTIONS, Kind, Messages, Reply
from chatbot.errors import AssistantStarting, InvalidQuestion, StateUnavailable
from chatbot.settings import Settings, describe_storage
from chatbot.storage.failover import Failover
from chatbot.storage.rate_limits import limits_storage
from chatbot.storage.state import MemoryState, State

if TYPE_CHECKING:
    from chatbot.answering.assistant import Assistant

log = logging.getLogger("chatbot")

# Twilio's own keywords, and the Spanish ones a clinic adds with Twilio's Advanced Opt-Out (the README says how).
# A Spanish opt-out gets no reply even where Twilio was not told of it: whoever texts PARAR wants silence.
OPT_OUT = frozenset(
    {
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "OPTOUT",
        "REVOKE",
        "PARAR",
        "CANCELAR",
        "DETENER",
        "BAJA",
    }
)
OPT_IN = frozenset({"START", "UNSTOP", "YES", "COMENZAR", "INICIAR"})
HELP = frozenset({"HELP", "INFO", "AYUDA"})
SPANISH_KEYWORDS = frozenset({"PARAR", "CANCELAR", "DETENER", "BAJA", "COMENZAR", "INICIAR", "AYUDA"})
# Twilio's `OptOutType` field flags a message it handled as a keyword (its own, or one the clinic added).
OPT_OUT_TYPES = {"STOP": "opt-out", "START": "opt-in", "HELP": "help"}
SENDER_DIGEST_CHARS = 16
CHOICE_SECONDS = 600  # how long a "did you mean" list waits for the sender's "1", "2" or "3"
# Twilio retries a webhook it got no answer to within minutes; a day outlasts every retry.
DELIVERY_MEMORY_SECONDS = 86_400


def startup_warnings(settings: Settings) -> list[str]:
    """What an operator should hear about the SMS configuration when the app starts."""
    warnings = []
    if not settings.twilio_verify:
        warnings.append(
            "CHATBOT_TWILIO_VERIFY=false: /sms/twilio answers requests without checking Twilio's signature; "
            "use this only for local testing"
        )
    elif settings.twilio_auth_token and not settings.public_url:
        warnings.append("CHATBOT_TWILIO_AUTH_TOKEN is set but CHATBOT_PUBLIC_URL is empty: /sms/twilio answers 503")
    if not settings.log_key and not settings.limits_storage.startswith("memory://"):
        warnings.append(
            "CHATBOT_LOG_KEY is empty: each process hashes phone numbers with its own random key, "
            "so the SMS sender limit is not shared through CHATBOT_LIMITS_STORAGE"
        )
    return warnings


# -- what they said ----------------------------------------------------------------------------


class Intent(StrEnum):
    OPT_OUT = "opt-out"
    OPT_IN = "opt-in"
    HELP = "help"
    QUESTION = "question"


def _is_padding(char: str) -> bool:
    """Whitespace, punctuation, symbols (emoji) and invisible characters around a keyword."""
    return char.isspace() or unicodedata.category(char)[0] in "PSZC"


def classify(body: str, opt_out_type: str = "") -> Intent:
    """What Twilio flagged the message as (`OptOutType`), else the keyword the whole message is, in any case and
    with any padding; else a question. An empty message (e.g. a picture alone) is a request for help.
    """
    flagged = OPT_OUT_TYPES.get(opt_out_type.strip().upper())
    if flagged:
        return Intent(flagged)
    word = _keyword(body)
    if not word or word in HELP:
        return Intent.HELP
    if word in OPT_OUT:
        return Intent.OPT_OUT
    if word in OPT_IN:
        return Intent.OPT_IN
    return Intent.QUESTION


def _keyword(body: str) -> str:
    start, end = 0, len(body)
    while start < end and _is_padding(body[start]):
        start += 1
    while end > start and _is_padding(body[end - 1]):
        end -= 1
    return body[start:end].upper()


def language_of(body: str) -> str:
    """The language to text back in: Spanish for a Spanish keyword or a Spanish message, else English."""
    return SPANISH if _keyword(body) in SPANISH_KEYWORDS else detect(body)


# -- what goes back ----------------------------------------------------------------------------


def sms_text(reply: Reply, messages: Messages) -> str:
    """What to text back for a reply: its text, and for "did you mean" the suggestions numbered."""
    if not reply.suggestions:
        return reply.text
    numbered = [f"{number}. {s.question}" for number, s in enumerate(reply.suggestions, start=1)]
    return "\n".join([reply.answer, *numbered, messages.in_language(reply.lang).sms_clarify])


# -- how often: the sender limit ---------------------------------------------------------------


class SenderHasher:
    """A keyed digest of a phone number: stable within a key, useless to anyone without it."""

    def __init__(self, key: str = ""):
        self._key = key.encode("utf-8") if key else secrets.token_bytes(32)

    def __call__(self, number: str) -> str:
        return hmac.new(self._key, number.encode("utf-8"), hashlib.sha256).hexdigest()[:SENDER_DIGEST_CHARS]


class Allowance(StrEnum):
    ANSWER = "answer"
    NOTICE = "notice"  # the first message over the limit: tell them to call
    SILENCE = "silence"  # every later one in the same window: no reply


class SenderLimiter:
    """At most `limit` replies per sender in each fixed window of `window_seconds`, then one notice.

    Counts live in `limits` storage (`memory://` per process, or a shared Redis); windows are
    numbered by `clock`, so tests can move time without sleeping. While the shared storage cannot be
    reached, this process counts on its own (`Failover`): a patient's question beats an exact limit.
    """

    def __init__(
        self,
        storage: Storage,
        limit: int,
        window_seconds: int,
        clock: Callable[[], float] = time.time,
        failover: Failover | None = None,
    ):
        self._shared = FixedWindowRateLimiter(storage)
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._failover = failover or Failover("The SMS sender limit's storage", "counting texts in this process")
        self._replies = RateLimitItemPerSecond(limit, window_seconds)
        self._notices = RateLimitItemPerSecond(1, window_seconds)
        self._window_seconds = window_seconds
        self._clock = clock

    @classmethod
    def from_uri(cls, storage_uri: str, limit: int, window_seconds: int) -> SenderLimiter:
        """Count in the storage CHATBOT_LIMITS_STORAGE names, e.g. `memory://` or `redis://host:6379`."""
        failover = Failover(
            f"The SMS sender limit's storage {describe_storage(storage_uri)}", "counting texts in this process"
        )
        return cls(limits_storage(storage_uri), limit, window_seconds, failover=failover)

    def _window(self) -> str:
        """The number of the fixed window we are in: counts restart at each new one."""
        return str(int(self._clock() // self._window_seconds))

    def allow_emergency(self, sender: str) -> bool:
        """Whether a sender over the limit may still get the emergency text: once per window, so an
        auto-responder echoing it back cannot start a loop."""
        window = self._window()

        def once(limiter: FixedWindowRateLimiter) -> bool:
            return bool(limiter.hit(self._notices, "sms-emergency", sender, window))

        return self._failover.call(lambda: once(self._shared), lambda: once(self._local), (StorageError,))

    def allow(self, sender: str) -> Allowance:
        """Count one message from `sender` (a digest, never the number) and say how to treat it."""
        window = self._window()

        def count(limiter: FixedWindowRateLimiter) -> Allowance:
            if limiter.hit(self._replies, "sms", sender, window):
                return Allowance.ANSWER
            if limiter.hit(self._notices, "sms-notice", sender, window):
                return Allowance.NOTICE
            return Allowance.SILENCE

        return self._failover.call(lambda: count(self._shared), lambda: count(self._local), (StorageError,))


# -- once only: Twilio's retries ---------------------------------------------------------------


class Deliveries:
    """The text already sent back for each `MessageSid`, so a webhook Twilio delivers twice gets the
    same reply and is counted once. Kept in the shared state store, so any replica can recognise it.

    The store failing must cost no patient a reply: a message is then answered as if new.
    """

    _PREFIX = "sms-reply:"

    def __init__(self, state: State, ttl_seconds: float = DELIVERY_MEMORY_SECONDS):
        self._state = state
        self._ttl_seconds = ttl_seconds

    def earlier(self, sid: str) -> str | None:
        """The text sent for `sid` ("" when nothing was sent), or None if it was never answered."""
        try:
            return self._state.get(self._PREFIX + sid)
        except StateUnavailable as exc:
            log.error("SMS delivery memory unavailable, answering as if new: %s", exc)
            return None

    def remember(self, sid: str, text: str | None) -> None:
        try:
            self._state.put(self._PREFIX + sid, text or "", self._ttl_seconds)
        except StateUnavailable as exc:
            log.error("SMS delivery memory unavailable, a retry of this message will be answered again: %s", exc)


# -- the desk: one inbound text, one outcome ---------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What to text back (None: nothing), and the assistant's reply when it was asked."""

    action: str
    text: str | None
    reply: Reply | None = None


def respond(
    body: str,
    messages: Messages,
    ask: Callable[[str], Reply],
    allow: Callable[[], Allowance],
    allow_emergency: Callable[[], bool] = lambda: True,
    opt_out_type: str = "",
    pick: Callable[[str], Reply | None] = lambda body: None,
) -> Outcome:
    """Decide the answer to one inbound text.

    `allow` counts the message against its sender's limit; opt-outs are neither counted nor answered.
    A sender over the limit still gets the emergency text (once per window, `allow_emergency`):
    someone in distress often sends many short texts, and the limit must never silence them.
    `pick` answers a number that picks one of the sender's pending suggestions (None: it picks nothing).
    The office's texts go back in the message's language (`language_of`).
    """
    intent = classify(body, opt_out_type)
    if intent is Intent.OPT_OUT:
        return Outcome("opt-out", None)
    allowance = allow()
    if allowance is not Allowance.ANSWER and intent is Intent.QUESTION:
        reply = _ask(body, messages, ask)
        if reply.kind is Kind.EMERGENCY and allow_emergency():
            return Outcome("emergency-over-limit", reply.text, reply)
    if allowance is Allowance.SILENCE:
        return Outcome("limited", None)
    if allowance is Allowance.ANSWER and intent is Intent.QUESTION:
        reply = pick(body) or _ask(body, messages, ask)
        return Outcome(reply.kind.value, sms_text(reply, messages), reply)
    says = messages.in_language(language_of(body))
    if allowance is Allowance.NOTICE:
        return Outcome("limit-notice", says.sms_limit)
    if intent is Intent.HELP:
        return Outcome("help", says.sms_help)
    return Outcome("opt-in", says.sms_start)


def _ask(body: str, messages: Messages, ask: Callable[[str], Reply]) -> Reply:
    """The assistant's reply; a text it cannot take (over 1,000 characters) gets the fallback: SMS shows no errors."""
    try:
        return ask(check_question(body))
    except InvalidQuestion:
        says = messages.in_language(language_of(body))
        return Reply(Kind.FALLBACK, says.fallback, lang=says.lang)


@dataclass(frozen=True)
class SmsDesk:
    """The SMS channel's configuration and state for one app: verifier, hasher, sender limiter, the replies
    already sent, and pending "did you mean" choices."""

    verifier: Verifier
    hasher: SenderHasher
    limiter: SenderLimiter
    deliveries: Deliveries
    choices: State = field(default_factory=MemoryState)
    # The office's messages as read when the app started: an emergency texted before the assistant has loaded
    # gets its text from them. None when there were none to read (a missing or broken knowledge base).
    early_messages: Messages | None = None

    @classmethod
    def from_settings(
        cls, settings: Settings, state: State | None = None, early_messages: Messages | None = None
    ) -> SmsDesk:
        shared = state or MemoryState()
        return cls(
            Verifier.from_settings(settings),
            SenderHasher(settings.log_key),
            SenderLimiter.from_uri(settings.limits_storage, settings.sms_limit, settings.sms_window_seconds),
            Deliveries(shared),
            shared,
            early_messages,
        )

    def answer(self, sid: str, sender: str, body: str, assistant: Assistant | None, opt_out_type: str = "") -> Outcome:
        """One inbound text `sid` from `sender` (a digest, never the number); a repeat of an answered
        `sid` gets the same text back, uncounted and unasked. `opt_out_type` is Twilio's `OptOutType`.

        `assistant` is None while it loads: an emergency still gets its text then (not counted against the
        sender's limit, and not remembered for a retry).

        Raises:
            AssistantStarting: the assistant is loading and the text is not an emergency.
        """
        if assistant is None:
            return self._while_starting(body)
        earlier = self.deliveries.earlier(sid) if sid else None
        if earlier is not None:
            return Outcome("repeat", earlier or None)
        outcome = respond(
            body,
            assistant.messages,
            assistant.ask,
            lambda: self.limiter.allow(sender),
            lambda: self.limiter.allow_emergency(sender),
            opt_out_type,
            lambda text: self._pick(sender, text, assistant),
        )
        if outcome.reply is not None and outcome.reply.suggestions:
            self._offer(sender, [s.id for s in outcome.reply.suggestions])
        if sid:
            self.deliveries.remember(sid, outcome.text)
        return outcome

    def _while_starting(self, body: str) -> Outcome:
        """Nothing can be answered before the index is loaded, but an emergency must not wait."""
        if self.early_messages is None or not states_emergency(body, normalise(body)):
            raise AssistantStarting()
        return Outcome("emergency-while-starting", self.early_messages.emergency_in(detect(body)))

    def _offer(self, sender: str, entry_ids: list[str]) -> None:
        try:
            self.choices.put(_choice_key(sender), json.dumps(entry_ids), CHOICE_SECONDS)
        except StateUnavailable as exc:
            log.error(
                "Cannot keep an SMS 'did you mean' choice (a number sent back will be read as a question): %s", exc
            )

    def _pick(self, sender: str, body: str, assistant: Assistant) -> Reply | None:
        """The answer a reply ("2", "the second one") picks from the sender's pending suggestions; None if it picks
        nothing. Only a reply that could be a pick costs a read of the shared state."""
        if chosen(body, MAX_SUGGESTIONS) is None:
            return None
        try:
            pending = self.choices.get(_choice_key(sender))
            offered = json.loads(pending) if pending else []
            index = chosen(body, len(offered))
            if index is None or offered[index] not in assistant.answers:
                return None
            self.choices.delete(_choice_key(sender))
        except StateUnavailable as exc:
            log.error("Cannot read SMS 'did you mean' choices; the number is read as a question: %s", exc)
            return None
        return assistant.picked(offered[index])


def _choice_key(sender: str) -> str:
    return f"sms-choice:{sender}"
