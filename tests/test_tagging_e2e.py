"""Tagging from chat through the emulator: rules → tags in WeCom → stage → the stage's content once
(when the chat has gone quiet), and staff changes made in WeCom read back."""

from __future__ import annotations

from typing import AsyncIterator

import pytest
from sqlalchemy import select

from handlers.tagging.pushes import JOB_NAME
from storage.models import Customer, StageEntry, SuppressedPush, Tag
from storage.repos import TagRepo
from tests.harness import BotUnderTest, make_config

DAYTIME = 1_700_013_600  # Wed 2023-11-15 10:00 in Asia/Shanghai
NIGHT = 1_700_060_400  # Wed 2023-11-15 23:00 in Asia/Shanghai, inside the persona's quiet hours


@pytest.fixture
async def wanzi(db_url: str, wecom, clock) -> AsyncIterator[BotUnderTest]:
    clock.set(DAYTIME)
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, channels={"spring_sale": {
        "tags": ["渠道:春日焕新"], "stage": "new"}}), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    yield bot
    await bot.stop()


async def local_tags(bot: BotUnderTest, external_userid: str) -> list[str]:
    async with bot.sessions() as s:
        row = await s.scalar(select(Customer).where(Customer.external_userid == external_userid))
        assert row is not None
        return [f"{t.group_name}:{t.name}" for t in await TagRepo(s).of_customer(row.id)]


async def chat_goes_quiet(bot: BotUnderTest, clock, minutes: int = 11) -> None:
    """Nobody writes for a while; the minutely job sends stage content that waited for this."""
    clock.advance(minutes * 60)
    await bot.run_job(JOB_NAME)


async def befriend(bot: BotUnderTest, wecom, external_userid: str) -> None:
    await wecom.add_friend("zhang.wei", external_userid, state="spring_sale")
    await bot.drain()


async def test_a_dry_skin_customer_asking_for_moisture_gets_interest_tags_and_a_stage_push(wanzi, wecom,
                                                                                          clock) -> None:
    await befriend(wanzi, wecom, "wmDry01")
    await wecom.customer_says("wmDry01", "我是干皮,想要保湿")
    await wanzi.drain()
    assert len(wecom.customer_inbox("wmDry01")) == 2  # the welcome and the answer; the push waits for quiet
    await chat_goes_quiet(wanzi, clock)
    assert {"肤质:干皮", "兴趣:保湿补水", "阶段:种草期"} <= set(await local_tags(wanzi, "wmDry01"))
    assert "阶段:新朋友" not in await local_tags(wanzi, "wmDry01")  # one stage tag at a time
    in_wecom = wecom.customer_tags("zhang.wei", "wmDry01")
    assert {"干皮", "保湿补水", "种草期"} <= set(in_wecom) and "新朋友" not in in_wecom
    answer, push = wecom.customer_inbox("wmDry01")[1:]  # after the welcome
    assert "干皮" in answer and "保湿补水" in answer  # the persona acknowledges what it heard
    assert "保湿" in push
    (send,) = [c for c in wecom.calls("kf/send_msg") if c.body["text"]["content"] == push]
    assert send.ok


async def test_the_stage_content_is_pushed_once_however_often_the_customer_repeats_it(wanzi, wecom, clock) -> None:
    await befriend(wanzi, wecom, "wmDry01")
    for text in ("我是干皮,想要保湿", "补水面膜有推荐吗", "还是想要保湿"):
        await wecom.customer_says("wmDry01", text)
        await wanzi.drain()
        await chat_goes_quiet(wanzi, clock)
        clock.advance(3 * 86_400)  # days apart: no cap is in the way
    async with wanzi.sessions() as s:
        entries = (await s.scalars(select(StageEntry).where(StageEntry.stage == "interested"))).all()
    assert [e.push for e in entries] == ["queued"]
    inbox = wecom.customer_inbox("wmDry01")
    assert len(inbox) == 1 + 3 + 1  # the welcome, an answer to each message, the stage content once
    assert len([t for t in inbox if "先补水再锁水" in t or "换季保湿三步法" in t]) == 1


