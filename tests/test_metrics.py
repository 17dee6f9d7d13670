"""/metrics counts per label as before when the hot paths keep their metric children (bot/metrics.py
`Children`): each label set is its own series, counted on every event, and rendered as prometheus_client
renders children made by `labels()`."""

from __future__ import annotations

from bot.metrics import Metrics


def sample(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_each_label_set_is_counted_apart_and_every_time() -> None:
    metrics = Metrics()
    for _ in range(3):
        metrics.callback("text", "accepted").inc()
    metrics.callback("text", "duplicate").inc()
    metrics.callback("friend_added", "accepted").inc()
    metrics.event_processed("text", "done").inc()
    metrics.sent("message/send").inc()
    metrics.api_error("message/send", "45009").inc()
    metrics.api_error("message/send", "45009").inc()
    assert sample(metrics, "wanzi_callbacks_total", kind="text", outcome="accepted") == 3
    assert sample(metrics, "wanzi_callbacks_total", kind="text", outcome="duplicate") == 1
    assert sample(metrics, "wanzi_callbacks_total", kind="friend_added", outcome="accepted") == 1
    assert sample(metrics, "wanzi_events_processed_total", kind="text", outcome="done") == 1
    assert sample(metrics, "wanzi_outbox_sent_total", api="message/send") == 1
    assert sample(metrics, "wanzi_wecom_api_errors_total", api="message/send", errcode="45009") == 2


def test_a_cached_child_and_labels_count_into_the_same_series() -> None:
    metrics = Metrics()
    metrics.callback("text", "accepted").inc()
    metrics.callbacks.labels("text", "accepted").inc()  # elsewhere, without the cache
    metrics.callback("text", "accepted").inc()
    assert sample(metrics, "wanzi_callbacks_total", kind="text", outcome="accepted") == 3
    assert metrics.render().count(b'wanzi_callbacks_total{kind="text",outcome="accepted"}') == 1
