"""Check-in campaigns (打卡): creating, listing, ending, and who may take part.

A campaign runs from `start_date` for `days` local calendar days. Its daily window, reminder
time, make-up limit and points per check-in default to the [checkin] config. Milestones are
reached on the N-th counted day (make-up cards count) and rewarded once: points, a badge tag,
a coupon text. Customers may join when the campaign has no audience restriction, or when they
carry its interest tag or sit in one of its interest group's chats.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Sequence

from bot.config.checks import check_clock, check_window
from bot.errors import CommandError, ConfigError
from handlers.checkin.config import CheckinConfig, MilestoneSpec
from handlers.services import Ctx
from handlers.staff.lookup import by_key_or_name
from handlers.topics.groups import interest_group
from storage.models import CheckinCampaign, Customer
from storage.repos import CampaignRepo, InterestRepo


def milestone_dicts(milestones: Sequence[MilestoneSpec | dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for m in milestones:
        spec = m if isinstance(m, MilestoneSpec) else MilestoneSpec(**m)
        if spec.day < 1:
            raise CommandError("里程碑天数需大于 0")
        out.append({"day": spec.day, "points": spec.points, "badge": spec.badge, "coupon": spec.coupon})
    return sorted(out, key=lambda m: m["day"])


async def create_campaign(ctx: Ctx, *, key: str, name: str, start: date, days: int, tag: str = "",
                          group: str = "", window: str = "", remind_at: str = "", makeup_limit: int | None = None,
                          points_per_checkin: int | None = None,
                          milestones: Sequence[MilestoneSpec | dict[str, Any]] = (), actor: str) -> CheckinCampaign:
    """Create a check-in campaign; unset rules come from [checkin]."""
    defaults: CheckinConfig = ctx.settings.of(CheckinConfig)
    key = key.strip()
    if not key or len(key) > 32:
        raise CommandError("活动标识需为 1-32 个字符，例如 read21")
    if days < 1 or days > 366:
        raise CommandError("活动天数需在 1-366 之间")
    repo = CampaignRepo(ctx.session)
    if await repo.find(key) is not None:
        raise CommandError(f"活动 {key} 已存在")
    window = window or defaults.window
    remind_at = remind_at or defaults.remind_at
    try:
        check_window("window", window)
        check_clock("remind_at", remind_at)
    except ConfigError as exc:
        raise CommandError(f"时间格式有误：{exc.problem}") from None
    group_id = (await interest_group(ctx, group)).id if group else None
    campaign = CheckinCampaign(
        key=key, name=name.strip() or key, tag=tag, interest_group_id=group_id, start_date=start,
        end_date=start + timedelta(days=days - 1), daily_window=window, remind_at=remind_at,
        makeup_limit=defaults.makeup_limit if makeup_limit is None else makeup_limit,
        points_per_checkin=defaults.points_per_checkin if points_per_checkin is None else points_per_checkin,
        milestones=milestone_dicts(milestones), status="active", source=f"staff:{actor}",
        created_at=ctx.clock.now())
    ctx.session.add(campaign)
    await ctx.session.flush()
    ctx.repos.audit.record(actor=actor, action="campaign_created", target=key,
                           detail={"start": start.isoformat(), "days": days}, now=ctx.clock.now())
    return campaign


async def get_campaign(ctx: Ctx, key: str) -> CheckinCampaign:
    """The campaign with this key, or else the one with this name ("/campaign stats 7天早睡打卡")."""
    repo = CampaignRepo(ctx.session)
    return by_key_or_name(key, await repo.find(key), await repo.list(include_ended=True), "打卡活动")


async def list_campaigns(ctx: Ctx, *, include_ended: bool = False) -> list[CheckinCampaign]:
    return await CampaignRepo(ctx.session).list(include_ended=include_ended)


async def end_campaign(ctx: Ctx, key: str, *, actor: str) -> CheckinCampaign:
    """Stop a campaign early: later check-ins get the friendly "it has ended" answer."""
    campaign = await get_campaign(ctx, key)
    campaign.status, campaign.ended_at = "ended", ctx.clock.now()
    ctx.repos.audit.record(actor=actor, action="campaign_ended", target=campaign.key, now=ctx.clock.now())
    return campaign


def days_of(campaign: CheckinCampaign) -> int:
    return (campaign.end_date - campaign.start_date).days + 1


def is_over(campaign: CheckinCampaign, today: date) -> bool:
    return campaign.status != "active" or today > campaign.end_date


async def eligible(ctx: Ctx, campaign: CheckinCampaign, customer: Customer) -> bool:
    """Open campaigns take everyone; restricted ones need the tag or a seat in the group's chats."""
    if not campaign.tag and campaign.interest_group_id is None:
        return True
    if campaign.tag and any(t.name == campaign.tag for t in await ctx.repos.tags.of_customer(customer.id)):
        return True
    return campaign.interest_group_id is not None and await InterestRepo(ctx.session).member_of(
        campaign.interest_group_id, customer.external_userid)
