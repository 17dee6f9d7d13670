"""Digest section: check-in rates of the day's running camps.

The check-in rate of a day matches the campaign summary staff see (`/campaign stats`): customers
who checked in for that day (a later make-up for it counts too) ÷ participants who had joined by
the end of it, over every campaign whose date range covers the day and which had not been ended
before the day was over.
"""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Breakdown, Metric, Provider, Value, Window, ratio
from storage.models import Checkin, CheckinCampaign, CheckinParticipant

CHECKIN_RATE = Metric("activity.checkin_rate", "打卡率", "activity", kind="rate", priority=2,
                      note="进行中的打卡活动：当天打卡人数 ÷ 当天结束前已参与人数")
CHECKIN_BY_CAMPAIGN = Metric("activity.checkin_by_campaign", "各活动打卡率", "activity", kind="rate_breakdown",
                             priority=3, note="每个进行中活动的当天打卡率")


async def checkins(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    running = (await session.execute(select(CheckinCampaign.id, CheckinCampaign.name).where(
        CheckinCampaign.start_date <= window.day, CheckinCampaign.end_date >= window.day,
        CheckinCampaign.created_at < window.end,
        or_(CheckinCampaign.ended_at.is_(None), CheckinCampaign.ended_at >= window.end),
    ).order_by(CheckinCampaign.start_date, CheckinCampaign.id))).all()
    ids = [cid for cid, _ in running]
    joined = dict((await session.execute(
        select(CheckinParticipant.campaign_id, func.count()).where(
            CheckinParticipant.campaign_id.in_(ids), CheckinParticipant.joined_at < window.end)
        .group_by(CheckinParticipant.campaign_id))).all()) if ids else {}
    checked = dict((await session.execute(
        select(Checkin.campaign_id, func.count(distinct(Checkin.customer_id))).where(
            Checkin.campaign_id.in_(ids), Checkin.day == window.day)
        .group_by(Checkin.campaign_id))).all()) if ids else {}
    rates = tuple((name, rate) for cid, name in running
                  if (rate := ratio(int(checked.get(cid, 0)), int(joined.get(cid, 0)))) is not None)
    total = ratio(sum(int(v) for v in checked.values()), sum(int(v) for v in joined.values()))
    return {CHECKIN_RATE.key: total, CHECKIN_BY_CAMPAIGN.key: Breakdown(rates)}


CHECKINS = Provider("checkins", (CHECKIN_RATE, CHECKIN_BY_CAMPAIGN), compute=checkins, order=30)
