"""Tagging: rules tag customers from what they say, lifecycle stages follow the tags, local tags are
mirrored to WeCom corp tags (and staff changes read back); a stage's content waits for a quiet
chat; /tag and /untag."""

from bot.config import Section
from bot.feature import Feature, WorkerKit
from bot.workers import Worker
from handlers.tagging import commands, digest, pushes, routes
from handlers.tagging.config import TaggingConfig
from handlers.tagging.mirror import TagMirror


def workers(kit: WorkerKit) -> list[Worker]:
    return [TagMirror(kit.sessions, kit.client, kit.clock, kit.config.worker, on_outbox=kit.on_outbox)]


FEATURE = Feature(
    name="tagging",
    priority=50,
    routers=(routes.router,),
    commands=commands.COMMANDS,
    jobs=pushes.jobs,
    workers=workers,
    digest=(digest.TAGS, digest.STAGES),
    config=(Section("tagging", TaggingConfig),),
)
