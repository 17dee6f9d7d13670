""""转人工" reaches a person even when no Wanzi advisor is free: the kf chat goes to WeCom's own
reception pool (待接入池), operators get the ticket, the customer hears honestly what happens
next, and a servicer who picks the chat up in the WeCom client takes the ticket and meets its SLA."""

from __future__ import annotations

import pytest

from bot.errors import ConfigError
from handlers.escalation.config import EscalationConfig
from tests import escalation_kit as kit
from tests.harness import BotUnderTest, make_config

clock, bot = kit.clock, kit.bot_fixture(no_advisor="wecom_pool")  # fixtures: Monday 10:00, the bot


def pooled(wecom) -> list[str]:
    return [s.external_userid for s in wecom.corp.kf.pool()]


async def test_with_the_shipped_config_asking_for_a_person_puts_the_chat_in_the_reception_pool(
        db_url, wecom, clock) -> None:
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url), clock)  # no advisors at all
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        await wecom.customer_says("wmShip001", "转人工")
        await bot.drain()
        assert pooled(wecom) == ["wmShip001"]
        assert wecom.kf_session("wmShip001").state == 2
        promise = wecom.customer_inbox("wmShip001")[-1]
        assert "这里" in promise  # someone will reply here, in this chat
        (ticket,) = await kit.tickets(bot)
        assert ticket.status == "pooled"
    finally:
        await bot.stop()


async def test_nobody_on_duty_sends_the_chat_to_the_pool_with_the_ticket_to_operators(bot, wecom) -> None:
    await kit.customer(bot, "wmPool001", name="林晓")
    await wecom.customer_says("wmPool001", "你好，面霜还有货吗")
    await bot.drain()
    await wecom.customer_says("wmPool001", "算了，帮我转人工")
    await bot.drain()

    assert pooled(wecom) == ["wmPool001"]
    (trans,) = wecom.calls("kf/service_state/trans")
    assert (trans.body["service_state"], trans.errcode) == (2, 0)
    # The wait notice rides on the code WeCom gave for the move (kf.md §5): said only once it is true.
    (notice,) = wecom.calls("kf/send_msg_on_event")
    assert notice.errcode == 0 and notice.body["code"] == trans.response["msg_code"]
    text = notice.body["text"]["content"]
    assert "这里" in text and "顾问" not in text and "明天" not in text
    for member in ("zhang.wei", "chen.jing"):  # the admin and the operator see the ticket with its context
        (card,) = wecom.staff_inbox(member)
        assert "林晓" in card and "帮我转人工" in card and "面霜还有货吗" in card
        assert "待接入" in card and "/claim 1" in card
    assert wecom.staff_inbox("li.na") == [] and wecom.staff_inbox("wang.fang") == []

    replies = len(wecom.customer_inbox("wmPool001"))
    await wecom.customer_says("wmPool001", "有人吗？")
    await bot.drain()
    assert len(wecom.customer_inbox("wmPool001")) == replies  # the persona keeps out of a queued chat
    assert [c.errcode for c in wecom.calls("kf/send_msg")] == [0]  # and never tries a send WeCom would refuse
    (ticket,) = await kit.tickets(bot)
    assert (ticket.status, ticket.advisor_userid) == ("pooled", "")


async def test_out_of_hours_the_customer_is_told_when_the_team_is_back(bot, wecom, clock) -> None:
    clock.set(kit.MONDAY_10PM)
    await wecom.customer_says("wmPool002", "我要投诉")
    await bot.drain()
    text = wecom.customer_inbox("wmPool002")[-1]
    assert "明天 09:00" in text and "这里" in text


