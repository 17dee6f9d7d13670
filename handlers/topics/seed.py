"""Config → database at start-up: interest groups, their topic calendars and topics.

Rows that came from the config follow the config: a schedule or topic removed from the file is
paused, never deleted (its posts keep their history)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from handlers.topics.config import CommunityConfig
from storage.models import InterestGroup, Topic, TopicSchedule
from storage.repos import InterestRepo, TopicRepo

SOURCE = "config"


async def seed_topics(session: AsyncSession, config: Config, now: datetime) -> None:
    """Interest groups, schedules and topics of the config file into the database."""
    groups = await _groups(session, config, now)
    await _schedules(session, config, groups, now)
    await _topics(session, config, groups, now)


async def _groups(session: AsyncSession, config: Config, now: datetime) -> dict[str, InterestGroup]:
    repo = InterestRepo(session)
    out = {g.key: g for g in await repo.all()}
    for spec in config.of(CommunityConfig).groups:
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
    for spec in config.of(CommunityConfig).schedules:
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
    for spec in config.of(CommunityConfig).topics:
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
