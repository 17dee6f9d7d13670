"""Topic jobs: the daily group sync, reading back post results, the task sweep, and the calendars
kept in the database."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.scheduler import Job, JobSource
from handlers.services import Ctx
from handlers.topics.localtime import zone
from handlers.topics.posts import JOB_PREFIX, request_results, sweep_tasks, topic_jobs


async def sync_groups(ctx: Ctx, fire_time: datetime) -> None:
    """Nightly: list every customer group, so groups we missed events for are learned too."""
    ctx.outbox.groupchat_list()


async def read_back_results(ctx: Ctx, fire_time: datetime) -> None:
    await request_results(ctx, fire_time)


async def sweep_topic_tasks(ctx: Ctx, fire_time: datetime) -> None:
    await sweep_tasks(ctx)


def jobs(config: Config) -> list[Job]:
    tz = zone(config)
    return [Job("topics.sync_groups", CronTrigger(hour=4, minute=10, timezone=tz), sync_groups,
                misfire_grace_s=6 * 3600),
            Job("topics.results", CronTrigger(minute="5,35", timezone=tz), read_back_results, misfire_grace_s=1800),
            Job("topics.sweep", CronTrigger(minute="*/5", timezone=tz), sweep_topic_tasks, misfire_grace_s=300)]


def job_sources(config: Config) -> dict[str, JobSource]:
    return {JOB_PREFIX: topic_jobs(config)}
