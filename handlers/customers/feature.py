"""Customers: their names read from WeCom, friends lost and customer groups joined, /whois, /vip,
/assign, the console's customer pages and the digest's growth and retention numbers."""

from bot.feature import Feature
from handlers.customers import commands, console, digest, profiles, routes

FEATURE = Feature(
    name="customers",
    priority=10,
    routers=(routes.router, profiles.router),
    commands=commands.COMMANDS,
    digest=(digest.GROWTH, digest.RETENTION),
    console=console.PAGES,
    workers=profiles.workers,
)
