"""The app factory: one web.Application holding every app-lifetime object under typed keys."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator, Sequence

import aiohttp
from aiohttp import web

from bot.appkeys import (CLIENT, CLOCK, CONFIG, CRYPTO, DELIVERY, DISPATCHER, ENGINE, INBOX, METRICS, PERSONA,
                         INTAKE, SCHEDULER, SESSIONS, BROADCASTS)
from bot.clock import Clock, SystemClock
from bot.config import Config, parse_pairs, require_wecom
from bot.delivery import DeliveryWorker
from bot.dispatcher import Dispatcher, Router
from bot.features import EXTRAS_KEY, FEATURES, build_features, check_channels, warm_up
from bot.followups import FollowUps
from bot.inbox import InboxWorker
from bot.intake import Intake
from bot.kf import KfPuller
from bot.metrics import Metrics
from bot.middlewares import DEFAULT_MIDDLEWARES
from bot.scheduler import Scheduler
from bot.workers import StepWorker
from bot.server import callback_routes, ops_routes
from bot.tagsync import TAG_MIRROR, TagMirror
from bot.wecom.client import WeComClient
from bot.wecom.crypto import CallbackCrypto
from bot.wecom.tokens import DbTokenStore
from bot.console import ConsoleSources, default_sources, mount_console
from persona import Persona, default_persona_path, load_persona
from storage import db
from storage.queues import OutboxRepo

log = logging.getLogger(__name__)


def load_configured_persona(config: Config) -> Persona:
    """The persona file the config names, linted and checked against the config's channels."""
    persona = load_persona(config.persona.path or default_persona_path(config.persona.preset))
    check_channels(config, persona)
    return persona


def create_app(config: Config, *, clock: Clock | None = None, persona: Persona | None = None,
               routers: Sequence[Router] | None = None, run_workers: bool = True,
               migrate: bool = False, console_sources: ConsoleSources | None = None) -> web.Application:
    """Build the bot. `run_workers=False` leaves processing to `drain()` (tests, benchmarks)."""
    require_wecom(config)
    from handlers import all_routers

    app = web.Application(client_max_size=config.server.max_body_bytes)
    app[CONFIG] = config
    app[CLOCK] = clock or SystemClock()
    app[METRICS] = Metrics()
    app[CRYPTO] = CallbackCrypto(config.wecom.token, config.wecom.encoding_aes_key, config.wecom.corp_id)
    app[PERSONA] = persona or load_configured_persona(config)
    app[FEATURES] = build_features(config, app[PERSONA])
    app[DISPATCHER] = Dispatcher(routers if routers is not None else all_routers(), DEFAULT_MIDDLEWARES)
    app.cleanup_ctx.append(_database(migrate))
    app.cleanup_ctx.append(_services)
    if run_workers:
        app.cleanup_ctx.append(_workers)
    app.router.add_routes(callback_routes(app))
    app.router.add_routes(ops_routes(lambda: healthy(app), lambda: metrics_text(app)))
    # INBOX is built at start-up (_services); the console asks for a Context only per request.
    mount_console(app, config, console_sources or default_sources(lambda session: app[INBOX].context(session)))
    return app


def _database(migrate: bool):  # type: ignore[no-untyped-def]
    async def open_database(app: web.Application) -> AsyncIterator[None]:
        config = app[CONFIG]
        engine = db.create_engine(config.database.url, echo=config.database.echo)
        if migrate:
            await db.upgrade(engine)
        else:
            await db.ensure_migrated(engine)
        app[ENGINE] = engine
        app[SESSIONS] = db.session_factory(engine)
        app[INTAKE] = Intake(app[SESSIONS], app[CLOCK])
        await _seed_staff(app)
        await _seed_community(app)
        yield
        await engine.dispose()

    return open_database


async def _seed_staff(app: web.Application) -> None:
    from storage.repos import StaffRepo

    staff = app[CONFIG].staff
    roles = [("admin", staff.admins), ("operator", staff.operators), ("advisor", staff.advisors)]
    if not any(ids for _, ids in roles):
        return
    names = parse_pairs("staff.names", staff.names)
    async with app[SESSIONS].begin() as session:
        repo = StaffRepo(session)
        for role, ids in roles:
            for userid in ids:
                await repo.upsert(userid, role=role, name=names.get(userid, ""), now=app[CLOCK].now())


