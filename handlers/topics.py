"""Interest-group topics: learn customer groups from WeCom, post the topic calendar, read back results."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.context import Context
from bot.dispatcher import Router
from bot.followups import FollowUp
from bot.scheduler import Job, JobSource
from bot.wecom.events import GroupCreated, GroupUpdated
from handlers.community.groups import apply_groupchat_get, apply_groupchat_list, learn_group
from handlers.community.localtime import zone
from handlers.community.topic_posts import JOB_PREFIX, apply_send_result, apply_task, request_results, sweep_tasks, topic_jobs

router = Router("topics")


@router.on(GroupCreated, GroupUpdated, block=False)
async def learn_customer_group(event: GroupCreated | GroupUpdated, ctx: Context) -> None:
    """A new group, or a new name or owner: ask WeCom for the details topic posts need."""
    if isinstance(event, GroupUpdated) and event.update_detail not in ("change_name", "change_owner"):
        return
    learn_group(ctx, event.chat_id)


async def sync_groups(ctx: Context, fire_time: datetime) -> None:
    """Nightly: list every customer group, so groups we missed events for are learned too."""
    ctx.outbox.groupchat_list()


async def read_back_results(ctx: Context, fire_time: datetime) -> None:
    await request_results(ctx, fire_time)


async def sweep_topic_tasks(ctx: Context, fire_time: datetime) -> None:
    await sweep_tasks(ctx)


def jobs(config: Config) -> list[Job]:
    tz = zone(config)
    return [Job("topics.sync_groups", CronTrigger(hour=4, minute=10, timezone=tz), sync_groups,
                misfire_grace_s=6 * 3600),
            Job("topics.results", CronTrigger(minute="5,35", timezone=tz), read_back_results, misfire_grace_s=1800),
            Job("topics.sweep", CronTrigger(minute="*/5", timezone=tz), sweep_topic_tasks, misfire_grace_s=300)]


def job_sources(config: Config) -> dict[str, JobSource]:
    return {JOB_PREFIX: topic_jobs(config)}


def followups() -> dict[str, list[FollowUp]]:
    return {"externalcontact/add_msg_template": [apply_task],
            "externalcontact/get_groupmsg_send_result": [apply_send_result],
            "externalcontact/groupchat/get": [apply_groupchat_get],
            "externalcontact/groupchat/list": [apply_groupchat_list]}
