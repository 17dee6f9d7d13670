"""The metrics' kept children (bot/metrics.py `Children`): each label set still counts on its own
series, and what /metrics exports is what was counted, whichever way a child was reached."""

from __future__ import annotations

from bot.metrics import Metrics


def _value(metrics: Metrics, line: str) -> float:
    for row in metrics.render().decode().splitlines():
        if row.startswith(line + " "):
            return float(row.rsplit(" ", 1)[1])
    raise AssertionError(f"{line} not exported")


def test_each_label_set_counts_on_its_own_series() -> None:
    metrics = Metrics()
    for _ in range(3):
        metrics.callbacks_of("text", "accepted").inc()
    metrics.callbacks_of("text", "duplicate").inc()
    metrics.callbacks_of("friend_added", "accepted").inc()
    metrics.callbacks.labels("text", "accepted").inc()  # the metric's own lookup reaches the same child
    assert _value(metrics, 'wanzi_callbacks_total{kind="text",outcome="accepted"}') == 4
    assert _value(metrics, 'wanzi_callbacks_total{kind="text",outcome="duplicate"}') == 1
    assert _value(metrics, 'wanzi_callbacks_total{kind="friend_added",outcome="accepted"}') == 1
    assert metrics.callbacks_of("text", "accepted") is metrics.callbacks_of("text", "accepted")


def test_every_kept_family_exports_what_was_counted() -> None:
    metrics = Metrics()
    metrics.events_processed_of("text", "done").inc()
    metrics.outbox_sent_of("kf/send_msg").inc(2)
    metrics.api_errors_of("kf/send_msg", "45009").inc()
    metrics.outbox_depth_of("pending").set(7)
    metrics.outbox_depth_of("pending").set(5)  # a gauge keeps the last value
    assert _value(metrics, 'wanzi_events_processed_total{kind="text",outcome="done"}') == 1
    assert _value(metrics, 'wanzi_outbox_sent_total{api="kf/send_msg"}') == 2
    assert _value(metrics, 'wanzi_wecom_api_errors_total{api="kf/send_msg",errcode="45009"}') == 1
    assert _value(metrics, 'wanzi_outbox_depth{status="pending"}') == 5


def test_two_apps_count_apart() -> None:
    first, second = Metrics(), Metrics()
    first.callbacks_of("text", "accepted").inc()
    assert _value(first, 'wanzi_callbacks_total{kind="text",outcome="accepted"}') == 1
    assert 'kind="text"' not in second.render().decode()
