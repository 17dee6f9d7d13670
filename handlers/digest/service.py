"""The digest as other parts of Wanzi ask for it: the scheduled job, `/digest [date]`, the CLI.

    text = await digest_markdown(session, config, registry, day, now=clock.now(), persona=persona)

`day` defaults to yesterday in the brand's time zone (`persona.timezone`): the last whole day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.digest_metrics import Registry
from handlers.digest.build import Digest, Vocabularies, build_digest
from handlers.digest.render import APP_MARKDOWN_LIMIT, markdown
from handlers.greeting.config import channel_names
from handlers.points.config import PointsConfig
from persona.model import Persona


def last_whole_day(config: Config, now: datetime) -> date:
    return now.astimezone(ZoneInfo(config.persona.timezone)).date() - timedelta(days=1)


def console_link(config: Config, day: date) -> str:
    """Where the full digest lives: the console's digest page on server.public_url."""
    base = config.server.public_url or f"http://{config.server.host}:{config.server.port}"
    return f"{base.rstrip('/')}/console/digest?date={day:%Y-%m-%d}"


def digest_title(brand: str) -> str:
    return f"{brand}每日简报" if brand else "每日简报"


def vocabularies(persona: Persona, config: Config | None = None) -> Vocabularies:
    """What stored keys mean to a reader: the persona's stages by their labels, channels by their names; and a
    customer with no points booked yet in the level that starts at 0 (柚芽), as "我的积分", /whois and the sidebar
    call them."""
    words: dict[str, dict[str, str]] = {"stage": {name: persona.stage_label(name) for name in persona.stages}}
    if config is not None:  # a contact way's state by the channel's name ([channels.<state>] name, or its 渠道 tag)
        words["channel"] = channel_names(config)
    entry = next((spec.name for spec in config.of(PointsConfig).levels if spec.min <= 0), "") if config else ""
    if entry:
        words["level"] = {"": entry}
    return words


async def compute(session: AsyncSession, config: Config, registry: Registry, day: date | None = None, *,
                  now: datetime, persona: Persona | None = None) -> Digest:
    return await build_digest(session, day or last_whole_day(config, now), config.persona.timezone, now=now,
                              registry=registry, vocabularies=vocabularies(persona, config) if persona else None)


async def digest_markdown(session: AsyncSession, config: Config, registry: Registry, day: date | None = None, *,
                          now: datetime, persona: Persona, limit: int = APP_MARKDOWN_LIMIT) -> str:
    """The digest of `day` as WeCom markdown within `limit` bytes, linking to the console."""
    digest = await compute(session, config, registry, day, now=now, persona=persona)
    return markdown(digest, title=digest_title(persona.profile.brand), link=console_link(config, digest.day),
                    limit=limit)
