from __future__ import annotations

import threading

from chatbot.answering.assistant import Assistant
from chatbot.channels.web.holder import AssistantHolder


def test_a_reload_during_the_first_load_ends_with_the_newer_assistant(fake: Assistant) -> None:
    first_may_finish = threading.Event()
    newer = object()
    loads = iter([("first", fake), ("reload", newer)])

    def load() -> Assistant:
        which, assistant = next(loads)
        if which == "first":
            first_may_finish.wait(5)
        return assistant  # type: ignore[return-value]

    holder = AssistantHolder(load)
    first = holder.load_in_background()
    reload = holder.reload_in_background()
    first_may_finish.set()
    first.join(5)
    reload.join(5)
    assert holder.assistant is newer
