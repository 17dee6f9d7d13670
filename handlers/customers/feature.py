"""Customers: friends lost and customer groups joined, /whois, /vip, /assign, the console's customer
pages and the digest's growth and retention numbers."""

from bot.feature import Feature
from handlers.customers import commands, console, digest, routes

FEATURE = Feature(
    name="customers",
    priority=10,
    routers=(routes.router,),
    commands=commands.COMMANDS,
    digest=(digest.GROWTH, digest.RETENTION),
    console=console.PAGES,
)
