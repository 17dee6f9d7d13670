"""The birthday right: learnt from an order or from the customer ("我的生日是3月5日"), asked at most
once, greeted on the day through the push gate, at most once a year (handlers/points/rights.py)."""

from __future__ import annotations

import re

from handlers.orders.parsing import valid_day
from handlers.points.config import PointsConfig
from handlers.replies.voice import Say
from handlers.services import Ctx
from storage.models import Customer
from storage.repos.members import MemberRepo

SAID = re.compile(r"(?:我的)?生日(?:是|在)?\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*(?:日|号)?[。！!～~]?")


def parse_birthday(text: str) -> str | None:
    """"我的生日是3月5日" → "03-05"; None when the text is not (only) that."""
    m = SAID.fullmatch(text.strip())
    if m is None or not valid_day(int(m[1]), int(m[2])):
        return None
    return f"{int(m[1]):02d}-{int(m[2]):02d}"


async def learn_birthday(ctx: Ctx, customer: Customer, month_day: str, *, source: str) -> bool:
    """Keep a birthday (MM-DD); what the customer says wins over an order's. True when it changed."""
    facts = await MemberRepo(ctx.session).facts(customer.id)
    if facts.birthday == month_day or (facts.birthday and source == "order" and facts.birthday_source == "customer"):
        return False
    facts.birthday, facts.birthday_source = month_day, source
    return True


async def birthday_question(ctx: Ctx, customer: Customer) -> list[Say]:
    """Asked once, in a conversation the customer started ("我的积分"), never as a push."""
    if not ctx.settings.of(PointsConfig).birthday_greeting:
        return []
    facts = await MemberRepo(ctx.session).facts(customer.id)
    if facts.birthday or facts.birthday_asked_at is not None:
        return []
    facts.birthday_asked_at = ctx.clock.now()
    return [Say("points.birthday_ask")]


async def birthday_said(ctx: Ctx, customer: Customer, text: str) -> Say:
    month_day = parse_birthday(text)
    assert month_day is not None
    await learn_birthday(ctx, customer, month_day, source="customer")
    month, day = (int(part) for part in month_day.split("-"))
    return Say("points.birthday_saved", {"date": f"{month}月{day}日"})
