"""Escalations of one day from the `ticket` table: opened, resolved, first response and SLA.

First response is `first_response_at − created_at` of the tickets opened that day that have one
(a ticket still waiting is not a zero; it shows up as an SLA breach once it is late). Tickets a
servicer opened by taking a chat themselves (reason "servicer") had nobody waiting and are left
out. Median and P90 use the nearest-rank method over those durations, so each is a real ticket's
wait. An SLA breach is a ticket whose first response was due that day and came after the
deadline, or has not come by the end of the day (for today: by now).
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Metric, Provider, Value, Window
from storage.models import Ticket

OPENED = Metric("service.escalations_opened", "新建工单", "service", priority=2, better=0,
                note="当天转人工的工单数（VIP、敏感话题、客户要求人工等）")
RESOLVED = Metric("service.escalations_resolved", "解决工单", "service", priority=2, note="当天标记解决的工单数")
FIRST_MEDIAN = Metric("service.first_response_median", "首次响应中位数", "service", kind="seconds", priority=2,
                      better=-1, note="当天新建工单从创建到顾问首次回复的时长中位数")
FIRST_P90 = Metric("service.first_response_p90", "首次响应 P90", "service", kind="seconds", priority=3, better=-1,
                   note="同上，90% 的工单在此时长内得到首次回复")
SLA_BREACHES = Metric("service.sla_breaches", "SLA 超时", "service", priority=2, better=-1,
                      note="首响时限在当天、但超时才回复或仍未回复的工单")


def nearest_rank(values: Sequence[float], share: float) -> float | None:
    """The smallest value with at least `share` of all values at or below it; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def escalations(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    opened = await session.scalar(select(func.count()).select_from(Ticket).where(window.covers(Ticket.created_at)))
    resolved = await session.scalar(select(func.count()).select_from(Ticket).where(
        window.covers(Ticket.resolved_at)))
    pairs = (await session.execute(select(Ticket.created_at, Ticket.first_response_at).where(
        window.covers(Ticket.created_at), Ticket.first_response_at.is_not(None), Ticket.reason != "servicer"))).all()
    waits = [(answered - created).total_seconds() for created, answered in pairs if answered is not None]
    breaches = await session.scalar(select(func.count()).select_from(Ticket).where(
        window.covers(Ticket.due_at), Ticket.due_at < window.cutoff,
        or_(Ticket.first_response_at.is_(None), Ticket.first_response_at > Ticket.due_at)))
    return {OPENED.key: int(opened or 0), RESOLVED.key: int(resolved or 0),
            FIRST_MEDIAN.key: nearest_rank(waits, 0.5), FIRST_P90.key: nearest_rank(waits, 0.9),
            SLA_BREACHES.key: int(breaches or 0)}


ESCALATIONS = Provider("escalations", (OPENED, RESOLVED, FIRST_MEDIAN, FIRST_P90, SLA_BREACHES),
                       compute=escalations, order=100)
