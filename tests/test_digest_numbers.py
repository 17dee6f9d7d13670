"""The digest's numbers against a month played through the emulator and counted by hand."""

from __future__ import annotations

import pytest

from digest import Breakdown, build_digest, default_registry
from tests.digest_scenario import (D, EXPECTED, EXPECTED_AVERAGE7, EXPECTED_BREAKDOWNS, EXPECTED_PREVIOUS,
                                   play)


async def test_the_digest_of_a_played_month_matches_the_hand_count(wanzi, wecom, clock) -> None:
    await play(wanzi, wecom, clock)
    async with wanzi.sessions() as s:
        digest = await build_digest(s, D, "Asia/Shanghai", now=clock.now())
    assert digest.complete
    for key, expected in EXPECTED.items():
        assert digest.value(key) == pytest.approx(expected), key
    for key, items in EXPECTED_BREAKDOWNS.items():
        assert digest.value(key) == Breakdown(items), key
    for key, expected in EXPECTED_PREVIOUS.items():
        assert digest.line(key).previous == pytest.approx(expected), key
    for key, expected in EXPECTED_AVERAGE7.items():
        assert digest.line(key).average7 == pytest.approx(expected), key
    assert digest.line("growth.new_friends").change == 1


async def test_metrics_without_a_source_yet_are_pending_not_zero(wanzi, wecom, clock) -> None:
    await play(wanzi, wecom, clock)
    async with wanzi.sessions() as s:
        digest = await build_digest(s, D, "Asia/Shanghai", now=clock.now())
    registry = default_registry()
    pending = [m.key for m in registry.metrics if registry.pending_reason(m.key)]
    assert {"service.unanswered", "service.escalations_opened", "service.first_response_p90",
            "activity.checkin_rate", "value.points_issued", "outreach.pushes_suppressed"} <= set(pending)
    for key in pending:
        line = digest.line(key)
        assert line.value is None and line.previous is None and line.average7 is None and not line.tracked
