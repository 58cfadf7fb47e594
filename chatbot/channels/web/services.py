"""What every route works with, in one typed object: `Services`, built once by `create_app` and handed to each
route by one dependency (`Wired`), as datasette hands each view its `Datasette`.

A route asks for what it needs by type: `services: Wired` for the wiring, `assistant: Answering` for the
assistant answering now (a 503 while it loads). Tests swap a part with `app.dependency_overrides[services]`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from chatbot.answering.assistant import Assistant
from chatbot.channels.sms.desk import SmsDesk, startup_warnings
from chatbot.channels.web.holder import AssistantHolder
from chatbot.domain import Messages
from chatbot.errors import AssistantStarting, ChatbotError, KnowledgeError
from chatbot.kb import knowledge
from chatbot.settings import Settings
from chatbot.storage.state import State, state_from_uri
from chatbot.storage.store import UnansweredStore, open_store
from chatbot.telemetry.events import Recorder
from chatbot.telemetry.metrics import Metrics

log = logging.getLogger("chatbot")


@dataclass(frozen=True)
class Services:
    """One app's parts: the assistant holder, what is recorded, the SMS desk, and what they stand on."""

    settings: Settings
    holder: AssistantHolder  # the assistant answering now, swapped whole on reload
    metrics: Metrics
    recorder: Recorder  # every channel's replies: the log line, the metrics, the unanswered store
    unanswered: UnansweredStore  # closed when the app stops
    # What replicas must agree on beyond rate counts (the SMS replies already sent, by MessageSid; pending "did you
    # mean" choices): in Redis when CHATBOT_LIMITS_STORAGE names one.
    shared: State
    sms: SmsDesk
    # The office's messages, read when the app is built, for what must be said before the assistant has loaded:
    # an emergency texted while the index still loads, the widget's words for when it cannot reach us.
    early_messages: Messages | None

    @classmethod
    def build(
        cls, settings: Settings, load: Callable[[], Assistant] | None = None, metrics_dir: str | None = None
    ) -> Services:
        """The parts `settings` describe. `load` makes the assistant (tests pass their own); by default it comes
        from `settings`. `metrics_dir`: the folder where every worker process writes its metrics."""
        first = None
        if load is None:
            from chatbot.kb.startup import load_assistant

            def load() -> Assistant:
                return load_assistant(settings)

            def first() -> Assistant:
                return load_assistant(settings, last_good=True)

        metrics = Metrics(lambda: holder.assistant, metrics_dir)
        holder = AssistantHolder(load, first=first, on_reload=metrics.reloaded)
        unanswered = open_store(settings.database_url, settings.var_dir, settings.retention_days)
        shared = state_from_uri(settings.limits_storage)
        early_messages = _office_messages(settings)
        for warning in startup_warnings(settings):
            log.warning(warning)
        return cls(
            settings=settings,
            holder=holder,
            metrics=metrics,
            recorder=Recorder(metrics, unanswered),
            unanswered=unanswered,
            shared=shared,
            sms=SmsDesk.from_settings(settings, shared, early_messages),
            early_messages=early_messages,
        )

    def messages(self) -> Messages | None:
        """The office's messages now: the loaded assistant's (a reload's included), else those read at the start."""
        assistant = self.holder.assistant
        return assistant.messages if assistant is not None else self.early_messages


# Both dependencies are `async def`: FastAPI runs a plain `def` one in the thread pool, a hop per request that
# `POST /v1/ask` (answered inline on the event loop) would pay twice.
async def services(request: Request) -> Services:
    """The app's `Services` (the one dependency every route reaches them by)."""
    wired: Services = request.app.state.services
    return wired


Wired = Annotated[Services, Depends(services)]


async def current_assistant(services: Wired) -> Assistant:
    """The assistant answering now; a request keeps it to the end, so a reload never changes it halfway.

    Raises:
        AssistantStarting: nothing is loaded yet (the app answers 503).
    """
    assistant = services.holder.assistant
    if assistant is None:
        raise AssistantStarting()
    return assistant


Answering = Annotated[Assistant, Depends(current_assistant)]


def _office_messages(settings: Settings) -> Messages | None:
    """The office's messages, read at once so an emergency texted while the index still loads gets
    its reply: from the last good knowledge base if the one on disk is invalid (as the load in the
    background will serve, and say loudly); None if there is none."""
    from chatbot.kb.startup import last_good_knowledge

    try:
        kb = knowledge.load(settings.knowledge_dir)
    except KnowledgeError as invalid:
        kept = last_good_knowledge(settings.index_dir, invalid)
        return None if kept is None else knowledge.fill(kept.messages, settings.office_phone)
    except ChatbotError:
        return None
    return knowledge.fill(kb.messages, settings.office_phone)
