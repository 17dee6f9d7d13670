"""Prometheus metrics, one registry per app (no process globals), served at GET /metrics."""

from __future__ import annotations

from typing import Generic, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST

M = TypeVar("M", Counter, Gauge)


class Children(Generic[M]):
    """A labelled metric's children, each looked up once: `labels(...)` validates the values, builds a
    key and takes the metric's lock on every call (once or twice per callback, event and send).
    Children are never removed here, so a kept child stays the one the registry exports."""

    __slots__ = ("metric", "_kept")

    def __init__(self, metric: M) -> None:
        self.metric: M = metric
        self._kept: dict[tuple[str, ...], M] = {}

    def __call__(self, *values: str) -> M:
        try:
            return self._kept[values]
        except KeyError:
            child: M = self.metric.labels(*values)
            self._kept[values] = child
            return child


class Metrics:
    def __init__(self) -> None:
        disable_created_metrics()  # *_created series only add noise to dashboards
        self.registry = CollectorRegistry(auto_describe=True)
        self.callbacks = Counter("wanzi_callbacks_total", "Callbacks received, by event kind and outcome",
                                 ["kind", "outcome"], registry=self.registry)
        self.ack_latency = Histogram("wanzi_callback_ack_seconds", "Time from request to ack",
                                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
                                     registry=self.registry)
        self.outbox_depth = Gauge("wanzi_outbox_depth", "Outbox rows by status", ["status"], registry=self.registry)
        self.rejections_unlogged = Counter("wanzi_callback_rejections_unlogged_total",
                                           "Rejected callbacks left out of the log (over the per-minute budget)",
                                           registry=self.registry)
        self.api_errors = Counter("wanzi_wecom_api_errors_total", "WeCom API errors by api and errcode",
                                  ["api", "errcode"], registry=self.registry)
        self.outbox_sent = Counter("wanzi_outbox_sent_total", "Outbox rows delivered, by api", ["api"],
                                   registry=self.registry)
        self.events_processed = Counter("wanzi_events_processed_total", "Inbound events processed by kind and outcome",
                                        ["kind", "outcome"], registry=self.registry)
        # The optional LLM backend (bot/llm.py): every call, its tokens and time, every embedded fallback.
        self.llm_calls = Counter("wanzi_llm_calls_total", "LLM calls by outcome (answered, rejected, timeout, "
                                 "http, bad_response)", ["outcome"], registry=self.registry)
        self.llm_tokens = Counter("wanzi_llm_tokens_total", "LLM tokens used, by kind (prompt, completion)",
                                  ["kind"], registry=self.registry)
        self.llm_fallbacks = Counter("wanzi_llm_fallbacks_total", "Model-eligible messages the embedded path "
                                     "answered instead, by reason", ["reason"], registry=self.registry)
        self.llm_latency = Histogram("wanzi_llm_latency_seconds", "Time of one LLM call (answered or not)",
                                     buckets=(0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60), registry=self.registry)

        # the hot paths' children, kept (per callback, event processed, row sent, API error)
        self.callbacks_of = Children(self.callbacks)
        self.events_processed_of = Children(self.events_processed)
        self.outbox_sent_of = Children(self.outbox_sent)
        self.api_errors_of = Children(self.api_errors)
        self.outbox_depth_of = Children(self.outbox_depth)

    def render(self) -> bytes:
        return generate_latest(self.registry)