async def test_out_of_hours_the_persona_keeps_the_chat_till_the_opening_then_the_pool_takes_it(
        bot, wecom, clock) -> None:
    """A pooled chat takes no API message: handed over at 22:00, a customer adding a photo or an order number
    would meet silence all night. The persona keeps the chat, acknowledges what they add, and at 09:00 the
    chat goes to the pool with the ticket card to operators."""
    clock.set(kit.MONDAY_10PM)
    await wecom.customer_says("wmPool006", "刚拆快递发现瓶子漏了一半")
    await bot.drain()
    assert pooled(wecom) == [] and wecom.calls("kf/service_state/trans") == []
    assert "明天 09:00" in wecom.customer_inbox("wmPool006")[-1]
    assert wecom.staff_inbox("zhang.wei") == []  # nobody woken at night
    for added in ("要我拍照吗", "订单号 TB2026113000", "有人吗"):
        before = len(wecom.customer_inbox("wmPool006"))
        await wecom.customer_says("wmPool006", added)
        await bot.drain()
        (reply,) = wecom.customer_inbox("wmPool006")[before:]
        assert "跟进" in reply or "同事" in reply, reply  # a colleague is on it
        assert "人工" not in reply  # never "send 人工 when they are back": it is handed over already
    (ticket,) = await kit.tickets(bot)
    assert ticket.status == "queued"
    await wecom.customer_says("wmPool006", "转人工")  # asked again: when, not "soon"
    await bot.drain()
    assert "明天 09:00" in wecom.customer_inbox("wmPool006")[-1]
    assert len(await kit.tickets(bot)) == 1

    clock.set(kit.MONDAY_10AM + 86400 - 3600 + 60)  # Tuesday 09:01
    await kit.watch(bot)
    await bot.drain()
    assert pooled(wecom) == ["wmPool006"]
    (trans,) = wecom.calls("kf/service_state/trans")
    assert trans.body["service_state"] == 2 and trans.errcode == 0
    (notice,) = wecom.calls("kf/send_msg_on_event")
    assert "这里" in notice.body["text"]["content"]  # a colleague answers here, now
    (card,) = wecom.staff_inbox("zhang.wei")
    assert "漏了一半" in card and "TB2026113000" in card, card  # what they added overnight, too
    (ticket,) = await kit.tickets(bot)
    assert ticket.status == "pooled"


async def test_out_of_hours_an_advisor_on_duty_at_the_opening_takes_the_held_chat(bot, wecom, clock) -> None:
    clock.set(kit.MONDAY_10PM)
    await wecom.customer_says("wmPool007", "转人工")
    await bot.drain()
    clock.set(kit.MONDAY_10AM + 86400 - 3600 + 60)  # Tuesday 09:01
    await kit.on_duty(bot, "li.na")
    await kit.watch(bot)
    await bot.drain()
    assert pooled(wecom) == [] and wecom.kf_session("wmPool007").servicer_userid == "li.na"


async def test_pool_out_of_hours_at_once_pools_the_chat_at_night(db_url, wecom, clock) -> None:
    clock.set(kit.MONDAY_10PM)
    bot = await kit.start(db_url, wecom, clock, no_advisor="wecom_pool", pool_out_of_hours="at_once")
    try:
        await wecom.customer_says("wmPool008", "我要投诉")
        await bot.drain()
        assert pooled(wecom) == ["wmPool008"]
        assert "明天 09:00" in wecom.customer_inbox("wmPool008")[-1]
    finally:
        await bot.stop()


async def test_an_out_of_hours_day_off_names_the_real_opening(db_url, wecom, clock) -> None:
    clock.set(kit.MONDAY_10AM - 2 * 86400)  # Saturday 10:00; advisors work Monday to Friday
    bot = await kit.start(db_url, wecom, clock, no_advisor="wecom_pool",
                          working_days=["mon", "tue", "wed", "thu", "fri"])
    try:
        await wecom.customer_says("wmPool003", "人工客服")
        await bot.drain()
        assert "周一 09:00" in wecom.customer_inbox("wmPool003")[-1]
    finally:
        await bot.stop()


