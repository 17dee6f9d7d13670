"""Digest, value section: points issued (the ledger's credits; deductions, refunds and redemptions are
not "issued"), redeemed, outstanding at the day's end, redemptions, and members by level."""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Breakdown, Metric, Provider, Value, Window, counts_by
from storage.models import Customer, PointsEntry, Redemption

POINTS_ISSUED = Metric("value.points_issued", "发放积分", "value", priority=3, better=0,
                       note="积分流水中当天的加分合计（订单、打卡、里程碑、推荐、员工加分）")
POINTS_REDEEMED = Metric("value.points_redeemed", "兑换消耗积分", "value", priority=3, better=0,
                         note="当天确认兑换扣除的积分")
POINTS_OUTSTANDING = Metric("value.points_outstanding", "未使用积分", "value", priority=4, better=0,
                            note="截至当天结束所有客户的积分余额合计")
REDEMPTIONS = Metric("value.redemptions", "积分兑换", "value", priority=3, note="当天确认的兑换笔数")
NO_LEVEL = "暂无等级"
MEMBERS_BY_LEVEL = Metric("value.members_by_level", "会员等级分布（当前）", "value", kind="breakdown", priority=3,
                          note="现在各等级的客户数（未流失的客户）；还没有积分的客户算在从 0 分起的等级，"
                               "没有这样的等级时计为“暂无等级”，列在最后"
                               "（等级不留历史，往日显示的也是当前分布）",
                          words=(("", NO_LEVEL),), vocabulary="level")


async def points_value(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    issued = await session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.delta > 0, window.covers(PointsEntry.created_at)))
    redeemed = await session.scalar(select(func.coalesce(func.sum(-PointsEntry.delta), 0)).where(
        PointsEntry.source == "redeem", window.covers(PointsEntry.created_at)))
    outstanding = await session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.created_at < window.end))
    redemptions = await session.scalar(select(func.count()).select_from(Redemption).where(
        window.covers(Redemption.ordered_at)))
    # Every current customer has a row: those without a level yet (no points) are counted, last, not left out.
    levels = await counts_by(session, Customer.level, Customer.status == "active")
    levels = tuple(row for row in levels if row[0]) + tuple(row for row in levels if not row[0])
    return {POINTS_ISSUED.key: int(issued or 0), POINTS_REDEEMED.key: int(redeemed or 0),
            POINTS_OUTSTANDING.key: int(outstanding or 0), REDEMPTIONS.key: int(redemptions or 0),
            MEMBERS_BY_LEVEL.key: Breakdown(levels)}


POINTS = Provider("points", (POINTS_ISSUED, POINTS_REDEEMED, POINTS_OUTSTANDING, REDEMPTIONS, MEMBERS_BY_LEVEL),
                  compute=points_value, order=80)
