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

# The end, with an ask to remember it: "我生日是6月18号 帮我记一下".
_END = (r"(?:哦|呀|啦|哈|呢|的)?[。！!～~]?"
        r"(?:[\s，,]*(?:帮我|麻烦|请|你)?(?:记一下|记下|记住|记着)(?:哦|呀|啦|哈|吧)?[。！!～~]?)?")
# "我的生日是3月5日", "我生日5月3号", "生日：5/3"; and the date first: "我是五月三号生日的", "5月3号生日".
SAID = (re.compile(r"(?:我的?|本人)?生日(?:是|在|[:：])?\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*(?:日|号)?" + _END),
        re.compile(r"(?:我是?|本人)?\s*(\d{1,2})\s*月\s*(\d{1,2})\s*(?:日|号)\s*(?:的)?(?:生日|出生)" + _END))
_DIGITS = "一二三四五六七八九"


def _arabic(text: str) -> str:
    """五月三号 → 5月3号 (Chinese numerals up to 三十九 before 月, 日 or 号)."""
    def number(m: re.Match[str]) -> str:
        word = m[1]
        tens, _, ones = word.rpartition("十")
        if "十" not in word:
            return str(_DIGITS.index(word) + 1) + m[2]
        value = (_DIGITS.index(tens) + 1 if tens else 1) * 10 + (_DIGITS.index(ones) + 1 if ones else 0)
        return str(value) + m[2]
    return re.sub(r"([一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])(月|日|号)", number, text)


def parse_birthday(text: str) -> str | None:
    """"我的生日是3月5日" → "03-05"; None when the text is not (only) that."""
    said = _arabic(text.strip())
    m = next((m for pattern in SAID if (m := pattern.fullmatch(said))), None)
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
    greeted = ctx.settings.of(PointsConfig).birthday_greeting  # else kept, and no greeting promised ("kept")
    return Say("points.birthday_saved", {"date": f"{month}月{day}日"}, slot=None if greeted else "kept")


async def birthday_perk(ctx: Ctx, customer: Customer) -> Say:
    """What the birthday brings: the greeting; the birthday asked when unknown (and marked asked), said back when
    known."""
    facts = await MemberRepo(ctx.session).facts(customer.id)
    if facts.birthday:
        month, day = (int(part) for part in facts.birthday.split("-"))
        return Say("points.birthday_perk", {"date": f"{month}月{day}日"}, slot="kept")
    facts.birthday_asked_at = facts.birthday_asked_at or ctx.clock.now()
    return Say("points.birthday_perk")
