"""What `GET /metrics` reports, in Prometheus's text format.

Each app has its own `CollectorRegistry` (not prometheus-client's global one), so tests and
several apps in one process never count into each other. With several worker processes
(`chatbot serve --workers N`) every worker writes its counts to files in one folder
(prometheus-client's multiprocess mode: `chatbot serve` makes the folder, sets
PROMETHEUS_MULTIPROC_DIR before the workers start, and deletes it at the end), and a scrape of any
worker reports the sum over all of them. What the knowledge-base gauges say comes from the worker
that answers the scrape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

if TYPE_CHECKING:
    from chatbot.answering.assistant import Assistant

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's name for the shared folder
# Replies take milliseconds; the upper buckets catch a starved worker.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The counters one app keeps, and the knowledge base it answers from, read when scraped."""

    def __init__(self, current: Callable[[], Assistant | None], multiprocess_dir: str | None = None):
        """
        Args:
            current: returns the assistant answering now (None while it loads), so the knowledge
                base reported is always the one in service, reloads included.
            multiprocess_dir: the folder every worker's counts are written to (PROMETHEUS_MULTIPROC_DIR),
                when there are several; a scrape then sums them.
        """
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "chatbot_requests",
            "Questions replied to, by channel and kind of reply.",
            ["channel", "kind"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "chatbot_reply_seconds",
            "Time taken to reply to one question.",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.reloads = Counter(
            "chatbot_reloads",
            "Knowledge-base reloads asked for, by outcome (ok, refused).",
            ["outcome"],
            registry=self.registry,
        )
        self.sms_events = Counter(
            "chatbot_sms_events",
            "Texts that got no ordinary answer, by event: opt-out, opt-in, help, limit-notice, limited, "
            "emergency-over-limit, emergency-while-starting, signature-refused.",
            ["event"],
            registry=self.registry,
        )
        self._scraped = self.registry
        if multiprocess_dir:
            self._scraped = CollectorRegistry()
            MultiProcessCollector(self._scraped, path=multiprocess_dir)
        self._scraped.register(_KnowledgeCollector(current))

    def reloaded(self, outcome: str) -> None:
        self.reloads.labels(outcome).inc()

    def sms_event(self, event: str) -> None:
        self.sms_events.labels(event).inc()

    def observe(self, channel: str, kind: str, seconds: float) -> None:
        self.requests.labels(channel, kind).inc()
        self.latency.labels(channel).observe(seconds)

    def exposition(self) -> bytes:
        """Every metric in the text format Prometheus scrapes."""
        return generate_latest(self._scraped)


class _KnowledgeCollector:
    def __init__(self, current: Callable[[], Assistant | None]):
        self._current = current

    def collect(self) -> Iterator[Metric]:
        assistant = self._current()
        yield GaugeMetricFamily(
            "chatbot_ready", "1 once a knowledge base is loaded and answering.", value=int(assistant is not None)
        )
        if assistant is None:
            return
        info = InfoMetricFamily("chatbot_knowledge_base", "The knowledge base in service.")
        info.add_metric([], {"fingerprint": assistant.kb.fingerprint})
        yield info
        yield GaugeMetricFamily(
            "chatbot_knowledge_entries", "Entries in the knowledge base in service.", value=len(assistant.kb.entries)
        )
        yield GaugeMetricFamily(
            "chatbot_knowledge_stale",
            "1 while the last good knowledge base serves in place of an invalid one on disk.",
            value=int(bool(assistant.kb.problems_on_disk)),
        )
