"""A kf pull cursor WeCom no longer accepts (expired, or lost with a restored database) must not
stall the chat forever: the pull starts afresh and every message is still answered exactly once."""

from __future__ import annotations

import logging

import pytest

from storage.models import KfCursor
from tests.harness import BotUnderTest

KF = "wkWanziDemoKf01"


async def test_a_refused_cursor_is_dropped_and_nothing_is_answered_twice(
        wanzi: BotUnderTest, wecom, caplog: pytest.LogCaptureFixture) -> None:
    await wecom.customer_says("wmCurBad01", "你好")
    await wanzi.drain()
    assert len(wecom.customer_inbox("wmCurBad01")) == 1
    async with wanzi.sessions.begin() as s:
        (await s.get(KfCursor, KF)).cursor = "cursorWeComForgot"  # the emulator refuses it (50100)

    with caplog.at_level(logging.WARNING, logger="bot.kf"):
        await wecom.customer_says("wmCurBad01", "谢谢")
        await wanzi.drain()

    replies = wecom.customer_inbox("wmCurBad01")
    assert len(replies) == 2, replies  # the new message answered, the old one not again
    assert [c.errcode for c in wecom.calls("kf/sync_msg")][-2:] == [50100, 0]
    assert wecom.calls("kf/sync_msg")[-1].body["cursor"] == ""
    assert any("refused the stored cursor" in r.getMessage() for r in caplog.records)
    async with wanzi.sessions() as s:
        assert (await s.get(KfCursor, KF)).cursor not in ("", "cursorWeComForgot")

    await wecom.customer_says("wmCurBad01", "拜拜")  # and the next pull goes on from the new cursor
    await wanzi.drain()
    assert len(wecom.customer_inbox("wmCurBad01")) == 3
    assert wecom.calls("kf/sync_msg")[-1].body["cursor"] not in ("", "cursorWeComForgot")
