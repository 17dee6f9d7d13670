"""Features, one module each; every module exposes a `router`. Order matters: observers first
(greeting's group-welcome check does not block, so contacts still records the join)."""

from __future__ import annotations

from bot.config import Config
from bot.dispatcher import Router
from bot.scheduler import Job


def all_routers() -> list[Router]:
    from handlers import chat, contacts, escalation, greeting, staff, tagging

    return [greeting.router, contacts.router, tagging.router, staff.router, escalation.router, chat.router]


def all_jobs(config: Config) -> list[Job]:
    """Scheduled jobs of every feature (each module may offer `jobs(config)`)."""
    from handlers import escalation

    return [*escalation.jobs(config)]
