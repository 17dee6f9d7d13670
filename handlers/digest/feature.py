"""The managers' daily digest: every feature's section computed per local day with SQL aggregates,
sent as WeCom markdown at [digest] send_at, /digest, and the console page with 30-day charts."""

from bot.config import Section
from bot.feature import Feature
from handlers.digest import commands, console, jobs
from handlers.digest.config import DigestConfig

FEATURE = Feature(
    name="digest",
    commands=commands.COMMANDS,
    jobs=jobs.jobs,
    console=console.PAGES,
    config=(Section("digest", DigestConfig),),
)
