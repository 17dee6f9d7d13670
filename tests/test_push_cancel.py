"""A push that waits (quiet hours, caps) is re-checked by the gate when it is due: opting out or
leaving in between cancels it (the digest sees why), quiet hours and caps hold it back again, and no
push is queued without the gate's admission."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.outbox import Outbox, PushAdmission
from storage.models import OutboxItem, SuppressedPush
from storage.repos import CustomerRepo


async def test_a_deferred_push_is_cancelled_after_the_customer_opts_out(wanzi, wecom, clock) -> None:
    await wecom.customer_says("wmLater01", "你好")
    await wanzi.drain()
    async with wanzi.sessions.begin() as s:
        customer = await CustomerRepo(s).find("wmLater01")
        assert customer is not None
        admitted = PushAdmission(customer.id, "kf", clock.now() + timedelta(hours=1))  # deferred by the gate
        Outbox(s, clock).push_kf(admitted, "wkWanziDemoKf01", customer, "周末福利来啦～")
    await wecom.customer_says("wmLater01", "退订")
    await wanzi.drain()
    answers_before = len(wecom.customer_inbox("wmLater01"))
    clock.advance(2 * 3600)
    await wanzi.drain()
    assert len(wecom.customer_inbox("wmLater01")) == answers_before  # the push never left
    assert "周末福利来啦～" not in wecom.customer_inbox("wmLater01")
    async with wanzi.sessions() as s:
        push = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "push"))).one()
        suppressed = (await s.scalars(select(SuppressedPush))).all()
    assert push.status == "cancelled" and "opted_out" in push.last_error
    assert [r.reason for r in suppressed] == ["opted_out"]


async def test_a_deferred_push_still_goes_to_a_subscribed_customer(wanzi, wecom, clock) -> None:
    await wecom.customer_says("wmLater02", "你好")
    await wanzi.drain()
    async with wanzi.sessions.begin() as s:
        customer = await CustomerRepo(s).find("wmLater02")
        assert customer is not None
        admitted = PushAdmission(customer.id, "kf", clock.now() + timedelta(hours=1))  # deferred by the gate
        Outbox(s, clock).push_kf(admitted, "wkWanziDemoKf01", customer, "周末福利来啦～")
    clock.advance(2 * 3600)
    await wanzi.drain()
    assert wecom.customer_inbox("wmLater02")[-1] == "周末福利来啦～"


SH = ZoneInfo("Asia/Shanghai")


def local(clock, day: int, hour: int, minute: int = 0) -> None:
    clock.set(datetime(2026, 3, day, hour, minute, tzinfo=SH).timestamp())


async def queue_push(wanzi, clock, ext: str, text: str, due: datetime) -> None:
    async with wanzi.sessions.begin() as s:
        customer = await CustomerRepo(s).find(ext)
        assert customer is not None
        Outbox(s, clock).push_kf(PushAdmission(customer.id, "kf", due), "wkWanziDemoKf01", customer, text)


async def test_a_push_that_comes_due_in_quiet_hours_waits_for_their_end(wanzi, wecom, clock) -> None:
    local(clock, 10, 20)
    await wecom.customer_says("wmNight01", "你好")
    await wanzi.drain()
    await queue_push(wanzi, clock, "wmNight01", "今晚直播预告", clock.now() + timedelta(minutes=90))  # 21:30
    local(clock, 10, 22, 30)  # the worker only gets to it after 22:00 (a backlog, a restart)
    await wanzi.drain()
    assert "今晚直播预告" not in wecom.customer_inbox("wmNight01")
    async with wanzi.sessions() as s:
        push = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "push"))).one()
    assert push.status == "pending" and push.due_at == datetime(2026, 3, 11, 8, 0, tzinfo=SH)
    local(clock, 11, 8, 1)
    await wanzi.drain()
    assert wecom.customer_inbox("wmNight01")[-1] == "今晚直播预告"


async def test_a_push_over_the_daily_cap_at_delivery_moves_to_the_next_day(wanzi, wecom, clock) -> None:
    local(clock, 10, 10)  # the interest persona allows one push a day
    await wecom.customer_says("wmTwice01", "你好")
    await wanzi.drain()
    for text in ("第一条推送", "第二条推送"):  # two planners raced: both were admitted for today
        await queue_push(wanzi, clock, "wmTwice01", text, clock.now())
    await wanzi.drain()
    inbox = wecom.customer_inbox("wmTwice01")
    assert "第一条推送" in inbox and "第二条推送" not in inbox
    async with wanzi.sessions() as s:
        later = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "push",
                                                          OutboxItem.status == "pending"))).one()
    assert later.due_at.astimezone(SH).date() == date(2026, 3, 11)


async def test_no_push_is_queued_without_the_gates_admission(sessions, clock) -> None:
    async with sessions.begin() as s:
        customer = await CustomerRepo(s).upsert("wmNoGate01", now=clock.now())
        outbox = Outbox(s, clock)
        with pytest.raises(ValueError, match="push gate"):
            outbox.kf_send("wkWanziDemoKf01", customer, "绕过频控", kind="push")
        with pytest.raises(ValueError, match="push gate"):
            outbox.add("kf/send_msg", {}, kind="push", customer=customer)
        with pytest.raises(ValueError, match="admission"):
            outbox.push_kf(PushAdmission(customer.id, "contact", clock.now()), "wkWanziDemoKf01", customer, "x")


@pytest.mark.parametrize("words", ["我要退订", "别再给我发广告了", "不想收到推送了",
                                   "你们天天发活动消息好烦，别给我推了", "以后活动都不要给我发了哈",
                                   "你们每天发消息好烦啊 能不能别发了", "可以别给我发了吗", "太烦了 取消推送",
                                   "别给我推送了", "不要再给我发广告了", "以后别发消息给我",
                                   "能不能别老给我发广告了 烦死了", "别再给我发这些推送了", "以后不要发广告",
                                   "广告太多了 取消订阅", "不想收到你们的消息了",
                                   "莫再给我发那些活动咯 天天发 烦都烦死了", "以后也别给我发消息了"])
async def test_opting_out_in_the_customers_own_words_stops_pushes(wanzi, wecom, clock, words: str) -> None:
    await wecom.customer_says("wmOwnWords1", "你好")
    await wanzi.drain()
    await wecom.customer_says("wmOwnWords1", words)
    await wanzi.drain()
    assert "回复“订阅”可重新开启" in wecom.customer_inbox("wmOwnWords1")[-1]  # confirmed, not a chat line
    async with wanzi.sessions() as s:
        customer = await CustomerRepo(s).find("wmOwnWords1")
    assert customer is not None and customer.opted_out


@pytest.mark.parametrize("words", ["别发货了，我不想要了", "怎么退订", "你们别发错货了", "能不能别发中通",
                                   "怎么取消推送", "别给我推荐太贵的", "别发错货给我", "你们广告做得挺好",
                                   "别老给我发错货", "莫发错货了"])
async def test_an_order_or_a_question_about_opting_out_is_not_an_opt_out(wanzi, wecom, words: str) -> None:
    await wecom.customer_says("wmOwnWords2", words)
    await wanzi.drain()
    async with wanzi.sessions() as s:
        customer = await CustomerRepo(s).find("wmOwnWords2")
    assert customer is not None and not customer.opted_out


async def test_opting_back_in_in_the_customers_own_words(wanzi, wecom) -> None:
    await wecom.customer_says("wmOwnWords3", "别再给我发广告了")
    await wanzi.drain()
    await wecom.customer_says("wmOwnWords3", "算了 还是打开吧 怕错过双十一的优惠")
    await wanzi.drain()
    async with wanzi.sessions() as s:
        customer = await CustomerRepo(s).find("wmOwnWords3")
    assert customer is not None and not customer.opted_out
    await wecom.customer_says("wmOwnWords5", "能不能别发了")
    await wanzi.drain()
    await wecom.customer_says("wmOwnWords5", "算了还是发吧 有活动的时候告诉我")
    await wanzi.drain()
    async with wanzi.sessions() as s:
        customer = await CustomerRepo(s).find("wmOwnWords5")
    assert customer is not None and not customer.opted_out
    await wecom.customer_says("wmOwnWords4", "还是打开吧")  # never opted out: not a subscription matter
    await wanzi.drain()
    assert "订阅" not in wecom.customer_inbox("wmOwnWords4")[-1]
