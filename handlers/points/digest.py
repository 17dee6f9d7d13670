"""Digest section: points issued (the ledger's credits; staff deductions and redemptions are not
"issued")."""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Metric, Provider, Value, Window
from storage.models import PointsEntry

POINTS_ISSUED = Metric("value.points_issued", "发放积分", "value", priority=3, better=0,
                       note="积分流水中当天的加分合计（打卡、里程碑、推荐、员工加分）")


async def points_issued(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    issued = await session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.delta > 0, window.covers(PointsEntry.created_at)))
    return {POINTS_ISSUED.key: int(issued or 0)}


POINTS = Provider("points", (POINTS_ISSUED,), compute=points_issued, order=80)
