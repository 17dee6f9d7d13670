"""Levels that change treatment: a level reached by orders makes the customer VIP with their level's
SLA, adds the level's tags and assigns an advisor; a refund (or the yearly review) lowers it and the
default SLA applies again; spending never lowers it. Rights: the birthday (asked once, greeted once a
year) and the monthly member gift reminder, through the push gate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.appkeys import SCHEDULER
from handlers.points.service import award
from storage.models import AuditLog, Customer, MemberFacts, Ticket
from tests import escalation_kit as kit
from tests.community_kit import run_due_jobs, service
from tests.harness import BotUnderTest, make_config
from tests.service_kit import say

clock = kit.clock
POINTS = {"per_yuan": 1, "birthday_greeting": True, "advisor_from_level": "金柚", "gift_levels": ["金柚"],
          "gift_day": 3, "send_at": "10:30",
          "levels": [{"name": "柚芽", "min": 0}, {"name": "金柚", "min": 500, "rights": "每月会员礼",
                                                  "tags": ["会员:金柚"]}]}


async def start(db_url: str, wecom: Any, clock: Any, **points: Any) -> BotUnderTest:
    config = make_config(db_url, wecom.base_url, staff=kit.STAFF, points={**POINTS, **points},
                         escalation={"leads": ["wang.fang"], "sla_minutes": 30, "no_advisor": "queue",
                                     "vip_levels": ["金柚"], "sla_minutes_by_level": ["金柚=10", "vip=15"]})
    bot = await BotUnderTest.start(config, clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    return bot


bot = kit.bot_fixture(start)


async def record(bot: Any, ext: str, order_id: str, fen: int, status: str = "paid") -> None:
    from handlers.orders.parsing import Item, OrderInput
    from handlers.orders.service import record_order

    async with service(bot) as ctx:
        await record_order(ctx, OrderInput(order_id=order_id, external_userid=ext, unionid_hash="", buyer_id="",
                                           amount_fen=fen, items=(Item("面霜", 1),), paid_at=ctx.clock.now(),
                                           channel="天猫", status=status), source="api")
    await bot.drain()


async def ticket_of(bot: Any, wecom: Any, ext: str) -> Ticket:
    await wecom.customer_says(ext, "转人工")
    await bot.drain()
    async with bot.sessions() as s:
        ticket = (await s.scalars(select(Ticket).order_by(Ticket.id.desc()))).first()
    assert isinstance(ticket, Ticket)
    return ticket


async def test_an_order_reaching_a_level_makes_the_customer_vip_with_its_sla(bot, wecom, clock) -> None:
    await wecom.customer_says("wmLvl1", "你好")
    await bot.drain()
    await record(bot, "wmLvl1", "L1", 60000)  # 600 yuan → 600 points → 金柚
    ticket = await ticket_of(bot, wecom, "wmLvl1")
    assert ticket.level == "金柚" and ticket.context["vip"] is True
    assert ticket.due_at is not None and ticket.assigned_at is not None
    assert ticket.due_at - ticket.assigned_at == timedelta(minutes=10)
    async with service(bot) as ctx:
        customer = await found(ctx, "wmLvl1")
        tags = [t.name for t in await ctx.repos.tags.of_customer(customer.id)]
    assert customer.level == "金柚" and "金柚" in tags
    assert customer.advisor_userid in ("li.na", "wang.fang")
    # the new exclusive advisor hears of it (the staff tour found the assignment silent)
    (notice,) = [t for t in wecom.staff_inbox(customer.advisor_userid) if "新的专属客户" in t]
    assert "升到会员等级「金柚」" in notice and "/whois" in notice
    # and the customer hears who it is, by the name the persona uses for advisors (never the userid)
    named = {"li.na": "李娜", "wang.fang": "王芳"}[customer.advisor_userid]
    (level_up,) = [t for t in wecom.customer_inbox("wmLvl1") if "「金柚」" in t]
    assert named in level_up and customer.advisor_userid not in level_up, level_up


async def test_whois_tells_the_level_the_customer_hears_before_any_points(bot, wecom) -> None:
    """The staff tour: "我的积分" told a new customer 等级「柚芽」 (min 0) while /whois showed no level at all."""
    await wecom.customer_says("wmLvl0", "我的积分")
    await bot.drain()
    assert any("柚芽" in str(text) for text in wecom.customer_inbox("wmLvl0"))
    assert "VIP：否 · 等级：柚芽 · 积分：0" in await say(bot, wecom, "chen.jing", "/whois wmLvl0")
    await record(bot, "wmLvl0", "L0", 60000)
    assert "VIP：是 · 等级：金柚 · 积分：600" in await say(bot, wecom, "chen.jing", "/whois wmLvl0")


async def test_a_refund_lowers_the_level_and_the_default_sla_applies_again(bot, wecom) -> None:
    await wecom.customer_says("wmLvl2", "你好")
    await bot.drain()
    await record(bot, "wmLvl2", "L2", 60000)
    await record(bot, "wmLvl2", "L2", 60000, status="refunded")
    async with service(bot) as ctx:
        assert (await found(ctx, "wmLvl2")).level == "柚芽"
    ticket = await ticket_of(bot, wecom, "wmLvl2")
    assert ticket.level == "柚芽" and ticket.context["vip"] is False
    assert ticket.due_at is not None and ticket.assigned_at is not None
    assert ticket.due_at - ticket.assigned_at == timedelta(minutes=30)
    async with bot.sessions() as s:
        changes = [a.detail for a in (await s.scalars(select(AuditLog).where(AuditLog.action == "member.level")
                                                      .order_by(AuditLog.id))).all()]
    assert changes == [{"from": "", "to": "金柚"}, {"from": "金柚", "to": "柚芽"}]


async def test_a_vip_whose_level_has_no_sla_of_its_own_keeps_the_vip_sla(bot, wecom) -> None:
    await wecom.customer_says("wmLvlVip", "你好")
    await bot.drain()
    await record(bot, "wmLvlVip", "LV", 10000)  # 100 points: 柚芽, which sla_minutes_by_level does not name
    async with service(bot) as ctx:
        customer = await found(ctx, "wmLvlVip")
        assert customer.level == "柚芽"
        customer.is_vip = True
    ticket = await ticket_of(bot, wecom, "wmLvlVip")
    assert ticket.level == "vip" and ticket.due_at is not None
    assert ticket.due_at - (ticket.assigned_at or ticket.created_at) == timedelta(minutes=15)
    # the advisor's card still names the member level (the staff tour: a VIP 金柚's card said only "VIP")
    from handlers.escalation.notify import ticket_card

    async with service(bot) as ctx:
        card = ticket_card(ctx, ticket, await found(ctx, "wmLvlVip"))
    assert " · VIP · 等级 柚芽" in card, card


async def test_spending_points_keeps_the_level(bot, wecom) -> None:
    await wecom.customer_says("wmLvl3", "你好")
    await bot.drain()
    await record(bot, "wmLvl3", "L3", 60000)
    async with service(bot) as ctx:
        customer = await found(ctx, "wmLvl3")
        await award(ctx, customer, -600, reason="兑换", source="redeem")
        assert customer.level == "金柚"


async def test_the_yearly_review_lowers_levels_the_last_year_did_not_earn(wecom, db_url, clock) -> None:
    bot = await start(db_url, wecom, clock, review="03-10")
    try:
        await wecom.customer_says("wmLvl4", "你好")
        await wecom.customer_says("wmLvl5", "你好")
        await bot.drain()
        await record(bot, "wmLvl4", "L4", 60000)  # 2026-03-02
        await record(bot, "wmLvl5", "L5", 60000)
        clock.set(kit.MONDAY_10AM + 300 * 86400)
        await record(bot, "wmLvl5", "L6", 50000)  # wmLvl5 earned again within the year
        clock.set(kit.MONDAY_10AM + 372 * 86400)  # 2027-03-09
        await bot.app[SCHEDULER].start()
        clock.set(kit.MONDAY_10AM + 373 * 86400)  # 2027-03-10 10:00, after the 00:15 review
        await run_due_jobs(bot)
        async with service(bot) as ctx:
            assert (await found(ctx, "wmLvl4")).level == "柚芽"
            assert (await found(ctx, "wmLvl5")).level == "金柚"
    finally:
        await bot.stop()


async def test_the_birthday_is_asked_once_and_greeted_once_a_year(bot, wecom, clock) -> None:
    await wecom.customer_says("wmBday", "你好")
    await bot.drain()
    await wecom.customer_says("wmBday", "我的积分")
    await bot.drain()
    assert "生日" in wecom.customer_inbox("wmBday")[-1]  # asked, in the answer to their question
    await wecom.customer_says("wmBday", "我的积分")
    await bot.drain()
    assert "生日" not in wecom.customer_inbox("wmBday")[-1]  # never twice
    await wecom.customer_says("wmBday", "我的生日是3月5日")
    await bot.drain()
    assert "3月5日" in wecom.customer_inbox("wmBday")[-1]
    clock.set(kit.MONDAY_10AM + 3 * 86400 - 3600)  # 2026-03-05 09:00
    await bot.app[SCHEDULER].start()
    await wecom.customer_says("wmBday", "早")  # the kf chat is open
    await bot.drain()
    clock.set(kit.MONDAY_10AM + 3 * 86400 + 3600)  # 11:00, after send_at
    await run_due_jobs(bot)
    assert sum("生日快乐" in t for t in wecom.customer_inbox("wmBday")) == 1
    await bot.app[SCHEDULER].start()  # a restart the same day
    clock.set(kit.MONDAY_10AM + 3 * 86400 + 7200)
    await run_due_jobs(bot)
    assert sum("生日快乐" in t for t in wecom.customer_inbox("wmBday")) == 1
    async with bot.sessions() as s:
        assert (await s.scalar(select(MemberFacts.birthday_year))) == 2026


@pytest.mark.parametrize("asked", ["生日有礼物吗", "过生日有什么福利", "会员生日有优惠吗"])
async def test_what_the_birthday_brings_is_the_greeting_and_the_birthday_is_asked(bot, wecom, asked) -> None:
    # sandbox 2026-12-06: "生日有礼物吗" got a promise to ask a colleague though the greeting is configured
    await wecom.customer_says("wmBday3", asked)
    await bot.drain()
    said = wecom.customer_inbox("wmBday3")[-1]
    assert "生日祝福" in said and "我的生日是3月5日" in said, said
    await wecom.customer_says("wmBday3", "我的生日是5月3日")
    await bot.drain()
    await wecom.customer_says("wmBday3", asked)
    await bot.drain()
    said = wecom.customer_inbox("wmBday3")[-1]
    assert "5月3日" in said and "生日祝福" in said and "我的生日是3月5日" not in said, said
    await wecom.customer_says("wmBday3", "我的积分")  # asked already: the balance does not ask again
    await bot.drain()
    assert "生日" not in wecom.customer_inbox("wmBday3")[-1]


@pytest.mark.parametrize("asked", ["我有积分吗", "我现在有没有积分"])
async def test_whether_the_customer_has_points_is_their_balance(bot, wecom, asked) -> None:
    # sandbox 2026-12-06: "我有积分吗" got the points FAQ, not the customer's own 0
    await wecom.customer_says("wmBal1", asked)
    await bot.drain()
    said = wecom.customer_inbox("wmBal1")
    assert any("积分 0" in t or "0 分" in t for t in said), said


async def test_an_order_brings_the_birthday_and_the_customer_word_wins(bot, wecom) -> None:
    from handlers.orders.parsing import Item, OrderInput
    from handlers.orders.service import record_order

    await wecom.customer_says("wmBday2", "我的生日是12月1日")
    await bot.drain()
    async with service(bot) as ctx:
        await record_order(ctx, OrderInput(order_id="B1", external_userid="wmBday2", unionid_hash="", buyer_id="",
                                           amount_fen=100, items=(Item("面霜", 1),), paid_at=ctx.clock.now(),
                                           channel="天猫", status="paid", birthday="07-07"), source="api")
    async with bot.sessions() as s:
        assert (await s.scalar(select(MemberFacts.birthday))) == "12-01"


async def test_the_monthly_gift_reminder_reaches_members_of_the_level_once(bot, wecom, clock) -> None:
    await wecom.customer_says("wmGift1", "你好")
    await wecom.customer_says("wmGift2", "你好")
    await bot.drain()
    await record(bot, "wmGift1", "G1", 60000)
    clock.set(kit.MONDAY_10AM - 3600)  # 2026-03-02 09:00 (gift_day 3 is tomorrow)
    await bot.app[SCHEDULER].start()
    clock.set(kit.MONDAY_10AM + 86400 + 3600)  # 2026-03-03 11:00
    await run_due_jobs(bot)
    assert sum("会员礼已经准备好" in t for t in wecom.customer_inbox("wmGift1")) == 1
    assert not any("会员礼已经准备好" in t for t in wecom.customer_inbox("wmGift2"))


async def found(ctx: Any, ext: str) -> Customer:
    """The customer with this external_userid (the test made them)."""
    customer = await ctx.repos.customers.find(ext)
    assert isinstance(customer, Customer), ext
    return customer


@pytest.mark.parametrize(("said", "kept"), [("我生日是5月3号", "05-03"), ("我是五月三号生日的", "05-03"),
                                            ("生日：12/25", "12-25"), ("十二月二十五号生日", "12-25"),
                                            ("我生日是6月18号 帮我记一下", "06-18")])
async def test_the_birthday_in_the_customers_own_words_is_kept(bot, wecom, said: str, kept: str) -> None:
    await wecom.customer_says("wmBday3", said)
    await bot.drain()
    month, day = (int(p) for p in kept.split("-"))
    assert f"{month}月{day}日" in wecom.customer_inbox("wmBday3")[-1]  # confirmed with the date heard
    async with bot.sessions() as s:
        assert (await s.scalar(select(MemberFacts.birthday))) == kept


@pytest.mark.parametrize("said", ["我明天5月3号去店里", "生日快乐", "我的生日是2月30日"])
def test_a_date_that_is_not_a_birthday_is_not_kept(said: str) -> None:
    from handlers.points.birthdays import parse_birthday

    assert parse_birthday(said) is None


async def test_an_order_posted_before_the_customers_first_message_counts_in_their_first_balance(bot, wecom) -> None:
    """Reported (conv28): an order posted (API or console) just before a new customer's first message was parked
    until the matching worker ran, so their first "我积分多少" said 0 points, the level-up message right after."""
    await record(bot, "wmLvlNew", "LN1", 60000)  # parked: nobody is wmLvlNew yet
    await wecom.customer_says("wmLvlNew", "我积分多少")
    await bot.drain()
    said = wecom.customer_inbox("wmLvlNew")
    balance = next(t for t in said if "金柚" in t and "600" in t and "恭喜" not in t)  # their standing: 600, 金柚
    assert not any(" 0 " in t or "积分 0" in t for t in said), said
    assert not any("升到" in t for t in said[said.index(balance):]), said  # a level-up said before it, not after


async def test_new_customers_writing_together_each_get_their_own_parked_orders_once(bot, wecom) -> None:
    """New customers whose first messages run in one shared transaction: the group's insert tells which of them
    have orders parked (twenty-fourth slice); theirs count in their first balance, booked once over two messages."""
    await record(bot, "wmLvlPair1", "LP1", 60000)  # parked for the first; none for the second
    await wecom.customer_says("wmLvlPair1", "我积分多少")
    await wecom.customer_says("wmLvlPair2", "我积分多少")
    await wecom.customer_says("wmLvlPair1", "我积分多少")
    await bot.drain()
    first, second = wecom.customer_inbox("wmLvlPair1"), wecom.customer_inbox("wmLvlPair2")
    assert any("金柚" in t and "600" in t and "恭喜" not in t for t in first), first
    assert sum("恭喜升级" in t for t in first) == 1, first  # the level-up said once
    assert not any("600" in t for t in second), second
    async with bot.sessions() as s:
        assert (await s.scalar(select(Customer.level).where(Customer.external_userid == "wmLvlPair1"))) == "金柚"
