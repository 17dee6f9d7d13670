"""Every typed key for the app-lifetime objects stored on the web.Application (no module globals)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Config
from bot.console.sessions import SessionStore, SignedIn
from bot.context import ContextFactory
from bot.delivery import DeliveryWorker
from bot.dispatcher import Dispatcher
from bot.feature import ConsolePage, CustomerFacts, CustomerPanel, Feature
from bot.inbox import InboxWorker
from bot.instance import Instance
from bot.intake import Intake
from bot.metrics import Metrics
from bot.scheduler import Scheduler
from bot.wecom.client import WeComClient
from bot.wecom.crypto import CallbackCrypto
from bot.workers import Worker
from persona import Persona

# the bot
CONFIG = web.AppKey("config", Config)
CLOCK = web.AppKey("clock", Clock)
METRICS = web.AppKey("metrics", Metrics)
CRYPTO = web.AppKey("crypto", CallbackCrypto)
PERSONA = web.AppKey("persona", Persona)
FEATURES = web.AppKey("features", tuple[Feature, ...])
CONTEXTS = web.AppKey("contexts", ContextFactory[Any])  # its .services: handlers.services.Services
DISPATCHER = web.AppKey("dispatcher", Dispatcher)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
INSTANCE = web.AppKey("instance", Instance)  # this process as the holder of its leases
CLIENT = web.AppKey("client", WeComClient)
INBOX = web.AppKey("inbox", InboxWorker)
DELIVERY = web.AppKey("delivery", DeliveryWorker)
SCHEDULER = web.AppKey("scheduler", Scheduler)
INTAKE = web.AppKey("intake", Intake)
WORKERS = web.AppKey("workers", list[Worker])  # the features' background workers (tag mirror, broadcasts)

# the console sub-app
SIGNIN = web.AppKey("console_signin", SessionStore)  # sessions, sign-in states, failed sign-ins
READER = web.AppKey("console_reader", async_sessionmaker[AsyncSession])  # reads that never hold SQLite's write lock
PAGES = web.AppKey("console_pages", tuple[ConsolePage, ...])
FACTS = web.AppKey("console_facts", tuple[CustomerFacts, ...])
PANELS = web.AppKey("console_panels", tuple[CustomerPanel, ...])
FRAME_SRC = web.AppKey("console_frame_src", str)
SESSION = web.RequestKey("console_session", SignedIn)  # who is signed in, per request
