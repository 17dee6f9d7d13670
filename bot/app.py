"""The composition root: the app factory and the configuration with every feature's section.

`create_app` builds one web.Application holding every app-lifetime object under typed keys
(bot/appkeys.py) and mounts whatever the features tuple holds (handlers/__init__.py): routes by
priority, jobs, follow-ups, workers, console pages, seeds. This module and the CLI are the only
parts of bot/ that import handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Collection, Mapping, Sequence

import aiohttp
from aiohttp import web
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.appkeys import (
    CLIENT,
    CLOCK,
    CONFIG,
    CONTEXTS,
    CRYPTO,
    DELIVERY,
    DISPATCHER,
    ENGINE,
    FEATURES,
    INBOX,
    INSTANCE,
    INTAKE,
    METRICS,
    PERSONA,
    SCHEDULER,
    SESSIONS,
    WORKERS,
)
from bot.clock import Clock, SystemClock
from bot.config import Config, from_mapping, load, require_wecom
from bot.console.app import mount_console
from bot.context import ContextFactory
from bot.delivery import ClaimCheck, DeliveryWorker
from bot.dispatcher import Dispatcher
from bot.errors import ConfigError
from bot.feature import Feature, WorkerKit
from bot.followups import FollowUp, FollowUps
from bot.inbox import InboxWorker
from bot.instance import Instance, instance_name
from bot.intake import Intake
from bot.journal import JournalInUse
from bot.kf import KfPuller
from bot.metrics import Metrics
from bot.middlewares import DEFAULT_MIDDLEWARES
from bot.preflight import log_findings
from bot.scheduler import Scheduler
from bot.server import callback_routes, ops_routes
from bot.speedups import json_codec
from bot.wecom.client import WeComClient
from bot.wecom.crypto import CallbackCrypto
from bot.wecom.events import Event
from bot.wecom.tokens import DbTokenStore
from bot.workers import CommitWakes
from persona import Persona, default_persona_path, load_persona
from storage import db, sqlite_intake
from storage.models import OutboxItem
from storage.queues import OutboxRepo
from storage.repos import AuditRepo, StaffRepo
from storage.sqlite_checkpoint import Checkpointer

log = logging.getLogger(__name__)
WORKER_WAKE_GAP_S = 0.25  # the feature workers are woken by commits at most this often


def shipped_features() -> tuple[Feature, ...]:
    from handlers import FEATURES as shipped

    return shipped


def cross_check(config: Config) -> None:
    """The checks that span sections (each section checks itself when it loads)."""
    from handlers.checkin.config import CheckinConfig
    from handlers.digest.config import DigestConfig
    from handlers.insights.config import KocConfig
    from handlers.topics.config import CommunityConfig

    if config.of(DigestConfig).webhook and not config.wecom.webhook_key:
        raise ConfigError("digest.webhook", "needs wecom.webhook_key (the group robot's key)")
    groups = {g.key for g in config.of(CommunityConfig).groups}
    for i, campaign in enumerate(config.of(CheckinConfig).campaigns):
        if campaign.group and campaign.group not in groups:
            raise ConfigError(f"checkin.campaigns[{i}].group",
                              f"no interest group {campaign.group!r} in community.groups")
    advisor, staff = config.of(KocConfig).advisor, config.staff
    if advisor and advisor not in {*staff.admins, *staff.operators, *staff.advisors}:
        raise ConfigError("koc.advisor", f"{advisor!r} is not a member listed under [staff]")


def config_from(data: Mapping[str, Any], env: Mapping[str, str] | None = None, *,
                features: Sequence[Feature] | None = None) -> Config:
    """The configuration of parsed TOML plus env overrides, with the features' sections."""
    features = shipped_features() if features is None else features
    return from_mapping(data, env, sections=[s for f in features for s in f.config], cross_check=cross_check)


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None, *,
                features: Sequence[Feature] | None = None) -> Config:
    features = shipped_features() if features is None else features
    return load(path, env, sections=[s for f in features for s in f.config], cross_check=cross_check)


def load_configured_persona(config: Config) -> Persona:
    """The persona file the config names, linted and checked against the config's channels."""
    from bot.config.checks import check_file
    from handlers.wiring import check_channels

    if config.persona.path:
        check_file("persona.path", config.persona.path)
    persona = load_persona(config.persona.path or default_persona_path(config.persona.preset))
    check_channels(config, persona)
    return persona


