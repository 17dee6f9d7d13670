"""The console's campaigns page and the customer page's points (bot/console/sources.py), read
through the same summaries staff get from /campaign stats and the points ledger."""

from __future__ import annotations

from datetime import datetime, time
from typing import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.sources import CampaignView, LeaderRow, TopicView
from bot.context import Context
from handlers.community.campaign_stats import campaign_summary
from handlers.community.localtime import local_day, zone
from handlers.community.points import standing
from storage.models import CheckinCampaign, Customer
from storage.repos import CampaignRepo, InterestRepo, TopicRepo

ContextFactory = Callable[[AsyncSession], Context]
TOPIC_STATE = {"active": "轮换中", "paused": "已暂停"}


def _state(campaign: CheckinCampaign, today: object) -> str:
    if campaign.status != "active" or campaign.end_date < today:  # type: ignore[operator]
        return "ended"
    return "draft" if campaign.start_date > today else "running"  # type: ignore[operator]


class CommunityCampaigns:
    """Check-in campaigns (newest first) with today's rate and leaderboard, and every group topic."""

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    async def campaigns(self, session: AsyncSession) -> list[CampaignView]:
        ctx = self.context(session)
        tz, today = zone(ctx.settings), local_day(ctx.settings, ctx.clock.now())
        views = []
        for c in reversed(await CampaignRepo(session).list(include_ended=True)):
            summary = await campaign_summary(ctx, c.key, top=0)
            day = next((d for d in summary.days if d.day == today), None)
            views.append(CampaignView(
                id=c.id, name=c.name, state=_state(c, today), starts=datetime.combine(c.start_date, time(12), tz),
                ends=datetime.combine(c.end_date, time(12), tz), participants=summary.participants,
                checkin_rate=day.rate if day is not None and day.participants else None))
        return views

    async def leaderboard(self, session: AsyncSession, campaign_id: int, limit: int = 10) -> list[LeaderRow]:
        ctx = self.context(session)
        campaign = await session.get(CheckinCampaign, campaign_id)
        if campaign is None:
            return []
        summary = await campaign_summary(ctx, campaign.key, top=limit)
        return [LeaderRow(name=r.name, score=r.total) for r in summary.leaderboard]

    async def topics(self, session: AsyncSession) -> list[TopicView]:
        groups = {g.id: g.name for g in await InterestRepo(session).all()}
        return [TopicView(name=f"{groups.get(t.interest_group_id, '')} · {t.text[:40]}",
                          state=TOPIC_STATE.get(t.status, t.status), posts=t.post_count)
                for t in await TopicRepo(session).topics()]


def points_fact(context: ContextFactory):  # type: ignore[no-untyped-def]
    """The customer page's "积分" line: balance and member level from the ledger."""

    async def fact(session: AsyncSession, customer: Customer) -> list[tuple[str, str]]:
        current = await standing(context(session), customer)
        level = f"（{current.level.name}）" if current.level else ""
        return [("积分", f"{current.balance}{level}")]

    return fact
