"""Points that lapse: the oldest points are spent first, what is left of a month's points lapses
`expire_months` after it, and the customer is told `expire_notice_days` before, through the push gate."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.appkeys import SCHEDULER
from handlers.points.service import award
from storage.models import Customer, PointsEntry, SuppressedPush
from tests.community_kit import at, run_due_jobs, service, start_bot

POINTS = {"expire_months": 1, "expire_notice_days": 7, "send_at": "10:00"}


@pytest.fixture
async def bot(db_url, wecom, clock):
    clock.set(at(1, 10, 12))
    bot = await start_bot(db_url, wecom, clock, points=POINTS)
    yield bot
    await bot.stop()


async def booked(bot, ext: str, delta: int, source: str) -> None:
    async with service(bot) as ctx:
        await award(ctx, await found(ctx, ext), delta, reason="测试", source=source)


async def test_january_points_lapse_on_march_first_after_a_notice(bot, wecom, clock) -> None:
    await wecom.customer_says("wmExp1", "你好")
    await bot.drain()
    await booked(bot, "wmExp1", 500, "checkin")  # January
    clock.set(at(2, 3, 12))
    await booked(bot, "wmExp1", 80, "checkin")  # February: lapses only on April 1st
    await booked(bot, "wmExp1", -100, "redeem")  # spent from January's points
    clock.set(at(2, 21, 20))
    await wecom.customer_says("wmExp1", "在吗")  # the kf chat is open for the notice
    await bot.drain()
    clock.set(at(2, 22, 9, 59))
    await bot.app[SCHEDULER].start()
    clock.set(at(2, 22, 10, 1))
    await run_due_jobs(bot)
    notice = wecom.customer_inbox("wmExp1")[-1]
    assert "400 积分将在 2026-03-01 过期" in notice and "480" in notice
    clock.set(at(2, 23, 10, 1))
    await run_due_jobs(bot)
    assert sum("过期" in t for t in wecom.customer_inbox("wmExp1")) == 1  # told once
    clock.set(at(3, 1, 0, 6))
    await run_due_jobs(bot)
    async with bot.sessions() as s:
        rows = (await s.scalars(select(PointsEntry).where(PointsEntry.source == "expire"))).all()
    assert [r.delta for r in rows] == [-400]
    clock.set(at(4, 1, 0, 6))
    await run_due_jobs(bot)  # April: February's 80 lapse, nothing of January twice
    async with bot.sessions() as s:
        rows = (await s.scalars(select(PointsEntry).where(PointsEntry.source == "expire")
                                .order_by(PointsEntry.id))).all()
    assert [r.delta for r in rows] == [-400, -80]


async def test_the_notice_obeys_the_push_gate(bot, wecom, clock) -> None:
    await wecom.customer_says("wmExp2", "你好")
    await bot.drain()
    await booked(bot, "wmExp2", 300, "checkin")
    clock.set(at(2, 21, 20))
    await wecom.customer_says("wmExp2", "退订")  # reachable in the kf chat, but opted out
    await bot.drain()
    clock.set(at(2, 22, 9, 59))
    await bot.app[SCHEDULER].start()
    clock.set(at(2, 22, 10, 1))
    await run_due_jobs(bot)
    assert not any("过期" in t for t in wecom.customer_inbox("wmExp2"))
    assert await bot.count(SuppressedPush, SuppressedPush.reason == "opted_out") == 1


async def found(ctx: Any, ext: str) -> Customer:
    """The customer with this external_userid (the test made them)."""
    customer = await ctx.repos.customers.find(ext)
    assert isinstance(customer, Customer), ext
    return customer


@pytest.mark.parametrize("text", ["积分会过期吗", "我的积分啥时候过期呀", "积分有效期多久"])
async def test_when_points_lapse_asked_in_own_words_names_the_customers_next_lapse(bot, wecom, clock, text) -> None:
    """The sandbox of 2026-12-05: "积分会过期吗" got a promise to ask a colleague, "积分啥时候过期" a 猜你想问."""
    await wecom.customer_says("wmExp9", "你好")
    await bot.drain()
    await booked(bot, "wmExp9", 500, "checkin")  # January
    clock.set(at(2, 3, 12))
    await booked(bot, "wmExp9", 80, "checkin")
    await booked(bot, "wmExp9", -100, "redeem")  # spent from January's points
    await wecom.customer_says("wmExp9", text)
    await bot.drain()
    answer = wecom.customer_inbox("wmExp9")[-1]
    assert "480" in answer and "400 分会在 3月1日 过期" in answer and "1 个月" in answer, answer
