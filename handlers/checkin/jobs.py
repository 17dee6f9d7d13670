"""The check-in reminder: every 10 minutes, each camp's own remind_at decides who is due (once a day)."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.scheduler import Job
from handlers.checkin.service import send_reminders
from handlers.services import Ctx
from handlers.topics.localtime import zone


async def remind_participants(ctx: Ctx, fire_time: datetime) -> None:
    await send_reminders(ctx, fire_time)


def jobs(config: Config) -> list[Job]:
    # every 10 minutes: each campaign's own remind_at decides who is due; one reminder per day
    return [Job("checkin.remind", CronTrigger(minute="*/10", timezone=zone(config)), remind_participants,
                misfire_grace_s=600)]
