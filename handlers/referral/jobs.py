"""The referral sweep: invite QR codes WeCom made but that were not shown yet."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.scheduler import Job
from handlers.referral.service import sweep_contact_ways
from handlers.services import Ctx
from handlers.topics.localtime import zone


async def sweep_invite_codes(ctx: Ctx, fire_time: datetime) -> None:
    await sweep_contact_ways(ctx)


def jobs(config: Config) -> list[Job]:
    return [Job("referral.sweep", CronTrigger(minute="*/5", timezone=zone(config)), sweep_invite_codes,
                misfire_grace_s=300)]