def create_app(config: Config, *, clock: Clock | None = None, persona: Persona | None = None,
               features: Sequence[Feature] | None = None, run_workers: bool = True,
               migrate: bool = False, take_over: bool = False) -> web.Application:
    """Build the bot. `run_workers=False` leaves processing to `drain()` (tests, benchmarks).

    `take_over`: the caller has bound config.server.port (or set worker.instance_name) before
    start-up, so this process is the only live one under its instance name: earlier starts under
    that name are dead and whatever they held is taken at once (bot/instance.py)."""
    from handlers.wiring import build_services, channel_overlays

    require_wecom(config)
    features = tuple(shipped_features() if features is None else features)
    app = web.Application(client_max_size=config.server.max_body_bytes,
                          middlewares=[_console_port(config)] if config.console.listen else [])
    app[CONFIG] = config
    app[CLOCK] = clock or SystemClock()
    app[METRICS] = Metrics()
    app[CRYPTO] = CallbackCrypto(config.wecom.token, config.wecom.encoding_aes_key, config.wecom.corp_id)
    app[PERSONA] = persona or load_configured_persona(config)
    app[FEATURES] = features
    services = build_services(config, app[PERSONA], features)
    app[CONTEXTS] = ContextFactory(persona=app[PERSONA], clock=app[CLOCK], config=config, services=services,
                                   channel_overlays=channel_overlays(config))
    app[DISPATCHER] = Dispatcher([(f.priority, r) for f in features for r in f.routers], DEFAULT_MIDDLEWARES)
    app.cleanup_ctx.append(_database(migrate, take_over))
    app.cleanup_ctx.append(_services)
    if run_workers:
        app.cleanup_ctx.append(_workers(services))
    app.router.add_routes(callback_routes(app))
    app.router.add_routes(ops_routes(lambda: healthy(app), lambda: metrics_text(app)))
    for route in (r for f in features for r in f.http):
        app.router.add_route(route.method, route.path, route.handler)
    mount_console(app, config, [p for f in features for p in f.console],
                  [c for f in features for c in f.customer_facts], [c for f in features for c in f.customer_panels])
    return app


