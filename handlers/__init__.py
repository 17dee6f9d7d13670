"""Features, one module each; every module exposes a `router`. Order matters: observers first
(greeting's group-welcome check does not block, so contacts still records the join)."""

from __future__ import annotations

from bot.config import Config
from bot.dispatcher import Router
from bot.followups import FollowUp
from bot.scheduler import Job, JobSource


def all_routers() -> list[Router]:
    from handlers import chat, checkin, contacts, escalation, greeting, points, referral, staff, tagging, topics

    # Observers first (non-blocking); community kf keyword routes (打卡, 我的积分, 邀请有礼) and the
    # escalation router come before the persona's general chat handler.
    return [topics.router, referral.observers, greeting.router, contacts.router, tagging.router, staff.router,
            checkin.router, points.router, referral.router, escalation.router, chat.router]


def all_jobs(config: Config) -> list[Job]:
    """Scheduled jobs of every feature (each module may offer `jobs(config)`)."""
    from handlers import checkin, digest, escalation, referral, topics

    return [*escalation.jobs(config), *topics.jobs(config), *checkin.jobs(config), *referral.jobs(config),
            *digest.jobs(config)]


def all_job_sources(config: Config) -> dict[str, JobSource]:
    """Jobs whose schedule lives in the database, by job-name prefix (rebuilt by the scheduler)."""
    from handlers import topics

    return {**topics.job_sources(config)}


def all_followups() -> dict[str, list[FollowUp]]:
    """What to do with WeCom's answer to an outbox row, by API (see bot.followups)."""
    from handlers import escalation, referral, topics

    merged: dict[str, list[FollowUp]] = {}
    for table in (escalation.followups(), topics.followups(), referral.followups()):
        for api, steps in table.items():
            merged.setdefault(api, []).extend(steps)
    return merged
