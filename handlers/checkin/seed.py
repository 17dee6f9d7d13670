"""Config → database at start-up: check-in camps, created once by key and then left to staff,
so a restart never resets a running camp."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from handlers.checkin.campaigns import milestone_dicts
from handlers.checkin.config import CheckinConfig
from storage.models import CheckinCampaign
from storage.repos import CampaignRepo, InterestRepo

SOURCE = "config"


async def seed_campaigns(session: AsyncSession, config: Config, now: datetime) -> None:
    """Check-in camps of the config file, each created once (interest groups are seeded first)."""
    groups = {g.key: g for g in await InterestRepo(session).all()}
    repo, defaults = CampaignRepo(session), config.of(CheckinConfig)
    for spec in defaults.campaigns:
        if await repo.find(spec.key) is not None:
            continue
        start = date.fromisoformat(spec.start)
        session.add(CheckinCampaign(
            key=spec.key, name=spec.name, tag=spec.tag, interest_group_id=groups[spec.group].id if spec.group else None,
            start_date=start, end_date=start + timedelta(days=spec.days - 1),
            daily_window=spec.window or defaults.window,
            remind_at=spec.remind_at or defaults.remind_at,
            makeup_limit=defaults.makeup_limit if spec.makeup_limit < 0 else spec.makeup_limit,
            points_per_checkin=defaults.points_per_checkin, milestones=milestone_dicts(spec.milestones),
            status="active", source=SOURCE, created_at=now))
    await session.flush()