def _console_port(config: Config) -> Any:
    """With `[console] listen`, the console answers only on its own address and the bot's port has none."""
    console_port = int(config.console.listen.rpartition(":")[2])

    @web.middleware
    async def split(request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        sockname: Any = request.transport.get_extra_info("sockname") if request.transport else None
        on_console = bool(sockname) and sockname[1] == console_port
        if request.path.startswith("/console") != on_console and request.path not in ("/healthz", "/metrics"):
            raise web.HTTPNotFound()
        response: web.StreamResponse = await handler(request)
        return response

    return split


def _database(migrate: bool, take_over: bool) -> Callable[[web.Application], AsyncIterator[None]]:
    async def open_database(app: web.Application) -> AsyncIterator[None]:
        config = app[CONFIG]
        # SQLite: WAL checkpoints beside the one connection (`WANZI_SQLITE_CHECKPOINTS=inline`: inside its
        # commits, SQLite's default, to measure the difference; storage/sqlite_checkpoint.py)
        path = db.sqlite_path(config.database.url) if os.environ.get("WANZI_SQLITE_CHECKPOINTS") != "inline" else None
        engine = db.create_engine(config.database.url, echo=config.database.echo, checkpoints_apart=path is not None)
        if migrate:
            await db.upgrade(engine)
        else:
            await db.ensure_migrated(engine)
        app[ENGINE] = engine
        app[SESSIONS] = db.session_factory(engine)
        journal = config.server.intake_journal
        app[INTAKE] = Intake(app[SESSIONS], app[CLOCK], journal=Path(journal) if journal else None,
                             fsync=config.server.intake_fsync, engine=engine,
                             # SQLite: the group commit in one trip to the driver's thread; with the
                             # opt-in intake thread on that thread's loop, with WANZI_SQLITE_INTAKE=loop
                             # on this one (storage/sqlite_intake.py)
                             on_loop=config.server.intake_thread or sqlite_intake.on_loop(),
                             ack_credit_s=config.server.ack_credit_s)
        try:
            app[INTAKE].open()  # callbacks acked before the last stop and not yet stored drain first
        except JournalInUse as exc:
            raise ConfigError("server.intake_journal", str(exc)) from None
        port = config.server.port if take_over else 0  # port 0: a name of its own, no predecessor
        instance = Instance(app[SESSIONS], app[CLOCK], config.worker, instance_name(config.worker, port))
        await instance.start(take_over=take_over)
        app[INSTANCE] = instance
        await _seed_staff(app)
        await _seed_features(app)
        checkpoints = asyncio.create_task(Checkpointer(path).run_forever(), name="wal-checkpoint") if path else None
        yield
        try:
            await instance.stop()
        except (SQLAlchemyError, OSError) as exc:  # the database is gone: the silent heartbeat tells the rest
            log.warning("could not record the instance's stop", extra={"error": type(exc).__name__})
        app[INTAKE].close()
        if checkpoints is not None:
            checkpoints.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await checkpoints
        await engine.dispose()

    return open_database


async def _seed_staff(app: web.Application) -> None:
    """The staff table follows [staff]: listed members are (re)activated with their role and name,
    members no longer listed are disabled (no commands, no console) and the change is audited."""
    staff, now = app[CONFIG].staff, app[CLOCK].now()
    roles = {userid: role for role, ids in (("advisor", staff.advisors), ("operator", staff.operators),
                                           ("admin", staff.admins)) for userid in ids}  # the highest role wins
    names = staff.display_names()
    async with app[SESSIONS].begin() as session:
        repo, audit = StaffRepo(session), AuditRepo(session)
        for member in await repo.list(include_inactive=True):
            if member.userid not in roles and member.active:
                member.active, member.on_duty = False, False
                audit.record(actor="config", action="staff_disabled", target=member.userid, now=now)
        for userid, role in roles.items():
            listed = await repo.find(userid)
            if listed is not None and not listed.active:
                listed.active = True
                audit.record(actor="config", action="staff_enabled", target=userid, detail={"role": role}, now=now)
            await repo.upsert(userid, role=role, name=names.get(userid, ""), now=now)


async def seed_features(session: AsyncSession, config: Config, now: datetime, features: Sequence[Feature]) -> None:
    """The config file's groups, calendars and campaigns into the database, in feature priority order
    (interest groups before the camps that name them)."""
    for feature in sorted(features, key=lambda f: f.priority):
        if feature.seed is not None:
            await feature.seed(session, config, now)


async def _seed_features(app: web.Application) -> None:
    for attempt in (1, 2):  # two processes starting together: the loser re-reads the winner's rows
        try:
            async with app[SESSIONS].begin() as session:
                features = app[FEATURES]
                await seed_features(session, app[CONFIG], app[CLOCK].now(), features)
            return
        except IntegrityError:
            if attempt == 2:
                raise


def _followups(features: Sequence[Feature], *, failures: bool = False) -> dict[str, list[FollowUp]]:
    merged: dict[str, list[FollowUp]] = {}
    for feature in features:
        for api, steps in (feature.on_failure if failures else feature.followups).items():
            merged.setdefault(api, []).extend(steps)
    return merged


def _claim_checks(contexts: ContextFactory[Any], features: Sequence[Feature]) -> ClaimCheck | None:
    checks = [c for f in features for c in f.claim_checks]
    if not checks:
        return None

    async def check(session: AsyncSession, batch: list[OutboxItem]) -> list[OutboxItem]:
        ctx = contexts(session)
        for step in checks:
            batch = await step(ctx, batch)
        return batch

    return check


def _lookahead(contexts: ContextFactory[Any], features: Sequence[Feature]
               ) -> Callable[[Sequence[Event]], Awaitable[None]] | None:
    steps = [step for f in features for step in f.lookahead]
    if not steps:
        return None

    async def ahead(events: Sequence[Event]) -> None:
        for step in steps:
            try:
                await step(contexts.services, events)
            except Exception:  # only a head start: each handler still asks for itself
                log.warning("inbox look-ahead failed", exc_info=True)

    return ahead


async def _services(app: web.Application) -> AsyncIterator[None]:
    config, clock, metrics, contexts = app[CONFIG], app[CLOCK], app[METRICS], app[CONTEXTS]
    async with aiohttp.ClientSession() as http:
        client = WeComClient(config.wecom, http, clock=clock, tokens=DbTokenStore(app[SESSIONS], clock),
                             on_error=lambda api, code: metrics.api_errors_of(api, str(code)).inc(),
                             codec=json_codec(config.server.json))
        app[CLIENT] = client
        app[INSTANCE].on_replicas = client.limiter.share  # WeCom's caps are per corp: each replica its share
        client.limiter.share(app[INSTANCE].replicas)
        features = app[FEATURES]
        delivery = DeliveryWorker(app[SESSIONS], client, clock, config.worker, metrics,
                                  followups=FollowUps(contexts, _followups(features),
                                                      _followups(features, failures=True)),
                                  on_claim=_claim_checks(contexts, features), instance=app[INSTANCE],
                                  make_way=app[INTAKE].priority.companion().make_way
                                  if config.server.ack_priority else None)
        app[DELIVERY] = delivery
        kit = WorkerKit(sessions=app[SESSIONS], client=client, clock=clock, config=config, contexts=contexts,
                        on_outbox=delivery.wakeup.set, http=http, metrics=metrics)
        workers = [w for f in app[FEATURES] for w in f.workers(kit)]
        app[WORKERS] = workers

        # In a burst the inbox commits every few milliseconds; the feature workers need not look
        # after each commit (bench/README.md: 600 of 1,400 transactions of a kf burst were theirs),
        # nor after a commit that wrote none of the tables their work is in.
        wake_workers_soon = CommitWakes(workers, WORKER_WAKE_GAP_S)

        def after_dispatch(written: Collection[str] | None = None) -> None:
            delivery.wakeup.set()
            wake_workers_soon(written)

        priority = app[INTAKE].priority
        app[INBOX] = InboxWorker(app[SESSIONS], app[DISPATCHER],
                                 KfPuller(app[SESSIONS], client, clock, config.worker, instance=app[INSTANCE]),
                                 contexts, config, metrics, on_outbox=after_dispatch, on_commit=after_dispatch,
                                 instance=app[INSTANCE],
                                 # SQLite: one connection, so acks and welcomes (the delivery worker's
                                 # claims and outcomes) would wait behind a shared transaction
                                 yield_to=(lambda: app[INTAKE].acks_waiting() or delivery.needs_db()
                                           or priority.pressed())
                                 if db.is_sqlite(config.database.url) else priority.pressed,
                                 make_way=priority.make_way if config.server.ack_priority else None,
                                 lookahead=_lookahead(contexts, features))
        scheduler = Scheduler(app[SESSIONS], contexts, clock, on_outbox=after_dispatch,
                              refresh_s=_schedule_refresh_s(config))
        for feature in app[FEATURES]:
            for job in feature.jobs(config):
                scheduler.add(job)
            for prefix, source in feature.job_sources(config).items():
                scheduler.add_source(prefix, source)  # loaded from the database at start() and kept fresh
        app[SCHEDULER] = scheduler
        yield


def _schedule_refresh_s(config: Config) -> float:
    from handlers.topics.config import CommunityConfig

    return config.of(CommunityConfig).schedule_refresh_s


async def warm_up_then_freeze(services: Any, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Start-up's objects (the knowledge model, jieba's dictionary) live as long as the process:
    once they are loaded, `gc.freeze` keeps every full collection from walking them again, a pause
    of the whole event loop (and every ack waiting on it) each time."""
    from handlers.wiring import warm_up

    await warm_up(services, sessions)
    gc.collect()
    gc.freeze()


def stopping(stop: asyncio.Event) -> None:
    """The SIGINT/SIGTERM handler of `wanzi serve` and `wanzi sandbox`: stop serving, and let long
    embedding batches in worker threads give up (the exit would otherwise wait for them)."""
    from persona.embed import abandon_work

    abandon_work()
    stop.set()


def _workers(services: Any) -> Callable[[web.Application], AsyncIterator[None]]:
    async def run_workers(app: web.Application) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(app[INSTANCE].run_forever(), name="heartbeat"),
                 asyncio.create_task(app[INBOX].run_forever(), name="inbox"),
                 *([] if app[CONFIG].server.intake_thread else  # there the intake thread drains
                   [asyncio.create_task(app[INTAKE].drain_forever(app[INBOX].wake), name="intake-drain")]),
                 asyncio.create_task(app[DELIVERY].run_forever(), name="delivery"),
                 asyncio.create_task(app[SCHEDULER].run_forever(), name="scheduler"),
                 *(asyncio.create_task(w.run_forever(), name=w.name) for w in app[WORKERS]),
                 asyncio.create_task(log_findings([c for f in app[FEATURES] for c in f.preflight], app[CONFIG],
                                                  app[CLIENT]), name="preflight"),
                 asyncio.create_task(warm_up_then_freeze(services, app[SESSIONS]), name="load-jieba")]  # once
        yield
        for task in tasks:
            task.cancel()  # unsent rows stay in the outbox; the next start resumes them
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return run_workers


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
            metrics.outbox_depth_of(status).set(depth.get(status, 0))
    except Exception as exc:  # metrics must render even when the database is down
        log.warning("outbox depth unavailable", extra={"error": type(exc).__name__})
    return metrics.render()


async def drain(app: web.Application, *, max_rounds: int = 200) -> None:
    """Run the inbox, the features' workers and the outbox until none has due work (tests, benchmarks)."""
    inbox, delivery, workers = app[INBOX], app[DELIVERY], app[WORKERS]
    await app[INSTANCE].beat()  # the heartbeat the running workers would have kept up meanwhile
    idle = 0
    for _ in range(max_rounds):
        n = await inbox.process_due()
        for worker in workers:
            n += await worker.run_once()
        n += await delivery.deliver_due()
        if n == 0 and not (inbox.in_flight or delivery.in_flight or any(w.in_flight for w in workers)):
            idle += 1
            if idle >= 2:
                return
            await asyncio.sleep(0)
        else:
            idle = 0
    raise RuntimeError("drain did not settle")
