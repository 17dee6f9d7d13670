"""Features, one module each; every module exposes a `router`. Order matters: observers first."""

from __future__ import annotations

from bot.config import Config
from bot.dispatcher import Router
from bot.scheduler import Job


def all_routers() -> list[Router]:
    from handlers import chat, checkin, contacts, greeting, points, staff

    # community kf keyword routes come before chat, which answers everything else
    return [greeting.router, contacts.router, staff.router, checkin.router, points.router, chat.router]


def all_jobs(config: Config) -> list[Job]:
    """Scheduled jobs of every feature (each module may offer `jobs(config)`)."""
    from handlers import checkin

    return [*checkin.jobs(config)]
