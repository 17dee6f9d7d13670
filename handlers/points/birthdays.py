"""The birthday right: learnt from an order or from the customer ("我的生日是3月5日"), asked at most
once, greeted on the day through the push gate, at most once a year (handlers/points/rights.py)."""

from __future__ import annotations

from handlers.services import Ctx
from storage.models import Customer
from storage.repos.members import MemberRepo


async def learn_birthday(ctx: Ctx, customer: Customer, month_day: str, *, source: str) -> bool:
    """Keep a birthday (MM-DD); what the customer says wins over an order's. True when it changed."""
    facts = await MemberRepo(ctx.session).facts(customer.id)
    if facts.birthday == month_day or (facts.birthday and source == "order" and facts.birthday_source == "customer"):
        return False
    facts.birthday, facts.birthday_source = month_day, source
    return True
