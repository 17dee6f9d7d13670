"""Community numbers of one day: check-ins per running campaign, topic posts, points, referrals.

The check-in rate of a day matches the campaign summary staff see (`/campaign stats`): customers
who checked in for that day (a later make-up for it counts too) ÷ participants who had joined by
the end of it, over every campaign whose date range covers the day and which had not been ended
before the day was over. Points issued are the credits of the ledger (staff deductions and
redemptions are not "issued"). Referrals are invited friends still counted, not those who left.
"""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digest.metrics import Breakdown, Metric, Provider, Value, Window, ratio
from storage.models import Checkin, CheckinCampaign, CheckinParticipant, PointsEntry, ReferralInvite, Topic, TopicPost

CHECKIN_RATE = Metric("activity.checkin_rate", "打卡率", "activity", kind="rate", priority=2,
                      note="进行中的打卡活动：当天打卡人数 ÷ 当天结束前已参与人数")
CHECKIN_BY_CAMPAIGN = Metric("activity.checkin_by_campaign", "各活动打卡率", "activity", kind="rate_breakdown",
                             priority=3, note="每个进行中活动的当天打卡率")
TOPICS = Metric("activity.topics", "热门话题", "activity", kind="breakdown", priority=4,
                note="当天发到兴趣群的话题（后为发送批次数）")
POINTS_ISSUED = Metric("value.points_issued", "发放积分", "value", priority=3, better=0,
                       note="积分流水中当天的加分合计（打卡、里程碑、推荐、员工加分）")
REFERRALS = Metric("conversion.referrals", "推荐新客", "conversion", priority=3,
                   note="老带新活动当天计入的新好友（之后删除的不计）")


async def campaigns(session: AsyncSession, window: Window) -> Mapping[str, Value]:
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
    posts = func.count(TopicPost.id).label("n")
    rows = (await session.execute(
        select(Topic.text, posts).join(Topic, Topic.id == TopicPost.topic_id)
        .where(window.covers(TopicPost.created_at)).group_by(Topic.id, Topic.text)
        .order_by(posts.desc(), Topic.id).limit(10))).all()
    topics = tuple((t if len(t) <= 30 else t[:29] + "…", int(n)) for t, n in rows)
    return {CHECKIN_RATE.key: total, CHECKIN_BY_CAMPAIGN.key: Breakdown(rates), TOPICS.key: Breakdown(topics)}


async def points_and_referrals(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    issued = await session.scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.delta > 0, window.covers(PointsEntry.created_at)))
    referred = await session.scalar(select(func.count()).select_from(ReferralInvite).where(
        and_(ReferralInvite.status == "counted", window.covers(ReferralInvite.added_at))))
    return {POINTS_ISSUED.key: int(issued or 0), REFERRALS.key: int(referred or 0)}


CAMPAIGNS = Provider("campaigns", (CHECKIN_RATE, CHECKIN_BY_CAMPAIGN, TOPICS), compute=campaigns)
VALUE = Provider("points", (POINTS_ISSUED, REFERRALS), compute=points_and_referrals)
