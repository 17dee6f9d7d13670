"""Customers worth noticing: KOC scores (/koc) and suggestion-givers (/suggestions)."""

from bot.config import Section
from bot.feature import Feature
from handlers.koc import commands, suggestions
from handlers.koc.config import KocConfig

FEATURE = Feature(
    name="koc",
    priority=85,
    routers=(suggestions.router,),
    commands=commands.COMMANDS,
    config=(Section("koc", KocConfig),),
)
