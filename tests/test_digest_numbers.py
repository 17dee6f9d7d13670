"""The digest's numbers against a month played through the emulator and counted by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from bot.digest_metrics import Metric, Provider, Registry, Window
from handlers.digest.build import build_digest
from handlers.digest.registry import default_registry
from handlers.replies.keywords import top_keywords
from tests.digest_scenario import (
    EXPECTED,
    EXPECTED_AVERAGE7,
    EXPECTED_BREAKDOWNS,
    EXPECTED_PREVIOUS,
    D,
    assert_digest_matches,
    play,
)


async def test_the_digest_of_a_played_month_matches_the_hand_count(wanzi, wecom, clock) -> None:
    await play(wanzi, wecom, clock)
    async with wanzi.sessions() as s:
        digest = await build_digest(s, D, "Asia/Shanghai", now=clock.now())
    assert_digest_matches(digest, EXPECTED, EXPECTED_BREAKDOWNS, EXPECTED_PREVIOUS, EXPECTED_AVERAGE7)
    assert digest.line("growth.new_friends").change == 1


async def test_a_metric_without_a_source_yet_is_pending_not_zero(wanzi, wecom, clock) -> None:
    await play(wanzi, wecom, clock)
    later = Provider("later", (Metric("value.koc_score", "KOC", "value"),), pending="the KOC score")
    registry = Registry((*default_registry().providers, later))
    assert not [m.key for m in default_registry().metrics if default_registry().pending_reason(m.key)]
    async with wanzi.sessions() as s:
        digest = await build_digest(s, D, "Asia/Shanghai", now=clock.now(), registry=registry)
    line = digest.line("value.koc_score")
    assert line.value is None and line.previous is None and line.average7 is None and not line.tracked


def test_a_day_is_the_span_between_two_local_midnights() -> None:
    shanghai = Window.of(date(2024, 3, 20), "Asia/Shanghai")
    assert shanghai.start == datetime(2024, 3, 19, 16, tzinfo=timezone.utc)
    assert shanghai.end - shanghai.start == timedelta(hours=24)
    spring_forward = Window.of(date(2024, 3, 10), "America/New_York")
    assert spring_forward.end - spring_forward.start == timedelta(hours=23)
    assert spring_forward.shift(1).start == spring_forward.end


def test_keywords_weigh_how_many_messages_mention_a_word() -> None:
    ranked = top_keywords([("面霜适合干皮吗", 5), ("请问面霜多少钱", 3), ("你好", 40), ("哈哈哈", 9),
                           ("快递什么时候发货", 2)], limit=3)
    assert ranked[0] == ("面霜", 8)
    assert "你好" not in dict(ranked) and "哈哈哈" not in dict(ranked)


def test_a_registry_refuses_a_metric_twice_and_a_slot_with_both_states() -> None:
    m = Metric("x.y", "X", "growth")

    async def compute(session, window):
        return {}

    with pytest.raises(ValueError, match="provided twice"):
        Registry((Provider("a", (m,), compute=compute), Provider("b", (m,), pending="later")))
    with pytest.raises(ValueError, match="exactly one"):
        Provider("c", (m,), compute=compute, pending="later")
