"""Anti-spam: the push gate (caps per customer per day and week, quiet hours, opt-out, a global
switch) that every push passes, "退订"/"订阅" from customers and /optout from staff."""

from bot.config import Section
from bot.feature import Feature
from handlers.antispam import commands, digest, routes
from handlers.antispam.config import AntispamConfig
from handlers.antispam.gate import recheck_due_pushes

FEATURE = Feature(
    name="antispam",
    priority=0,  # "退订" is never a question for any other feature
    routers=(routes.router,),
    commands=commands.COMMANDS,
    claim_checks=(recheck_due_pushes,),
    digest=(digest.OUTREACH, digest.SUPPRESSED_PROVIDER),
    config=(Section("antispam", AntispamConfig),),
)
