"""Who takes a ticket: the customer's own advisor, else the on-duty advisor who waited longest
(round-robin) during working hours, else nobody yet (the queue). Leads take re-routed tickets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Sequence
from zoneinfo import ZoneInfo

from bot.roles import member_words
from handlers.escalation.config import WEEKDAYS, EscalationConfig, parse_hours
from handlers.services import Ctx
from storage.models import Customer, Staff

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
DAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
DAY_NAMES_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def local(ctx: Ctx, at: datetime | None = None) -> datetime:
    return (at or ctx.clock.now()).astimezone(ZoneInfo(ctx.settings.persona.timezone))


def in_working_hours(config: EscalationConfig, at: datetime) -> bool:
    """`at` in local time."""
    first, last = parse_hours(config.working_hours)
    minute = at.hour * 60 + at.minute
    return WEEKDAYS[at.weekday()] in config.working_days and first <= minute < last


def next_opening(config: EscalationConfig, at: datetime) -> datetime:
    """The next moment advisors are at work (local time); `at` itself when they are."""
    if in_working_hours(config, at):
        return at
    first, _ = parse_hours(config.working_hours)
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    for offset in range(8):
        opening = day + timedelta(days=offset, minutes=first)
        if opening > at and WEEKDAYS[opening.weekday()] in config.working_days:
            return opening
    return at  # no working day configured: promise nothing later than now


def opening_words(now: datetime, opening: datetime) -> str:
    """"今天 09:00" / "明天 09:00" / "周一 09:00" for the out-of-hours promise."""
    days = (opening.date() - now.date()).days
    when = "今天" if days == 0 else "明天" if days == 1 else DAY_NAMES[opening.weekday()]
    return f"{when} {opening:%H:%M}"


def hours_words(config: EscalationConfig, *, english: bool = False) -> str:
    """"周一至周五 09:00-21:00" / "每天 09:00-21:00" / "周一、周三 10:00-18:00": when advisors work; `english`:
    "Mon-Fri 09:00-21:00 (China time)", "every day …", "Mon, Wed …" (chat.staff_hours' "english" phrasings)."""
    names = DAY_NAMES_EN if english else DAY_NAMES
    days = [WEEKDAYS.index(d) for d in WEEKDAYS if d in config.working_days]
    if len(days) == len(WEEKDAYS):
        when = "every day" if english else "每天"
    elif len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        when = f"{names[days[0]]}{'-' if english else '至'}{names[days[-1]]}"
    else:
        when = (", " if english else "、").join(names[d] for d in days)
    said = f"{when} {config.working_hours}".strip()
    return f"{said} (China time)" if english else said


async def pick_advisor(ctx: Ctx, customer: Customer, *, exclude: Sequence[str] = ()) -> Staff | None:
    """The advisor for a new ticket, or None when nobody can take it now. `exclude`: members WeCom
    already refused to hand this chat to (not a servicer, not receiving)."""
    in_hours = in_working_hours(ctx.settings.of(EscalationConfig), local(ctx))
    if customer.advisor_userid and customer.advisor_userid not in exclude:
        own = await ctx.repos.staff.find(customer.advisor_userid)
        if own is not None and own.active and (in_hours or own.on_duty):
            return own
    if not in_hours:
        return None
    on_duty = [s for s in await ctx.repos.staff.list(on_duty=True) if s.userid not in exclude]
    if not on_duty:
        return None
    last = await ctx.repos.tickets.last_assigned([s.userid for s in on_duty])
    return min(on_duty, key=lambda s: (last.get(s.userid) or EPOCH, s.userid))


async def pick_lead(ctx: Ctx, *, besides: str) -> Staff | None:
    """A lead for a breached ticket (config leads, else admins), preferring one on duty."""
    names = ctx.settings.of(EscalationConfig).leads
    if names:
        found = [await ctx.repos.staff.find(userid) for userid in names]
        leads = [s for s in found if s is not None and s.active]
    else:
        leads = await ctx.repos.staff.list(roles=("admin",))
    leads = [s for s in leads if s.userid != besides]
    if not leads:
        return None
    return sorted(leads, key=lambda s: (not s.on_duty, names.index(s.userid) if s.userid in names else 0))[0]


def display_name(staff: Staff | None) -> str:
    """How the persona names an advisor to a customer (never a raw userid)."""
    return staff.name if staff is not None and staff.name else "专属顾问"


def colleague(staff: Staff) -> str:
    """How colleagues read a member in a staff reply: 王芳（wang.fang）, as the console writes it;
    the userid alone when no name is on file."""
    return member_words(staff.name, staff.userid)


async def member_label(ctx: Ctx, userid: str) -> str:
    """`colleague` for a userid (a member no longer in the staff table: the userid)."""
    member = await ctx.repos.staff.find(userid) if userid else None
    return colleague(member) if member is not None else userid
