"""The community part of a daily digest: topic posts and their delivery, campaigns, referrals.

`community_digest(ctx, day)` returns markdown lines for one local day; the digest feature (or a
staff command) puts them into its message. Delivery numbers are as last read back from WeCom.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

from bot.context import Context
from handlers.community.campaign_stats import campaign_summary
from handlers.community.localtime import zone
from storage.repos import CampaignRepo, InterestRepo, ReferralRepo, TopicRepo


def _day_bounds(ctx: Context, day: date) -> tuple[datetime, datetime]:
    tz = zone(ctx.settings)
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(date.fromordinal(day.toordinal() + 1), time(0), tz)
    return start, end


async def community_digest(ctx: Context, day: date) -> list[str]:
    start, end = _day_bounds(ctx, day)
    lines: list[str] = []
    posts = await TopicRepo(ctx.session).posts_between(start, end)
    per_group: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for post in posts:
        counts = per_group[post.interest_group_id]
        counts[0] += len(post.chat_ids)
        counts[1] += post.sent
        counts[2] += post.pending if post.msgid else 0
        counts[3] += post.failed
    if per_group:
        lines.append("**兴趣群话题**")
        interest = InterestRepo(ctx.session)
        for group_id, (chats, sent, pending, failed) in per_group.items():
            group = await interest.get_by_id(group_id)
            lines.append(f"> {group.name}：{chats} 个群，已发送 {sent}，待群主确认 {pending}，失败 {failed}")
    campaigns = await CampaignRepo(ctx.session).running(day)
    if campaigns:
        lines.append("**打卡活动**")
        for campaign in campaigns:
            summary = await campaign_summary(ctx, campaign.key, top=3)
            today = next((d for d in summary.days if d.day == day), None)
            rate = f"今日打卡 {today.checked}/{today.participants}" if today else "今日尚无数据"
            lines.append(f"> {campaign.name}：参与 {summary.participants} 人，{rate}，完成 {summary.completed} 人")
    invites = await ReferralRepo(ctx.session).invites_between(start, end)
    if invites:
        lines.append(f"**老带新**\n> 今日新增邀请好友 {invites} 位")
    return lines
