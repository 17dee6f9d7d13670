"""The points feature's scheduled jobs, at `[points] send_at` local time (each fire time once across
replicas): expiry and its notice, the birthday greeting, the monthly member gift reminder and the
yearly level review; hourly, the one reminder to customers who did not say where to send a reward."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.scheduler import Job
from handlers.points import expiry, rights, shipping
from handlers.points.config import PointsConfig
from persona import times


def jobs(config: Config) -> list[Job]:
    points, tz = config.of(PointsConfig), config.persona.timezone
    hour, minute = divmod(times.minutes(points.send_at), 60)
    daily = dict(hour=hour, minute=minute, timezone=tz)
    out: list[Job] = []
    if points.address_remind_hours and any(r.ships for r in points.rewards):
        out.append(Job("points.address_reminder", CronTrigger(minute=25, timezone=tz), shipping.remind_addresses,
                       misfire_grace_s=3000))
    if points.expire_months:
        out.append(Job("points.expire", CronTrigger(day=1, hour=0, minute=5, timezone=tz), expiry.expire_points,
                       misfire_grace_s=7 * 86400))
        out.append(Job("points.expiry_notice", CronTrigger(**daily), expiry.announce_expiry, misfire_grace_s=6 * 3600))
    if points.birthday_greeting:
        out.append(Job("points.birthdays", CronTrigger(**daily), rights.greet_birthdays, misfire_grace_s=6 * 3600))
    if points.gift_levels:
        out.append(Job("points.monthly_gift", CronTrigger(day=points.gift_day, **daily), rights.remind_monthly_gift,
                       misfire_grace_s=6 * 3600))
    if points.review:
        month, day = (int(part) for part in points.review.split("-"))
        out.append(Job("points.review", CronTrigger(month=month, day=day, hour=0, minute=15, timezone=tz),
                       rights.review_levels, misfire_grace_s=7 * 86400))
    return out
