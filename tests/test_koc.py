"""Customers worth noticing: the KOC score from invitations that stayed, check-ins, orders and
messages (weights from [koc]), /koc with the why, /koc tag for 1:1 care; suggestions recorded with
their text, /suggestions, and the 产品体验官候选 tag for a repeat suggestion-giver."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from handlers.orders.parsing import Item, OrderInput
from handlers.orders.service import record_order
from storage.models import (
    Checkin,
    CheckinCampaign,
    Customer,
    ReferralCampaign,
    ReferralInvite,
    ReferralParticipant,
    Suggestion,
)
from tests.community_kit import at, service, start_bot
from tests.service_kit import say

STAFF = {"admins": ["zhang.wei"], "operators": ["li.na"], "advisors": ["wang.fang"]}


@pytest.fixture
async def bot(db_url, wecom, clock):
    clock.set(at(3, 2, 10))
    bot = await start_bot(db_url, wecom, clock, staff=STAFF)
    yield bot
    await bot.stop()


async def customers(bot: Any, wecom: Any, *exts: str) -> dict[str, int]:
    for ext in exts:
        await wecom.customer_says(ext, "你好")
    await bot.drain()
    async with service(bot) as ctx:
        return {ext: (await found(ctx, ext)).id for ext in exts}


async def seed(bot: Any, ids: dict[str, int]) -> None:
    """wmK1: 2 friends invited who stayed (+1 who left); wmK2: 12 check-ins; wmK3: 3 paid orders."""
    async with service(bot) as ctx:
        now = ctx.clock.now()
        campaign = ReferralCampaign(key="c", name="邀请", staff_userid="zhang.wei", tiers=[], status="active",
                                    source="test", created_at=now)
        camp = CheckinCampaign(key="k", name="打卡", start_date=date(2026, 2, 1), end_date=date(2026, 3, 31),
                               daily_window="00:00-24:00", remind_at="20:00", milestones=[], created_at=now)
        ctx.session.add_all([campaign, camp])
        await ctx.session.flush()
        part = ReferralParticipant(campaign_id=campaign.id, customer_id=ids["wmK1"], state="s1", joined_at=now)
        ctx.session.add(part)
        await ctx.session.flush()
        for invitee, status in [("wmK4", "counted"), ("wmK5", "counted"), ("wmK6", "left")]:
            ctx.session.add(ReferralInvite(campaign_id=campaign.id, participant_id=part.id,
                                           invitee_customer_id=ids[invitee], staff_userid="zhang.wei",
                                           status=status, added_at=now))
        for i in range(12):
            ctx.session.add(Checkin(campaign_id=camp.id, customer_id=ids["wmK2"], day=date(2026, 2, 10) + timedelta(i),
                                    day_index=i + 1, kind="on_time", created_at=now))
        for i in range(3):
            await record_order(ctx, OrderInput(order_id=f"K{i}", external_userid="wmK3", unionid_hash="",
                                               buyer_id="", amount_fen=100, items=(Item("面霜", 1),), paid_at=now,
                                               channel="天猫", status="paid"), source="api")


async def test_koc_ranks_by_weighted_activity_and_says_why(bot, wecom) -> None:
    ids = await customers(bot, wecom, "wmK1", "wmK2", "wmK3", "wmK4", "wmK5", "wmK6")
    await seed(bot, ids)
    answer = await say(bot, wecom, "li.na", "/koc 3")
    lines = answer.splitlines()
    # wmK1: 2 invites × 10 + 1 message × 0.2; wmK3: 3 orders × 5 + 0.2; wmK2: 12 check-ins + 0.2
    assert "20.2 分（邀请 2 · 发言 1）" in lines[1]
    assert "15.2 分（订单 3 · 发言 1）" in lines[2]
    assert "12.2 分（打卡 12 · 发言 1）" in lines[3]


async def test_koc_tag_tags_the_top_and_gives_them_an_advisor(bot, wecom) -> None:
    ids = await customers(bot, wecom, "wmK1", "wmK2", "wmK3", "wmK4", "wmK5", "wmK6")
    await seed(bot, ids)
    answer = await say(bot, wecom, "li.na", "/koc tag 2")
    assert "2 位" in answer
    async with service(bot) as ctx:
        for ext, tagged in (("wmK1", True), ("wmK3", True), ("wmK2", False)):
            customer = await found(ctx, ext)
            names = [t.name for t in await ctx.repos.tags.of_customer(customer.id)]
            assert ("KOC" in names) is tagged, ext
            assert (customer.advisor_userid == "wang.fang") is tagged, ext


async def test_a_customer_cannot_list_kocs(bot, wecom) -> None:
    await customers(bot, wecom, "wmK1")
    await wecom.customer_says("wmK1", "/koc")
    await bot.drain()
    assert not any("KOC 前" in t for t in wecom.customer_inbox("wmK1"))


async def test_suggestions_are_recorded_and_a_repeat_giver_is_tagged(bot, wecom) -> None:
    await customers(bot, wecom, "wmS1")
    for text in ("建议出一款无香精的面霜", "希望", "希望能出大容量的家庭装"):
        await wecom.customer_says("wmS1", text)
        await bot.drain()
    async with bot.sessions() as s:
        texts = [x.text for x in (await s.scalars(select(Suggestion).order_by(Suggestion.id))).all()]
    assert texts == ["建议出一款无香精的面霜", "希望能出大容量的家庭装"]  # "希望" alone is no proposal
    assert len(wecom.customer_inbox("wmS1")) >= 4  # every message was still answered
    async with service(bot) as ctx:
        customer = await found(ctx, "wmS1")
        assert "产品体验官候选" in [t.name for t in await ctx.repos.tags.of_customer(customer.id)]
    listing = await say(bot, wecom, "li.na", "/suggestions")
    assert "无香精" in listing and "家庭装" in listing


async def test_one_suggestion_does_not_tag(bot, wecom) -> None:
    await customers(bot, wecom, "wmS2")
    await wecom.customer_says("wmS2", "要是能送小样就好了")
    await bot.drain()
    async with service(bot) as ctx:
        customer = await found(ctx, "wmS2")
        assert "产品体验官候选" not in [t.name for t in await ctx.repos.tags.of_customer(customer.id)]


async def found(ctx: Any, ext: str) -> Customer:
    """The customer with this external_userid (the test made them)."""
    customer = await ctx.repos.customers.find(ext)
    assert isinstance(customer, Customer), ext
    return customer
