"""Features, one module each; every module exposes a `router`. Order matters: observers first."""

from __future__ import annotations

from bot.dispatcher import Router


def all_routers() -> list[Router]:
    from handlers import chat, contacts, greeting, staff

    return [greeting.router, contacts.router, staff.router, chat.router]
