"""Check-in camps in the kf chat: "打卡"/"补卡" answered by the persona, one reminder a day."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.context import Context
from bot.dispatcher import Router
from bot.scheduler import Job
from bot.wecom.events import KfMessageReceived
from handlers.community.checkins import attach_photo, check_in, is_checkin, send_reminders
from handlers.community.localtime import zone
from handlers.community.voice import reply_all

router = Router("checkin")


@router.on(KfMessageReceived, when=is_checkin)
async def acknowledge_checkin(event: KfMessageReceived, ctx: Context) -> None:
    """Count the day (or explain kindly why not) with streak and rank, then any milestone."""
    await reply_all(ctx, await check_in(ctx, event))


def _customer_photo(event: KfMessageReceived, _: Context) -> bool:
    return event.from_customer and event.msgtype == "image"


@router.on(KfMessageReceived, when=_customer_photo, block=False)
async def keep_checkin_photo(event: KfMessageReceived, ctx: Context) -> None:
    """A photo right after 打卡 is the day's proof; whatever else answers photos still does."""
    await attach_photo(ctx, event)


async def remind_participants(ctx: Context, fire_time: datetime) -> None:
    await send_reminders(ctx, fire_time)


def jobs(config: Config) -> list[Job]:
    # every 10 minutes: each campaign's own remind_at decides who is due; one reminder per day
    return [Job("checkin.remind", CronTrigger(minute="*/10", timezone=zone(config)), remind_participants,
                misfire_grace_s=600)]
