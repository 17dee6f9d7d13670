"""Rights delivered, not just described: the birthday greeting (once a year), the monthly member
gift reminder for `[points] gift_levels`, both pushes through the anti-spam gate, and the yearly
level review (`[points] review`) that may lower a level to what the last 12 months earned.

A greeting or reminder is marked as sent for its year or month before the gate decides, so a
customer is never pushed twice for the same occasion (a push the gate suppresses is recorded with
its reason, not retried).
"""

from __future__ import annotations

import calendar
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.antispam.gate import send_push
from handlers.points.config import PointsConfig
from handlers.points.levels import level_changed
from handlers.points.service import earned_points, level_of, rights_text
from handlers.services import Ctx
from storage.repos.members import MemberRepo

PAGE = 500


def _local(ctx: Ctx, fire_time: datetime) -> datetime:
    return fire_time.astimezone(ZoneInfo(ctx.settings.persona.timezone))


async def greet_birthdays(ctx: Ctx, fire_time: datetime) -> None:
    """Job (daily): a birthday push to whoever has their birthday today and was not greeted this year;
    02-29 birthdays are greeted on 02-28 in other years."""
    today = _local(ctx, fire_time).date()
    days = [f"{today:%m-%d}"]
    if today.month == 2 and today.day == 28 and not calendar.isleap(today.year):
        days.append("02-29")
    members = MemberRepo(ctx.session)
    for day in days:
        while page := await members.birthdays_on(day, year=today.year, limit=PAGE):  # each page is marked
            for customer in page:
                (await members.facts(customer.id)).birthday_year = today.year
                await send_push(ctx, ctx.services.push_gate, customer, "points.birthday", name=customer.name,
                                level=customer.level)


async def remind_monthly_gift(ctx: Ctx, fire_time: datetime) -> None:
    """Job (monthly, `gift_day`): each member of a gift level hears that this month's gift is ready."""
    config, month = ctx.settings.of(PointsConfig), f"{_local(ctx, fire_time):%Y-%m}"
    members, after = MemberRepo(ctx.session), 0
    while True:
        page = await members.of_levels(config.gift_levels, after_id=after, limit=PAGE)
        for customer in page:
            facts = await members.facts(customer.id)
            if facts.gift_month == month:
                continue
            facts.gift_month = month
            spec = config.level(customer.level)
            await send_push(ctx, ctx.services.push_gate, customer, "points.monthly_gift", name=customer.name,
                            level=customer.level, rights=rights_text(spec.rights if spec else ""))
        if len(page) < PAGE:
            break
        after = page[-1].id


async def review_levels(ctx: Ctx, fire_time: datetime) -> None:
    """Job (yearly, `review` MM-DD): levels follow the points earned in the 12 months before; a level
    no longer reached is lowered (never raised here: reaching one is immediate)."""
    config, year = ctx.settings.of(PointsConfig), _local(ctx, fire_time).year
    members, after = MemberRepo(ctx.session), 0
    while True:
        page = await members.with_level(after_id=after, limit=PAGE)
        for customer in page:
            facts = await members.facts(customer.id)
            if facts.reviewed_year == year:
                continue
            facts.reviewed_year = year
            level, _ = level_of(ctx.settings, await earned_points(ctx, customer))
            new = level.name if level else ""
            if config.rank(new) < config.rank(customer.level):
                old, customer.level = customer.level, new
                await level_changed(ctx, customer, old, new)
        if len(page) < PAGE:
            break
        after = page[-1].id