async def _seed_community(app: web.Application) -> None:
    """Interest groups, topic calendars and campaigns from the config into the database."""
    from sqlalchemy.exc import IntegrityError

    from handlers.community.seed import seed_community

    for attempt in (1, 2):  # two processes starting together: the loser re-reads the winner's rows
        try:
            async with app[SESSIONS].begin() as session:
                await seed_community(session, app[CONFIG], app[CLOCK].now())
            return
        except IntegrityError:
            if attempt == 2:
                raise


async def _services(app: web.Application) -> AsyncIterator[None]:
    config, clock, metrics = app[CONFIG], app[CLOCK], app[METRICS]
    async with aiohttp.ClientSession() as http:
        client = WeComClient(config.wecom, http, clock=clock, tokens=DbTokenStore(app[SESSIONS], clock),
                             on_error=lambda api, code: metrics.api_errors.labels(api, str(code)).inc())
        app[CLIENT] = client
        delivery = DeliveryWorker(app[SESSIONS], client, clock, config.worker, metrics)
        app[DELIVERY] = delivery
        mirror = TagMirror(app[SESSIONS], client, clock, config.worker, on_outbox=delivery.wakeup.set)
        app[TAG_MIRROR] = mirror

        from handlers.commands.broadcast import expand_broadcasts

        broadcasts = StepWorker("broadcasts", lambda: expand_broadcasts(app[SESSIONS], inbox.context),
                                config.worker.poll_interval_s, on_work=delivery.wakeup.set)
        app[BROADCASTS] = broadcasts

        def after_dispatch() -> None:
            delivery.wakeup.set()
            mirror.wakeup.set()
            broadcasts.wakeup.set()

        inbox = InboxWorker(app[SESSIONS], app[DISPATCHER], KfPuller(app[SESSIONS], client, clock, config.worker),
                            app[PERSONA], clock, config, metrics, extras={EXTRAS_KEY: app[FEATURES]},
                            on_outbox=after_dispatch)
        app[INBOX] = inbox
        scheduler = Scheduler(app[SESSIONS], inbox.context, clock, on_outbox=after_dispatch,
                              refresh_s=config.community.schedule_refresh_s)
        from handlers import all_followups, all_job_sources, all_jobs

        for job in all_jobs(config):
            scheduler.add(job)
        for prefix, source in all_job_sources(config).items():
            scheduler.add_source(prefix, source)  # loaded from the database at start() and kept fresh
        app[SCHEDULER] = scheduler
        delivery.followups = FollowUps(inbox.context, all_followups())
        yield


async def _workers(app: web.Application) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(app[INBOX].run_forever(), name="inbox"),
             asyncio.create_task(app[DELIVERY].run_forever(), name="delivery"),
             asyncio.create_task(app[SCHEDULER].run_forever(), name="scheduler"),
             asyncio.create_task(app[TAG_MIRROR].run_forever(), name="tag-mirror"),
             asyncio.create_task(app[BROADCASTS].run_forever(), name="broadcasts"),
             asyncio.create_task(warm_up(app[FEATURES]), name="load-jieba")]  # off the loop, once
    yield
    for task in tasks:
        task.cancel()  # unsent rows stay in the outbox; the next start resumes them
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def healthy(app: web.Application) -> bool:
    try:
        await asyncio.wait_for(db.ping(app[ENGINE]), 3)
    except Exception as exc:  # any failure to reach the database is "unhealthy", reported, not raised
        log.warning("health check failed", extra={"error": type(exc).__name__})
        return False
    return True


async def metrics_text(app: web.Application) -> bytes:
    metrics = app[METRICS]
    try:
        async with app[SESSIONS]() as session:
            depth = await OutboxRepo(session).depth()
        for status in ("pending", "sending", "sent", "dead", "expired", "cancelled"):
            metrics.outbox_depth.labels(status).set(depth.get(status, 0))
    except Exception as exc:  # metrics must render even when the database is down
        log.warning("outbox depth unavailable", extra={"error": type(exc).__name__})
    return metrics.render()


async def drain(app: web.Application, *, max_rounds: int = 200) -> None:
    """Run the inbox and the outbox until neither has due work (tests and benchmarks)."""
    inbox, delivery, mirror, broadcasts = app[INBOX], app[DELIVERY], app[TAG_MIRROR], app[BROADCASTS]
    idle = 0
    for _ in range(max_rounds):
        n = await inbox.process_due()
        n += await mirror.run_once()
        n += await broadcasts.run_once()
        n += await delivery.deliver_due()
        if n == 0 and not (inbox.in_flight or delivery.in_flight or mirror.in_flight or broadcasts.in_flight):
            idle += 1
            if idle >= 2:
                return
            await asyncio.sleep(0)
        else:
            idle = 0
    raise RuntimeError("drain did not settle")
