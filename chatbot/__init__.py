"""The clinic's FAQ assistant: the clinic's own answer, word for word, or "please contact the office".

The public names are importable from here (`from chatbot import Settings, load_assistant`); each is
imported on first use (PEP 562), so `import chatbot` stays light and `chatbot ask` never loads FastAPI.

    from chatbot import Settings, load_assistant
    assistant = load_assistant(Settings())
    reply = assistant.ask("what does an infusion cost?")
    print(reply.kind, reply.answer)

Packages, by concern (each one's docstring says what it may import):
    answering/  the answering path, pure: normalise, safety, language, small talk, search, decide
    kb/         the knowledge base, the encoder, the index, the build, putting an assistant together
    storage/    unanswered questions and feedback, shared state, rate limits, redaction
    channels/   web (HTTP API and widget), sms (Twilio's webhook), terminal (the `chatbot` command)
    telemetry/  events and metrics
    quality/    evaluation, calibration, review, the redaction check
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Public name -> the module that defines it.
_PUBLIC = {
    "Settings": "chatbot.settings",
    "Kind": "chatbot.domain",
    "Reply": "chatbot.domain",
    "Entry": "chatbot.domain",
    "Messages": "chatbot.domain",
    "Thresholds": "chatbot.domain",
    "ChatbotError": "chatbot.errors",
    "KnowledgeError": "chatbot.errors",
    "Assistant": "chatbot.answering.assistant",
    "KnowledgeBase": "chatbot.kb.knowledge",
    "load_knowledge": "chatbot.kb.knowledge",
    "load_assistant": "chatbot.kb.startup",
    "build": "chatbot.kb.build",
    "create_app": "chatbot.channels.web.app",
}
# Names exported under another name than the one their module uses.
_RENAMED = {"load_knowledge": "load"}

__all__ = [  # spelled out, not computed from _PUBLIC, so that linters and IDEs can read it
    "Assistant",
    "ChatbotError",
    "Entry",
    "Kind",
    "KnowledgeBase",
    "KnowledgeError",
    "Messages",
    "Reply",
    "Settings",
    "Thresholds",
    "build",
    "create_app",
    "load_assistant",
    "load_knowledge",
]

if TYPE_CHECKING:
    from chatbot.answering.assistant import Assistant
    from chatbot.channels.web.app import create_app
    from chatbot.domain import Entry, Kind, Messages, Reply, Thresholds
    from chatbot.errors import ChatbotError, KnowledgeError
    from chatbot.kb.build import build
    from chatbot.kb.knowledge import KnowledgeBase
    from chatbot.kb.knowledge import load as load_knowledge
    from chatbot.kb.startup import load_assistant
    from chatbot.settings import Settings


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'chatbot' has no attribute {name!r}")
    value = getattr(import_module(_PUBLIC[name]), _RENAMED.get(name, name))
    globals()[name] = value  # the next lookup is a plain attribute, no call
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
