"""Config → database at start-up: interest groups, topic calendars, campaigns from the config file.

The database stays the source of truth (staff add and pause things at run time); the config
seeds it. Rows that came from the config follow the config: a schedule or topic removed from
the file is paused, never deleted (its posts keep their history). Campaigns are created once
by key and then left to staff, so a restart never resets a running campaign.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.errors import ConfigError
from handlers.community.campaigns import milestone_dicts
from handlers.community.referrals import tier_dicts
from storage.models import CheckinCampaign, InterestGroup, ReferralCampaign, Topic, TopicSchedule
from storage.repos import CampaignRepo, InterestRepo, ReferralRepo, TopicRepo

SOURCE = "config"


async def seed_community(session: AsyncSession, config: Config, now: datetime) -> None:
    groups = await _groups(session, config, now)
    await _schedules(session, config, groups, now)
    await _topics(session, config, groups, now)
    await _campaigns(session, config, groups, now)
    await _referrals(session, config, now)


async def _groups(session: AsyncSession, config: Config, now: datetime) -> dict[str, InterestGroup]:
    repo = InterestRepo(session)
    out = {g.key: g for g in await repo.all()}
    for spec in config.community.groups:
        group = out.get(spec.key)
        if group is None:
            group = InterestGroup(key=spec.key, name=spec.name, tag=spec.tag,
                                  chat_name_contains=spec.chat_name_contains, status="active", source=SOURCE,
                                  created_at=now)
            session.add(group)
            await session.flush()
            out[spec.key] = group
        elif group.source == SOURCE:
            group.name, group.tag, group.chat_name_contains = spec.name, spec.tag, spec.chat_name_contains
        for chat_id in spec.chats:
            await repo.link(group, chat_id, by=SOURCE, now=now)
    return out


async def _schedules(session: AsyncSession, config: Config, groups: dict[str, InterestGroup], now: datetime) -> None:
    repo = TopicRepo(session)
    wanted = set()
    for spec in config.community.schedules:
        group = groups[spec.group]
        cron = " ".join(spec.cron.split())
        wanted.add((group.id, cron))
        row = await repo.find_schedule(group.id, cron)
        if row is None:
            session.add(TopicSchedule(interest_group_id=group.id, cron=cron, status="active", source=SOURCE,
                                      created_at=now))
        elif row.source == SOURCE:
            row.status = "active"
    for row in await repo.schedules():
        if row.source == SOURCE and (row.interest_group_id, row.cron) not in wanted:
            row.status = "paused"
    await session.flush()


async def _topics(session: AsyncSession, config: Config, groups: dict[str, InterestGroup], now: datetime) -> None:
    repo = TopicRepo(session)
    wanted = set()
    for spec in config.community.topics:
        group = groups[spec.group]
        wanted.add((group.id, spec.text.strip()))
        row = await repo.find_topic(group.id, spec.text.strip())
        if row is None:
            row = Topic(interest_group_id=group.id, text=spec.text.strip(), source=SOURCE, post_count=0, created_at=now)
            session.add(row)
        if row.source == SOURCE:
            row.status, row.link_url, row.link_title = "active", spec.link, spec.link_title
            row.image_url, row.is_product = spec.image, spec.product
    for row in await repo.topics():
        if row.source == SOURCE and (row.interest_group_id, row.text) not in wanted:
            row.status = "paused"
    await session.flush()


async def _campaigns(session: AsyncSession, config: Config, groups: dict[str, InterestGroup], now: datetime) -> None:
    repo, defaults = CampaignRepo(session), config.checkin
    for i, spec in enumerate(defaults.campaigns):
        if await repo.find(spec.key) is not None:
            continue
        if spec.group and spec.group not in groups:
            raise ConfigError(f"checkin.campaigns[{i}].group", f"no interest group {spec.group!r} in community.groups")
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


async def _referrals(session: AsyncSession, config: Config, now: datetime) -> None:
    repo = ReferralRepo(session)
    for spec in config.referral.campaigns:
        if await repo.find(spec.key) is not None:
            continue
        session.add(ReferralCampaign(
            key=spec.key, name=spec.name, staff_userid=spec.staff, tiers=tier_dicts(spec.tiers),
            start_date=date.fromisoformat(spec.start) if spec.start else None,
            end_date=date.fromisoformat(spec.end) if spec.end else None, status="active", source=SOURCE,
            created_at=now))
    await session.flush()
