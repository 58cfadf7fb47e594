"""The assistant a running server answers with, swapped in one step when the knowledge base is reloaded.

Requests read `holder.assistant` once and keep that object to the end, so a request in flight
finishes on the index it started with and none ever sees half of a new one.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

from chatbot.answering.assistant import Assistant
from chatbot.errors import ChatbotError

log = logging.getLogger("chatbot")


class AssistantHolder:
    def __init__(
        self,
        load: Callable[[], Assistant],
        *,
        first: Callable[[], Assistant] | None = None,
        on_reload: Callable[[str], None] = lambda outcome: None,
    ):
        """
        Args:
            load: makes an assistant from what is on disk now (every reload).
            first: makes the first one, if that may differ (a start may fall back to the last good knowledge base).
            on_reload: told "ok" or "refused" after each reload (the metrics count them).
        """
        self._load = load
        self._first = first or load
        self._on_reload = on_reload
        self.assistant: Assistant | None = None
        self.error: str | None = None
        self._lock = threading.Lock()

    def load_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self._load_now, name="chatbot-load", daemon=True)
        thread.start()
        return thread

    def _load_now(self) -> None:
        # Under the lock: a reload asked for while the first load runs waits for it, then loads what is
        # newest, so the slower first load can never replace a newer assistant with an older one.
        with self._lock:
            self._load_first()

    def _load_first(self) -> None:
        try:
            self.assistant = self._first()
            log.info(
                "ready: %d entries, knowledge base %s",
                len(self.assistant.kb.entries),
                self.assistant.kb.fingerprint[:12],
            )
        except Exception as exc:
            self.error = str(exc)
            log.error("cannot start answering: %s", exc)

    def reload(self) -> Assistant:
        """Load a new assistant beside the current one and swap it in; the old one serves until then.

        Raises whatever loading raises, with the current assistant untouched (and says so in the log).
        """
        with self._lock:
            try:
                fresh = self._load()
            except Exception as exc:
                serving = f"knowledge base {self.assistant.kb.fingerprint[:12]}" if self.assistant else "nothing yet"
                log.error(
                    "reload refused, still answering with %s: %s",
                    serving,
                    exc,
                    exc_info=not isinstance(exc, ChatbotError),
                )
                self._on_reload("refused")
                raise
            self.assistant = fresh
            self._on_reload("ok")
            self.error = None
            log.info("reloaded: %d entries, knowledge base %s", len(fresh.kb.entries), fresh.kb.fingerprint[:12])
            return fresh

    def reload_in_background(self) -> threading.Thread:
        """Reload in a worker thread (for SIGHUP: a signal handler must not build an index); failures are logged."""

        def run() -> None:
            with contextlib.suppress(Exception):  # `reload` has logged it
                self.reload()

        thread = threading.Thread(target=run, name="chatbot-reload", daemon=True)
        thread.start()
        return thread
