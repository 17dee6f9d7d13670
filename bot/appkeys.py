"""Typed keys for the app-lifetime objects stored on the web.Application (no module globals)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Config
from bot.delivery import DeliveryWorker
from bot.dispatcher import Dispatcher
from bot.inbox import InboxWorker
from bot.intake import Intake
from bot.metrics import Metrics
from bot.scheduler import Scheduler
from bot.workers import StepWorker
from bot.wecom.client import WeComClient
from bot.wecom.crypto import CallbackCrypto
from persona import Persona

CONFIG = web.AppKey("config", Config)
CLOCK = web.AppKey("clock", Clock)
METRICS = web.AppKey("metrics", Metrics)
CRYPTO = web.AppKey("crypto", CallbackCrypto)
PERSONA = web.AppKey("persona", Persona)
DISPATCHER = web.AppKey("dispatcher", Dispatcher)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
CLIENT = web.AppKey("client", WeComClient)
INBOX = web.AppKey("inbox", InboxWorker)
DELIVERY = web.AppKey("delivery", DeliveryWorker)
SCHEDULER = web.AppKey("scheduler", Scheduler)
INTAKE = web.AppKey("intake", Intake)
BROADCASTS = web.AppKey("broadcasts", StepWorker)
