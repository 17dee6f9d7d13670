"""A ticket closed without anyone answering the customer is not a first response, and the persona
does not thank an advisor who never wrote."""

from __future__ import annotations

from datetime import date

from tests import escalation_kit as kit
from tests.service_kit import say

clock, bot = kit.clock, kit.bot  # fixtures: Monday 10:00, the bot with the escalation team


async def test_resolving_without_a_reply_claims_nothing(bot, wecom, clock) -> None:
    await kit.on_duty(bot, "wang.fang")
    await wecom.customer_says("wmQuiet01", "我要退款")
    await bot.drain()
    clock.advance(120)
    assert "已结单 #1" in await say(bot, wecom, "wang.fang", "/resolve 1 客户已电话处理")

    (ticket,) = await kit.tickets(bot)
    assert ticket.status == "resolved" and ticket.first_response_at is None
    goodbye = wecom.customer_inbox("wmQuiet01")[-1]
    assert "王芳" not in goodbye and "处理好" not in goodbye and "解答" not in goodbye
    assert "ticket.first_response" not in [a[1] for a in await kit.audit(bot, "ticket.")]


async def test_the_digest_median_ignores_a_ticket_nobody_answered(bot, wecom, clock) -> None:
    from bot.digest_metrics import Window
    from handlers.escalation.digest import FIRST_MEDIAN, escalations

    await kit.on_duty(bot, "wang.fang")
    await wecom.customer_says("wmQuiet02", "我要退款")
    await bot.drain()
    await say(bot, wecom, "wang.fang", "/resolve 1")
    async with bot.sessions() as session:
        values = await escalations(session, Window.of(date(2026, 3, 2), "Asia/Shanghai", now=clock.now()))
    assert values[FIRST_MEDIAN.key] is None
