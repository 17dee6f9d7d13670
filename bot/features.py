"""The persona's working parts handlers reach through the Context: knowledge base, tagging rules,
push gate. Built once at start-up from the config and the persona, and checked against each
other there, so a channel naming an unknown stage stops `wanzi serve`, not a welcome."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot.antispam import PushGate
from bot.config import Config
from bot.context import Context
from bot.errors import ConfigError
from persona.faq import FaqEntry, FaqIndex, load_faq_file
from persona.model import Persona
from persona.rules import RuleBook, TagRef, load_rules_file
from persona.segment import Segmenter

log = logging.getLogger(__name__)

EXTRAS_KEY = "features"
DEMO_FAQ = Path(__file__).resolve().parent.parent / "persona" / "faq.toml"


@dataclass(frozen=True, slots=True)
class Features:
    faq: FaqIndex
    rules: RuleBook
    gate: PushGate
    segmenter: Segmenter


FEATURES = web.AppKey("features", Features)


def _faq_entries(config: Config, persona: Persona) -> list[FaqEntry]:
    """The persona's own entries plus the operator's file (the demo one with a shipped preset)."""
    entries = list(persona.faq)
    if config.faq.path:
        entries.extend(load_faq_file(config.faq.path))
    elif not config.persona.path:
        entries.extend(load_faq_file(DEMO_FAQ))
    return entries


def check_channels(config: Config, persona: Persona) -> None:
    """Every stage and text overlay a channel names must exist in the persona file."""
    for state, channel in config.channels.items():
        if channel.stage and channel.stage not in persona.stages:
            raise ConfigError(f"channels.{state}.stage", f"the persona ({persona.source}) has no stage "
                                                         f"{channel.stage!r}; known: {', '.join(persona.stages)}")
        if channel.welcome and channel.welcome not in persona.channels:
            raise ConfigError(f"channels.{state}.welcome", f"the persona ({persona.source}) has no "
                                                           f"[channels.{channel.welcome}] texts")


def build_features(config: Config, persona: Persona, segmenter: Segmenter | None = None) -> Features:
    """Everything the features need; raises ConfigError/PersonaError naming what is wrong."""
    check_channels(config, persona)
    for state, channel in config.channels.items():
        for tag in channel.tags:
            TagRef.parse(tag, source="config", key=f"channels.{state}.tags")
    rules = list(persona.rules)
    if config.tagging.rules_path:
        rules.extend(load_rules_file(config.tagging.rules_path, persona.stages))
    try:
        book = RuleBook(rules)
    except ValueError:
        raise ConfigError("tagging.rules_path", "a rule name is used twice (persona and rules file)") from None
    segmenter = segmenter or Segmenter()
    return Features(faq=FaqIndex(_faq_entries(config, persona), segmenter, config.faq.threshold), rules=book,
                    gate=PushGate.from_config(persona.cadence, config.antispam, config.persona.timezone),
                    segmenter=segmenter)


def features(ctx: Context) -> Features:
    """The app's Features; built on first use when a worker was started without them (tests)."""
    found = ctx.extras.get(EXTRAS_KEY)
    if not isinstance(found, Features):
        found = build_features(ctx.settings, ctx.persona)
        ctx.extras[EXTRAS_KEY] = found
    return found


async def warm_up(found: Features) -> None:
    """Load jieba and index the knowledge base at start-up, in a thread, before the first question.

    A failure here is only logged: the first question retries the load and fails loudly then.
    """
    try:
        await found.faq.ready()
    except Exception:  # noqa: BLE001 - start-up must go on; see docstring
        log.exception("knowledge base warm-up failed")
