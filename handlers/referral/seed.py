"""Config → database at start-up: referral campaigns, created once by key."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from handlers.referral.config import ReferralConfig
from handlers.referral.service import tier_dicts
from storage.models import ReferralCampaign
from storage.repos import ReferralRepo

SOURCE = "config"


async def seed_referrals(session: AsyncSession, config: Config, now: datetime) -> None:
    repo = ReferralRepo(session)
    for spec in config.of(ReferralConfig).campaigns:
        if await repo.find(spec.key) is not None:
            continue
        session.add(ReferralCampaign(
            key=spec.key, name=spec.name, staff_userid=spec.staff, tiers=tier_dicts(spec.tiers),
            start_date=date.fromisoformat(spec.start) if spec.start else None,
            end_date=date.fromisoformat(spec.end) if spec.end else None, status="active", source=SOURCE,
            created_at=now))
    await session.flush()
