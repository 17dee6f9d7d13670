"""Features, one module each; every module exposes a `router`. Order matters: observers first."""

from __future__ import annotations

from bot.config import Config
from bot.dispatcher import Router
from bot.scheduler import Job


def all_routers() -> list[Router]:
    from handlers import chat, contacts, greeting, staff

    return [greeting.router, contacts.router, staff.router, chat.router]


def all_jobs(config: Config) -> list[Job]:
    """Scheduled jobs of every feature (each module may offer `jobs(config)`)."""
    from handlers import digest

    return [*digest.jobs(config)]
