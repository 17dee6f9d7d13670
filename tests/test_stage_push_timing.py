"""Stage content is pushed when the chat has gone quiet, never on top of a conversation, once, and
never in a phrasing that contradicts what the customer told us (油皮 customer, 干皮 content)."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest
from sqlalchemy import select

from handlers.tagging.pushes import JOB_NAME
from persona.loader import default_persona_path
from storage.models import StageEntry, SuppressedPush
from tests.harness import BotUnderTest, make_config

DAYTIME = 1_700_013_600  # Wed 2023-11-15 10:00 in Asia/Shanghai
DRY = "干皮姐妹亲测有效"  # the preset's stage.interested phrasing written for dry skin
PLAIN = "先补水再锁水"  # its other phrasing, for any skin


def pushes(wecom, ext: str) -> list[str]:
    return [t for t in wecom.customer_inbox(ext) if DRY in t or PLAIN in t]


@pytest.fixture
async def wanzi(db_url: str, wecom, clock) -> AsyncIterator[BotUnderTest]:
    clock.set(DAYTIME)
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    yield bot
    await bot.stop()


async def says(bot: BotUnderTest, wecom, ext: str, text: str) -> None:
    await wecom.customer_says(ext, text)
    await bot.drain()


async def test_a_stage_push_waits_while_the_customer_chats_and_goes_out_once_after_ten_quiet_minutes(
        wanzi, wecom, clock) -> None:
    await says(wanzi, wecom, "wmQuiet01", "保湿霜有推荐吗")  # → stage interested, mid-conversation
    assert len(wecom.customer_inbox("wmQuiet01")) == 1 and not pushes(wecom, "wmQuiet01")  # the answer only
    clock.advance(5 * 60)
    await wanzi.run_job(JOB_NAME)
    await says(wanzi, wecom, "wmQuiet01", "好的，谢谢")
    clock.advance(6 * 60)  # 11 minutes since the stage, 6 since the last words
    await wanzi.run_job(JOB_NAME)
    assert not pushes(wecom, "wmQuiet01")
    clock.advance(5 * 60)  # 11 quiet minutes
    await wanzi.run_job(JOB_NAME)
    assert len(pushes(wecom, "wmQuiet01")) == 1
    assert wecom.customer_inbox("wmQuiet01")[-1] == pushes(wecom, "wmQuiet01")[0]  # after the talk, not inside it
    clock.advance(3600)
    await wanzi.run_job(JOB_NAME)
    await says(wanzi, wecom, "wmQuiet01", "还是想要保湿")
    clock.advance(3 * 86_400)
    await wanzi.run_job(JOB_NAME)
    assert len(pushes(wecom, "wmQuiet01")) == 1  # once
    async with wanzi.sessions() as s:
        (entry,) = (await s.scalars(select(StageEntry).where(StageEntry.stage == "interested"))).all()
    assert entry.push == "queued"


async def test_a_waiting_stage_push_survives_a_restart(db_url: str, wecom, clock) -> None:
    clock.set(DAYTIME)
    config = make_config(db_url, wecom.base_url)
    first = await BotUnderTest.start(config, clock)
    wecom.connect(f"{first.url}/wecom/callback")
    await says(first, wecom, "wmRestart1", "想要保湿")
    await first.stop()  # nothing of the waiting push lives in the process
    clock.advance(11 * 60)
    second = await BotUnderTest.start(config, clock)
    wecom.connect(f"{second.url}/wecom/callback")
    try:
        await second.run_job(JOB_NAME)
        assert len(pushes(wecom, "wmRestart1")) == 1
    finally:
        await second.stop()


async def test_an_oily_skin_customer_never_gets_the_dry_skin_phrasing(wanzi, wecom, clock) -> None:
    customers = [f"wmOily{n:04d}" for n in range(6)]  # seeds vary the phrasing between customers
    for ext in customers:
        await says(wanzi, wecom, ext, "保湿霜适合油皮用吗")
    clock.advance(11 * 60)
    await wanzi.run_job(JOB_NAME)
    for ext in customers:
        (push,) = pushes(wecom, ext)
        assert PLAIN in push and "干皮" not in push


async def test_a_stage_whose_content_all_contradicts_the_customer_is_skipped_with_the_reason_recorded(
        db_url: str, wecom, clock, tmp_path: Path) -> None:
    text = default_persona_path("interest").read_text(encoding="utf-8")
    start = text.index("interested = [\n", text.index("[templates.stage]"))
    end = text.index("]\n", start) + 2
    dry = '"{address}，换季保湿三步法：温和洁面 → 补水精华 → 锁水面霜，' + DRY + '💧"'
    only_dry = f"{text[:start]}interested = [{dry}]\n{text[end:]}"
    mine = tmp_path / "dry_only.toml"
    mine.write_text(only_dry, encoding="utf-8")
    clock.set(DAYTIME)
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, persona={"path": str(mine)}), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        await says(bot, wecom, "wmOily0100", "保湿霜适合油皮用吗")
        await says(bot, wecom, "wmDry00100", "我是干皮，想要保湿")
        clock.advance(11 * 60)
        await bot.run_job(JOB_NAME)
        assert not pushes(wecom, "wmOily0100")
        assert len(pushes(wecom, "wmDry00100")) == 1  # the same content suits a dry-skin customer
        async with bot.sessions() as s:
            (dropped,) = (await s.scalars(select(SuppressedPush))).all()
            entries = {e.push for e in (await s.scalars(select(StageEntry).where(StageEntry.stage == "interested")))}
        assert (dropped.template_key, dropped.reason) == ("stage.interested", "contradicts")
        assert entries == {"suppressed:contradicts", "queued"}
    finally:
        await bot.stop()
