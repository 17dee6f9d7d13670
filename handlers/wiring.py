"""Building the features' services once per app, cross-checked against the persona at start-up,
so a channel naming an unknown stage stops `wanzi serve`, not a welcome."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Config
from bot.config.checks import check_file
from bot.errors import ConfigError
from bot.feature import Feature
from handlers.antispam.config import AntispamConfig
from handlers.antispam.gate import PushGate
from handlers.digest.registry import digest_registry
from handlers.escalation.reactions import reaction_model
from handlers.greeting.config import ChannelConfig
from handlers.insights.config import SuggestionsConfig
from handlers.insights.model import SuggestionModel, load_exemplars
from handlers.replies.config import FaqConfig
from handlers.replies.feelings import model_for as feelings_model
from handlers.replies.kept_examples import prepare_examples
from handlers.replies.knowledge import KnowledgeBase, read_faq_file
from handlers.services import Services
from handlers.tagging.config import TaggingConfig
from persona.examples import ExampleModel
from persona.faq import FaqEntry, load_faq_file
from persona.model import Persona
from persona.rules import RuleBook, TagRef, load_rules_file
from persona.segment import Segmenter

log = logging.getLogger(__name__)

DEMO_FAQ = Path(__file__).resolve().parent.parent / "persona" / "faq.toml"


def faq_file(config: Config) -> Path | None:
    """The operator's FAQ file (the demo one with a shipped preset), re-read at every rebuild."""
    path = config.of(FaqConfig).path
    if path:
        return Path(path)
    return None if config.persona.path else DEMO_FAQ


def faq_entries(config: Config, persona: Persona) -> list[FaqEntry]:
    """The persona's entries plus the operator's file, as `wanzi faq eval` measures them (the running
    bot's KnowledgeBase adds the entries staff added at run time)."""
    path = faq_file(config)
    return [*persona.faq, *(load_faq_file(path) if path else ())]


def check_channels(config: Config, persona: Persona) -> None:
    """Every stage and text overlay a channel names must exist in the persona file."""
    for state, channel in config.tables(ChannelConfig).items():
        if channel.stage and channel.stage not in persona.stages:
            known = ", ".join(persona.stages) or "none: the file has no [stages.<name>] (a preset shows them)"
            raise ConfigError(f"channels.{state}.stage", f"the persona ({persona.source}) has no stage "
                                                         f"{channel.stage!r}; known: {known}")
        if channel.welcome and channel.welcome not in persona.channels:
            raise ConfigError(f"channels.{state}.welcome", f"the persona ({persona.source}) has no "
                                                           f"[channels.{channel.welcome}] texts")
        for tag in channel.tags:
            TagRef.parse(tag, source="config", key=f"channels.{state}.tags")


def rule_book(config: Config, persona: Persona) -> RuleBook:
    """The persona's tagging rules plus those of `tagging.rules_path`."""
    rules = list(persona.rules)
    rules_path = config.of(TaggingConfig).rules_path
    if rules_path:
        check_file("tagging.rules_path", rules_path)
        rules.extend(load_rules_file(rules_path, persona.stages))
    try:
        return RuleBook(rules)
    except ValueError:
        raise ConfigError("tagging.rules_path", "a rule name is used twice (persona and rules file)") from None