async def test_a_servicer_picking_the_chat_up_takes_the_ticket_and_meets_the_sla(bot, wecom, clock) -> None:
    await wecom.customer_says("wmPool004", "我要退款")
    await bot.drain()
    clock.advance(5 * 60)
    await wecom.servicer_picks_up("wmPool004", "wang.fang")
    await bot.drain()

    (ticket,) = await kit.tickets(bot)
    assert (ticket.status, ticket.advisor_userid, ticket.kf_servicer) == ("assigned", "wang.fang", "wang.fang")
    assert ticket.first_response_at is not None
    assert ("wang.fang", "ticket.kf_picked_up", "ticket:1") in await kit.audit(bot, "ticket.")
    clock.advance(2 * 3600)
    await kit.watch(bot)
    assert wecom.staff_inbox("wang.fang") == []  # no SLA reminder: she answered in time
    assert len(wecom.staff_inbox("zhang.wei")) == 1  # only the ticket card, no breach alert

    await wecom.servicer_says("wmPool004", "您好，我来帮您处理退款")
    await wecom.servicer_ends_session("wmPool004")
    await bot.drain()
    (ticket,) = await kit.tickets(bot)
    assert (ticket.status, ticket.resolved_by) == ("resolved", "wang.fang")
    assert "王芳" in wecom.customer_inbox("wmPool004")[-1]


async def test_a_pooled_ticket_nobody_picks_up_alerts_a_lead_once(bot, wecom, clock) -> None:
    await wecom.customer_says("wmPool005", "我要投诉")
    await bot.drain()
    clock.advance(31 * 60)
    await kit.watch(bot)
    (alert,) = wecom.staff_inbox("wang.fang")  # the configured lead
    assert "#1" in alert and "待接入" in alert
    clock.advance(30 * 60)
    await kit.watch(bot)
    assert len(wecom.staff_inbox("wang.fang")) == 1


async def test_queue_mode_keeps_the_ticket_waiting_for_an_on_duty_advisor(db_url, wecom, clock) -> None:
    bot = await kit.start(db_url, wecom, clock, no_advisor="queue")
    try:
        await wecom.customer_says("wmQueue01", "转人工")
        await bot.drain()
        assert pooled(wecom) == [] and wecom.kf_session("wmQueue01").state == 0
        (ticket,) = await kit.tickets(bot)
        assert ticket.status == "queued"
        await kit.on_duty(bot, "li.na")
        await kit.watch(bot)
        assert wecom.kf_session("wmQueue01").servicer_userid == "li.na"
    finally:
        await bot.stop()


async def test_tickets_and_the_console_show_a_pooled_ticket_as_waiting(bot, wecom) -> None:
    await wecom.customer_says("wmPool006", "转人工")
    await bot.drain()
    await wecom.staff_sends("chen.jing", "/tickets")
    await bot.drain()
    listing = wecom.staff_inbox("chen.jing")[-1]
    assert "#1" in listing and "待接入池" in listing
    # "mine" (an advisor's default) lists the tickets anyone may take too: its title must not call
    # them all "我的" (/duty on then said "你现在有 0 个未结工单")
    await wecom.staff_sends("chen.jing", "/tickets mine")
    await bot.drain()
    mine = wecom.staff_inbox("chen.jing")[-1]
    assert "#1" in mine and "待接单" in mine.splitlines()[0], mine


async def test_going_on_duty_names_the_customers_waiting_in_the_pool(bot, wecom) -> None:
    # 2026-12-05 afternoon sandbox: /duty on said only "你现在有 0 个未结工单" with two customers in the pool,
    # which Wanzi cannot assign: a servicer takes them in WeCom.
    await wecom.customer_says("wmPool007", "转人工")
    await bot.drain()
    await wecom.staff_sends("li.na", "/duty on")
    await bot.drain()
    reply = wecom.staff_inbox("li.na")[-1]
    assert "已上岗" in reply and "1 个客户在微信客服待接入池" in reply and "微信客服" in reply, reply


def test_an_unknown_pool_out_of_hours_value_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(ConfigError, match="pool_out_of_hours"):
        EscalationConfig(pool_out_of_hours="tomorrow").check("escalation")