async def test_a_push_at_night_waits_for_the_end_of_quiet_hours(wanzi, wecom, clock) -> None:
    await befriend(wanzi, wecom, "wmNight01")
    clock.set(NIGHT)
    await wecom.customer_says("wmNight01", "想要保湿")
    await wanzi.drain()
    assert len(wecom.customer_inbox("wmNight01")) == 2  # welcome + the answer: answers are never held back
    await chat_goes_quiet(wanzi, clock)  # 23:11: quiet, but inside the quiet hours
    assert len(wecom.customer_inbox("wmNight01")) == 2
    clock.set(NIGHT + 9 * 3600 - 60)  # 07:59 next morning
    await wanzi.drain()
    assert len(wecom.customer_inbox("wmNight01")) == 2
    clock.advance(61)  # 08:00
    await wanzi.drain()
    assert len(wecom.customer_inbox("wmNight01")) == 3
    assert "保湿" in wecom.customer_inbox("wmNight01")[-1]


async def test_a_second_stage_the_same_day_is_deferred_by_the_daily_cap(wanzi, wecom, clock) -> None:
    await befriend(wanzi, wecom, "wmCap01")
    await wecom.customer_says("wmCap01", "想要保湿")
    await wanzi.drain()
    await wecom.customer_says("wmCap01", "这个多少钱")  # → considering: a second push today
    await wanzi.drain()
    await chat_goes_quiet(wanzi, clock)
    assert len(wecom.customer_inbox("wmCap01")) == 4  # welcome, answer, answer, the first stage's push
    await chat_goes_quiet(wanzi, clock)  # the second waited for quiet after the first; now the cap defers it
    assert len(wecom.customer_inbox("wmCap01")) == 4
    clock.set(DAYTIME + 22 * 3600)  # 08:00 the next day
    await wecom.customer_says("wmCap01", "好的")  # keeps the kf window open
    await wanzi.drain()
    assert any("满199减30" in t for t in wecom.customer_inbox("wmCap01")[-2:])


async def test_the_rule_needing_two_mentions_in_a_week_fires_on_the_second(wanzi, wecom, clock) -> None:
    await befriend(wanzi, wecom, "wmLead01")
    await wecom.customer_says("wmLead01", "怎么买")
    await wanzi.drain()
    assert "价值:高意向" not in await local_tags(wanzi, "wmLead01")
    clock.advance(2 * 86_400)
    await wecom.customer_says("wmLead01", "下单链接发我")
    await wanzi.drain()
    assert "价值:高意向" in await local_tags(wanzi, "wmLead01")
    assert "高意向" in wecom.customer_tags("zhang.wei", "wmLead01")


async def test_a_customer_who_opted_out_gets_answers_but_no_pushes(wanzi, wecom, clock) -> None:
    await befriend(wanzi, wecom, "wmTD01")
    await wecom.customer_says("wmTD01", "TD")
    await wecom.customer_says("wmTD01", "我是干皮,想要保湿")
    await wanzi.drain()
    await chat_goes_quiet(wanzi, clock)
    welcome, opt_out_ack, answer = wecom.customer_inbox("wmTD01")
    assert "关闭" in opt_out_ack and "保湿补水" in answer
    async with wanzi.sessions() as s:
        (dropped,) = (await s.scalars(select(SuppressedPush))).all()
    assert (dropped.template_key, dropped.reason) == ("stage.interested", "opted_out")


async def test_tags_staff_change_in_the_wecom_client_are_read_back(wanzi, wecom) -> None:
    await befriend(wanzi, wecom, "wmStaff01")
    await wecom.staff_edits_customer("zhang.wei", "wmStaff01", add_tags=["展会"], remove_tags=["春日焕新"])
    await wanzi.drain()
    tags = await local_tags(wanzi, "wmStaff01")
    assert "客户来源:展会" in tags and "渠道:春日焕新" not in tags
    (get,) = wecom.calls("externalcontact/get")
    assert get.query["external_userid"] == "wmStaff01"


async def test_a_corp_tag_deleted_or_renamed_by_staff_changes_the_local_tag_too(wanzi, wecom) -> None:
    await befriend(wanzi, wecom, "wmLib01")
    await wecom.admin_renames_tag("新朋友", "新客")
    await wecom.admin_deletes_tag("春日焕新")
    await wanzi.drain()
    assert await local_tags(wanzi, "wmLib01") == ["阶段:新客"]
    async with wanzi.sessions() as s:
        assert await s.scalar(select(Tag).where(Tag.name == "春日焕新")) is None
