"""The managers' daily digest, sent at [digest] send_at: app message and, optionally, the group robot.

At send_at on day D it reports day D-1 (the last whole day in persona.timezone). The scheduler
runs each fire time once across replicas and commits the outbox rows with the run record.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.scheduler import Job
from handlers.digest.config import DigestConfig
from handlers.digest.render import APP_MARKDOWN_LIMIT, WEBHOOK_MARKDOWN_LIMIT, markdown
from handlers.digest.service import compute, console_link, digest_title
from handlers.services import Ctx

JOB_NAME = "digest.daily"


def jobs(config: Config) -> list[Job]:
    d = config.of(DigestConfig)
    if not d.managers and not d.webhook:
        return []
    hour, minute = d.send_hour_minute
    return [Job(JOB_NAME, CronTrigger(hour=hour, minute=minute, timezone=config.persona.timezone),
                send_daily_digest, misfire_grace_s=6 * 3600)]


async def send_daily_digest(ctx: Ctx, fire_time: datetime) -> None:
    """Compute yesterday's digest and queue it to the managers and, if configured, the group robot."""
    config = ctx.settings
    day = fire_time.astimezone(ZoneInfo(config.persona.timezone)).date() - timedelta(days=1)
    digest = await compute(ctx.session, config, ctx.services.digest, day, now=ctx.clock.now(), persona=ctx.persona)
    title, link = digest_title(ctx.persona.profile.brand), console_link(config, day)
    settings = config.of(DigestConfig)
    if settings.managers:
        ctx.outbox.app_markdown(config.wecom.agent_id, "|".join(settings.managers),
                                markdown(digest, title=title, link=link, limit=APP_MARKDOWN_LIMIT))
    if settings.webhook:
        ctx.outbox.webhook_markdown(markdown(digest, title=title, link=link, limit=WEBHOOK_MARKDOWN_LIMIT))
    ctx.repos.audit.record(actor="system", action="digest_sent", target=f"{day:%Y-%m-%d}",
                           detail={"managers": len(settings.managers), "webhook": settings.webhook},
                           now=ctx.clock.now())
