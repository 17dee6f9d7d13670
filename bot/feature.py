"""What a feature brings to the platform, in one object: `handlers/<feature>/feature.py` exposes
`FEATURE = Feature(...)` and `handlers/__init__.py` lists them. The app factory mounts whatever
the tuple holds: routes (ordered by `priority`), staff commands, scheduled jobs, outbox
follow-ups, background workers, digest sections, console pages, what is on, config sections and the start-up
seed from the config file, and pre-flight checks of the corp's WeCom setup. Adding a feature is one
folder plus one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable, Mapping, Sequence

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.commands import Command
from bot.config import Config, Section
from bot.context import Context, ContextFactory
from bot.digest_metrics import Provider
from bot.dispatcher import Router
from bot.followups import FollowUp
from bot.metrics import Metrics
from bot.preflight import Preflight
from bot.scheduler import Job, JobSource
from bot.wecom.client import WeComClient
from bot.wecom.events import Event
from bot.workers import Worker
from storage.models import Customer, OutboxItem

PageHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Seed = Callable[[AsyncSession, Config, datetime], Awaitable[None]]
CustomerFacts = Callable[[Context[Any], Customer], Awaitable[list[tuple[str, str]]]]
# A section of the console's customer page with a feature's forms (e.g. adjust points); it shows only
# what the signed-in member may do (bot.console.frame.allowed), and the form's route checks it again.
# The last argument is what was posted when the page is shown again with an error, else None.
CustomerPanel = Callable[[web.Request, Context[Any], Customer, Mapping[str, str] | None], Awaitable[str]]
# In the delivery worker's claim transaction: the claimed rows to send now (the check deferred or
# cancelled the others), e.g. the push gate's second look at pushes that waited for hours.
ClaimCheck = Callable[[Context[Any], list[OutboxItem]], Awaitable[list[OutboxItem]]]
# Before the inbox runs a group of events (outside its transaction), with the app's services: work
# their handlers would each ask for, done for the group at once (the knowledge base ranks every
# question of a kf burst's group in one batch). Only a head start: the handlers still ask.
Lookahead = Callable[[Any, Sequence[Event]], Awaitable[None]]
# "你们最近有什么活动吗": what a feature has on for the customer asking, as lines in the persona's voice (none when it
# has nothing on for them); the persona joins every feature's lines and the knowledge base's answer in one message.
WhatsOn = Callable[[Context[Any]], Awaitable[Sequence[str]]]


@dataclass(frozen=True, slots=True)
class ConsolePage:
    """One console route, mounted under /console. A page with a `title` is listed in the menu."""

    path: str  # e.g. "/campaigns" or "/escalations/{id}"
    handler: PageHandler
    method: str = "GET"
    title: str = ""  # the menu label; "" = not in the menu
    order: int = 100  # place in the menu
    role: str = "advisor"  # the least role that may open it
    customer_action: str = ""  # a GET page under /customers/{id}/: linked with this label on each customer's page


@dataclass(frozen=True, slots=True)
class HttpRoute:
    """A machine-facing route on the bot's port (e.g. a shop posting orders), outside the console."""

    method: str
    path: str  # e.g. "/api/orders"
    handler: PageHandler


@dataclass(frozen=True, slots=True)
class WorkerKit:
    """What a feature's background worker may use."""

    sessions: async_sessionmaker[AsyncSession]
    client: WeComClient  # for reads that must be answered before the next step can be written
    clock: Clock
    config: Config
    contexts: ContextFactory[Any]
    on_outbox: Callable[[], None]  # call after committing outbox rows: wakes the delivery worker
    http: aiohttp.ClientSession  # the app's HTTP session, for platform clients other than WeCom's (bot/llm.py)
    metrics: Metrics  # the app's /metrics registry


def no_jobs(config: Config) -> Sequence[Job]:
    return ()


def no_job_sources(config: Config) -> Mapping[str, JobSource]:
    return {}


def no_workers(kit: WorkerKit) -> Sequence[Worker]:
    return ()


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    priority: int = 100  # route order: lower runs first (observers always run before handlers)
    routers: tuple[Router, ...] = ()
    commands: tuple[Command, ...] = ()
    jobs: Callable[[Config], Sequence[Job]] = no_jobs
    job_sources: Callable[[Config], Mapping[str, JobSource]] = no_job_sources  # schedules kept in the database
    followups: Mapping[str, Sequence[FollowUp]] = field(default_factory=dict)  # by API, when WeCom accepted
    on_failure: Mapping[str, Sequence[FollowUp]] = field(default_factory=dict)  # by API, when it ended dead/expired
    workers: Callable[[WorkerKit], Sequence[Worker]] = no_workers
    claim_checks: tuple[ClaimCheck, ...] = ()
    lookahead: tuple[Lookahead, ...] = ()  # the inbox's head start on a group of events
    digest: tuple[Provider, ...] = ()
    console: tuple[ConsolePage, ...] = ()
    http: tuple[HttpRoute, ...] = ()  # routes for other systems (signed by the feature itself)
    whats_on: tuple[WhatsOn, ...] = ()  # lines of what the feature has on, when a customer asks what is on
    customer_facts: tuple[CustomerFacts, ...] = ()  # lines on the console's customer page
    customer_panels: tuple[CustomerPanel, ...] = ()  # forms on the console's customer page
    config: tuple[Section, ...] = ()
    seed: Seed | None = None  # config file → database at start-up
    preflight: tuple[Preflight, ...] = ()  # checks of the corp's WeCom setup (start-up, `wanzi config check`)
