"""The digest's value section, counted by hand: orders, GMV, average order value and GMV by channel
(paid that day, not refunded), refunds, the 90-day repurchase rate, kf conversation → purchase within
7 days, points issued / redeemed / outstanding, redemptions and members by level; the day's edges."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from bot.digest_metrics import Breakdown
from handlers.digest.build import build_digest
from handlers.digest.render import markdown
from handlers.orders.parsing import Item, OrderInput
from handlers.orders.service import record_order
from handlers.points.rewards import ask_to_redeem, confirm_redemption
from storage.models import Customer
from tests.community_kit import at, service, start_bot
from tests.console_kit import ConsoleClient
from tests.service_kit import say

D = date(2026, 3, 2)
POINTS = {"per_yuan": 1, "levels": [{"name": "柚芽", "min": 0}, {"name": "金柚", "min": 250}],
          "rewards": [{"key": "kit", "name": "小样礼包", "cost": 100, "stock": 5}]}


@pytest.fixture
async def bot(db_url, wecom, clock):
    clock.set(at(2, 20, 9))
    bot = await start_bot(db_url, wecom, clock, points=POINTS)
    yield bot
    await bot.stop()


async def paid(bot: Any, order_id: str, ext: str, fen: int, channel: str, status: str = "paid",
               paid_at: float | None = None) -> None:
    async with service(bot) as ctx:
        when = ctx.clock.now() if paid_at is None else datetime.fromtimestamp(paid_at, timezone.utc)
        await record_order(ctx, OrderInput(order_id=order_id, external_userid=ext, unionid_hash="", buyer_id="",
                                           amount_fen=fen, items=(Item("面霜", 1),), paid_at=when,
                                           channel=channel, status=status), source="api")


async def play(bot: Any, wecom: Any, clock: Any) -> None:
    await wecom.add_friend("zhang.wei", "wmV3")
    await bot.drain()
    await paid(bot, "O2", "wmV3", 10000, "门店")  # 02-20: within 90 days, not on the day
    clock.set(at(3, 1, 23, 59))
    await paid(bot, "O0", "wmV3", 99900, "门店", status="paid")  # the day before: its own day
    clock.set(at(3, 2, 0, 0))  # exactly local midnight: the day's first instant
    await paid(bot, "O1", "wmV1", 6000, "天猫")
    clock.set(at(3, 2, 10))
    await wecom.customer_says("wmV1", "你好")
    await wecom.customer_says("wmV2", "在吗")
    await bot.drain()
    clock.set(at(3, 2, 12))
    await paid(bot, "O3", "wmV3", 20000, "门店")
    await paid(bot, "O4", "wmV4", 3000, "京东")  # parked: counts in orders and GMV, not per customer
    await paid(bot, "O5", "wmV1", 5000, "小程序")
    clock.set(at(3, 2, 15))
    await paid(bot, "O5", "wmV1", 5000, "小程序", status="refunded", paid_at=at(3, 2, 12))
    async with service(bot) as ctx:
        customer = await found(ctx, "wmV3")
        await ask_to_redeem(ctx, customer, "小样礼包", "")
        await confirm_redemption(ctx, customer)
    clock.set(at(3, 3, 0, 0))  # the next day's first instant: not on the day
    await paid(bot, "O6", "wmV2", 7000, "天猫")  # converts wmV2 within 7 days, next day's GMV
    clock.set(at(3, 3, 9))


async def test_the_value_section_counts_what_happened(bot, wecom, clock) -> None:
    await play(bot, wecom, clock)
    async with bot.sessions() as s:
        digest = await build_digest(s, D, "Asia/Shanghai", now=clock.now())
    expected = {"value.orders": 3, "value.gmv": 290, "value.aov": 96.67, "value.refunds": 1,
                "value.repurchase_rate": 0.5, "conversion.chat_to_purchase": 1.0,
                "value.points_issued": 60 + 200 + 50, "value.points_redeemed": 100, "value.redemptions": 1,
                "value.points_outstanding": 100 + 999 + 310 - 50 - 100}
    for key, value in expected.items():
        assert digest.value(key) == pytest.approx(value), key
    assert digest.value("value.gmv_by_channel") == Breakdown((("门店", 200), ("天猫", 60), ("京东", 30)))
    # wmV2 via O6; wmV4's order is parked (no customer)
    assert digest.value("value.members_by_level") == Breakdown((("柚芽", 2), ("金柚", 1)))
    assert digest.line("value.orders").previous == 1 and digest.line("value.gmv").previous == 999
    text = markdown(digest, title="柚见 日报")
    assert "订单数" in text and "成交额（元）" in text


async def test_customers_without_points_are_counted_in_the_level_that_starts_at_zero(db_url, wecom, clock) -> None:
    """A manager reads every current customer in the distribution; a customer who deleted us is not counted.
    Those with no points yet are stored without a level (暂无等级 when the levels start above 0), and read as the
    level that starts at 0 (柚芽), as the customer hears it in "我的积分" and staff in /whois (the staff tour: the
    digest said 暂无等级 1 of a customer /whois called 柚芽), in the WeCom digest and on the console page alike."""
    clock.set(at(3, 2, 9))
    bot = await start_bot(db_url, wecom, clock, points=POINTS, staff={"operators": ["li.na"]})
    try:
        for ext in ("wmA", "wmB", "wmC", "wmGone"):
            await wecom.add_friend("zhang.wei", ext)
        await bot.drain()
        await paid(bot, "O1", "wmA", 30000, "门店")  # 300 points: 金柚
        await paid(bot, "O2", "wmGone", 1000, "门店")  # 柚芽, then deletes us
        await wecom.customer_deletes_staff("zhang.wei", "wmGone")
        await bot.drain()
        async with bot.sessions() as s:
            digest = await build_digest(s, D, "Asia/Shanghai", now=clock.now())
        assert digest.value("value.members_by_level") == Breakdown((("金柚", 1), ("暂无等级", 2)))  # as stored
        assert "> 会员等级分布（当前）：金柚 1 · 暂无等级 2" in markdown(digest)
        client = await ConsoleClient.login(bot.url)
        try:
            status, page = await client.get("/console/digest", date=f"{D}")
        finally:
            await client.close()
        assert status == 200 and "柚芽 2 · 金柚 1" in page and "暂无等级" not in page.split("口径")[0]
        answer = await say(bot, wecom, "li.na", f"/digest {D}")
        assert "> 会员等级分布（当前）：柚芽 2 · 金柚 1" in answer, answer
    finally:
        await bot.stop()


async def test_a_day_without_orders_shows_no_rates(bot) -> None:
    async with bot.sessions() as s:
        digest = await build_digest(s, D, "Asia/Shanghai", now=bot.clock.now())
    assert digest.value("value.orders") == 0 and digest.value("value.aov") is None
    assert digest.value("value.repurchase_rate") is None and digest.value("conversion.chat_to_purchase") is None


async def found(ctx: Any, ext: str) -> Customer:
    """The customer with this external_userid (the test made them)."""
    customer = await ctx.repos.customers.find(ext)
    assert isinstance(customer, Customer), ext
    return customer