def check_files(config: Config, persona: Persona) -> list[str]:
    """For `wanzi config check`: the files start-up reads besides the config and the persona, read as it reads
    them (a broken one is an error naming its line), and what the knowledge base will be when it is not the
    operator's own: warnings."""
    faq = config.of(FaqConfig)
    if faq.path:
        check_file("faq.path", faq.path)
    path = faq_file(config)
    entries = [*persona.faq, *(read_faq_file(path) if path else ())]
    rule_book(config, persona)
    notes = [f"channels.{state}.{key} is {url}: a .invalid address opens nothing, so customers of this channel get "
             f"a link card that leads nowhere (config.example.toml's demo channel: give your own or remove it)"
             for state, channel in config.tables(ChannelConfig).items()
             for key, url in (("link_url", channel.link_url), ("link_picurl", channel.link_picurl))
             if (urlsplit(url).hostname or "").endswith(".invalid")]
    if persona.borrowed:
        notes.append(f"{persona.source}: {len(persona.borrowed)} templates missing, the {persona.profile.model} "
                     f"preset's texts stand in (written for the demo shop); `wanzi persona check {persona.source}` "
                     "lists them")
    notes += [] if config.persona.path else [
        f"persona.path is empty: customers meet {persona.profile.name} of {persona.profile.brand}, the demo persona "
        f"of the {config.persona.preset} preset; copy persona/presets/{config.persona.preset}.toml, make it your "
        "brand's and set persona.path (README, \"Your own shop\")"]
    if path == DEMO_FAQ:
        return [*notes, f"faq.path is empty: customers are answered from the demo knowledge base, persona/faq.toml "
                        f"({len(entries)} entries on the skincare of the made-up brand 柚见); set faq.path to your "
                        "own file (README, \"Your own shop\")"]
    if not entries:
        return [*notes, f"the knowledge base is empty: {persona.source} has no [[faq]] and faq.path is empty, so every "
                "question goes to a colleague; set faq.path (README, \"Your own shop\")"]
    return notes


def channel_overlays(config: Config) -> dict[str, str]:
    """Acquisition channel → the persona's [channels.<name>] overlay its texts use."""
    return {state: channel.welcome for state, channel in config.tables(ChannelConfig).items() if channel.welcome}


def build_services(config: Config, persona: Persona, features: Sequence[Feature],
                   segmenter: Segmenter | None = None) -> Services:
    """Everything the features share; raises ConfigError/PersonaError naming what is wrong."""
    check_channels(config, persona)
    book = rule_book(config, persona)
    segmenter = segmenter or Segmenter()
    commands = sorted((c for f in features for c in f.commands), key=lambda c: c.order)
    faq = config.of(FaqConfig)
    if faq.path:
        check_file("faq.path", faq.path)
    knowledge = KnowledgeBase(persona.faq, faq_file(config), segmenter, faq.threshold, refresh_s=faq.refresh_s)
    return Services(knowledge=knowledge,
                    rules=book,
                    push_gate=PushGate.from_config(persona.cadence, config.of(AntispamConfig), config.persona.timezone),
                    segmenter=segmenter, commands={c.name: c for c in commands}, digest=digest_registry(features),
                    suggestions=SuggestionModel(load_exemplars()) if config.of(SuggestionsConfig).model else None,
                    reactions=reaction_model(), whats_on=tuple(w for f in features for w in f.whats_on))


async def warm_up(services: Services, sessions: async_sessionmaker[AsyncSession] | None = None) -> None:
    """Load the sentence model, build the knowledge index and embed the suggestion and feelings
    examples at start-up, in a thread, before the first question; with `sessions`, texts embedded
    before (by any replica) come from the database. Not the digest's keyword table: it would hold
    about 130 MB in every process (the welcome burst's peak RSS went 175 → 311 MB) for a page
    managers open once a day; the first digest loads it in a thread.

    A failure here is only logged: the first question retries the load and fails loudly then.
    """
    started = time.perf_counter()
    try:
        await services.knowledge.ready(sessions)
        log.info("knowledge base ready", extra={"entries": len(services.knowledge.entries),
                                                "seconds": round(time.perf_counter() - started, 2)})
    except Exception:  # noqa: BLE001 - start-up must go on; see docstring
        log.exception("knowledge base warm-up failed")
    try:
        await prepare_examples(example_models(services), sessions)
    except Exception:  # noqa: BLE001 - the first statement retries (persona/examples.py logs then)
        log.exception("example sentences warm-up failed")


def example_models(services: Services) -> list[ExampleModel[Any]]:
    """The sentence-model classifiers whose examples start-up embeds: feelings, reactions, and suggestions if on."""
    models: list[ExampleModel[Any]] = [feelings_model()]
    if services.reactions is not None:
        models.append(services.reactions)
    if services.suggestions is not None:
        models.append(services.suggestions.examples)
    return models
