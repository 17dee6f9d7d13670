"""At WeCom's welcome ceiling a log line per callback is 10,000 lines a minute: at INFO the accepted
callbacks are summed up in one line per spell; DEBUG (or `callback_summary_s = 0`) keeps a line each."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

import pytest

from bot.clock import FakeClock
from emulator import Emulator
from tests.harness import BotUnderTest, make_config

NOTICE = ("<xml><ToUserName><![CDATA[ww]]></ToUserName><CreateTime>1700000000</CreateTime>"
          "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event>"
          "<Token><![CDATA[ENCTOKEN01]]></Token><OpenKfId><![CDATA[wkWanziDemoKf01]]></OpenKfId></xml>")


async def start(db_url: str, wecom: Emulator, **log: object) -> BotUnderTest:
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, log=dict(log)), FakeClock(1_700_000_000))
    wecom.connect(f"{bot.url}/wecom/callback")
    return bot


@asynccontextmanager
async def running(db_url: str, wecom: Emulator, caplog: pytest.LogCaptureFixture, **log: object) -> AsyncIterator[None]:
    """The bot with these [log] settings, its log captured at INFO; stopped (its last line flushed) after."""
    bot = await start(db_url, wecom, **log)
    try:
        with caplog.at_level(logging.INFO):
            yield
    finally:
        await bot.stop()


def lines(caplog: pytest.LogCaptureFixture, message: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.server" and r.getMessage() == message]


async def test_at_info_callbacks_are_summed_up_in_one_line_with_their_kinds(
        sqlite_url: str, wecom: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    async with running(sqlite_url, wecom, caplog, callback_summary_s=1.0):
        await wecom.customer_says("wmLogSum01", "在吗")
        await wecom.customer_says("wmLogSum02", "你好")
        await wecom.add_friend("zhang.wei", "wmLogSum03")
        for _ in range(2):  # WeCom's resend of one notice: stored once, counted as a repeat
            await wecom.deliver(NOTICE.replace("ENCTOKEN01", "ENCTOKEN99"))
        assert not lines(caplog, "callback accepted")  # nothing per callback at INFO
        for _ in range(100):  # the spell's line, written by its timer (not the shutdown's flush)
            if lines(caplog, "callbacks accepted"):
                break
            await asyncio.sleep(0.05)
        summaries = [vars(r) for r in lines(caplog, "callbacks accepted")]
    assert summaries  # a slow machine may split the five callbacks over two spells: the sums hold either way
    assert sum(f["accepted"] for f in summaries) == 4 and sum(f["duplicates"] for f in summaries) == 1
    if len(summaries) == 1:
        assert summaries[0]["kinds"] == "friend_added=1 kf_notified=3"
    assert "wmLogSum" not in str(summaries)  # counts, never who


async def test_the_last_spell_is_written_at_shutdown(
        sqlite_url: str, wecom: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    bot = await start(sqlite_url, wecom)  # the default: one line a minute
    with caplog.at_level(logging.INFO):
        await wecom.customer_says("wmLogSum04", "在吗")
        assert not lines(caplog, "callbacks accepted")
        await bot.stop()
    (summary,) = lines(caplog, "callbacks accepted")
    assert vars(summary)["accepted"] == 1


async def test_with_no_summary_each_callback_keeps_its_own_info_line(
        sqlite_url: str, wecom: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    async with running(sqlite_url, wecom, caplog, callback_summary_s=0):
        await wecom.customer_says("wmLogSum05", "在吗")
        await wecom.deliver(NOTICE)
        await wecom.deliver(NOTICE)
    assert len(lines(caplog, "callback accepted")) == 2
    assert len(lines(caplog, "duplicate callback ignored")) == 1
    assert not lines(caplog, "callbacks accepted")
