"""Staff slash commands sent to the self-built app: who may run what (bot.roles), parsing, /help,
and numbered choices between customers with the same name. The commands come from every feature."""

from bot.config import Section
from bot.feature import Feature
from handlers.staff import help, routes
from handlers.staff.config import CommandsConfig

FEATURE = Feature(
    name="staff",
    priority=60,
    routers=(routes.router,),
    commands=help.COMMANDS,
    config=(Section("commands", CommandsConfig),),
)
