"""Customers worth noticing: KOC scores with why (/koc), top KOCs tagged and given an advisor,
suggestions customers give recorded (/suggestions) and repeat givers tagged, and the console's
客户洞察 page."""

from bot.config import Section
from bot.feature import Feature
from handlers.insights import commands, console, suggestions
from handlers.insights.config import KocConfig, SuggestionsConfig

FEATURE = Feature(
    name="insights",
    priority=90,
    routers=(suggestions.router,),
    commands=commands.COMMANDS,
    console=console.PAGES,
    customer_facts=(console.suggestions_fact,),
    config=(Section("koc", KocConfig), Section("suggestions", SuggestionsConfig)),
)
