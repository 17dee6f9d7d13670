"""Points that lapse ([points] expire_months > 0): points earned in a month lapse when the month
`expire_months` later ends (expire_months = 12: March 2026's points lapse on 2027-04-01 local).
Spending uses the oldest points first, so what lapses is what was earned before the cut-off minus
everything already taken (redeemed, refunded, deducted, lapsed). `expire_notice_days` before a lapse
the customer is told through the push gate (caps, quiet hours, opt-out), once per lapse.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from handlers.antispam.gate import send_push
from handlers.points.config import PointsConfig
from handlers.points.service import award
from handlers.services import Ctx
from storage.models import Customer, PointsEntry
from storage.repos import PointsRepo
from storage.repos.members import MemberRepo

PER_RUN = 5000


def month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def next_month(day: date) -> date:
    return month_start(day, -1)


def cutoff_for(lapse_day: date, expire_months: int, tz: ZoneInfo) -> datetime:
    """Points earned before this moment lapse on `lapse_day` (the 1st of a month)."""
    return datetime.combine(month_start(lapse_day, expire_months), time(0), tz)


async def lapsing(ctx: Ctx, cutoff: datetime) -> list[tuple[int, int]]:
    """(customer id, points that lapse at `cutoff`'s run), for customers with any."""
    old = func.sum(case((PointsEntry.delta > 0, case((PointsEntry.created_at < cutoff, PointsEntry.delta),
                                                     else_=0)), else_=0))
    taken = func.sum(case((PointsEntry.delta < 0, -PointsEntry.delta), else_=0))
    stmt = (select(PointsEntry.customer_id, old - taken).group_by(PointsEntry.customer_id)
            .having(old - taken > 0).order_by(PointsEntry.customer_id).limit(PER_RUN))
    return [(int(cid), int(n)) for cid, n in (await ctx.session.execute(stmt)).all()]


async def expire_points(ctx: Ctx, fire_time: datetime) -> None:
    """Job (the 1st of every month): book the lapse of points past their time as ledger rows."""
    config = ctx.settings.of(PointsConfig)
    tz = ZoneInfo(ctx.settings.persona.timezone)
    today = fire_time.astimezone(tz).date()
    if today.day != 1:
        return
    for customer_id, points in await lapsing(ctx, cutoff_for(today, config.expire_months, tz)):
        customer = await ctx.repos.customers.get(customer_id)
        earned_before = month_start(today, config.expire_months)
        await award(ctx, customer, -points, reason=f"积分过期（{earned_before:%Y-%m} 前获得）", source="expire",
                    ref=f"expire:{customer_id}:{today:%Y-%m}")


async def announce_expiry(ctx: Ctx, fire_time: datetime) -> None:
    """Job (daily): `expire_notice_days` before the 1st of next month, tell who will lose points."""
    config = ctx.settings.of(PointsConfig)
    tz = ZoneInfo(ctx.settings.persona.timezone)
    today = fire_time.astimezone(tz).date()
    lapse_day = next_month(today)
    if (lapse_day - today).days != config.expire_notice_days:
        return
    members, mark = MemberRepo(ctx.session), f"{lapse_day:%Y-%m}"
    for customer_id, points in await lapsing(ctx, cutoff_for(lapse_day, config.expire_months, tz)):
        facts = await members.facts(customer_id)
        if facts.expiry_month == mark:
            continue
        facts.expiry_month = mark
        customer = await ctx.session.get(Customer, customer_id)
        if customer is None or customer.status != "active":
            continue
        balance = await PointsRepo(ctx.session).balance(customer_id)
        await send_push(ctx, ctx.services.push_gate, customer, "points.expiry_notice", name=customer.name,
                        points=points, balance=balance, date=f"{lapse_day:%Y-%m-%d}")
