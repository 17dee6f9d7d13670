"""Digest section: friends brought by referral campaigns (invited friends still counted, not
those who left)."""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Metric, Provider, Value, Window
from storage.models import ReferralInvite

REFERRALS = Metric("conversion.referrals", "推荐新客", "conversion", priority=3,
                   note="老带新活动当天计入的新好友（之后删除的不计）")


async def referrals(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    referred = await session.scalar(select(func.count()).select_from(ReferralInvite).where(
        ReferralInvite.status == "counted", window.covers(ReferralInvite.added_at)))
    return {REFERRALS.key: int(referred or 0)}


REFERRAL = Provider("referrals", (REFERRALS,), compute=referrals, order=85)
