"""The inbound worker: turns persisted callbacks and kf entries into handler runs, exactly once.

Each event is dispatched inside one transaction that also marks it done, so the handler's
writes, its outbox rows and the "processed" mark commit together. A failure rolls all of it
back and the event is retried with backoff; after MAX_ATTEMPTS it is parked as failed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Config
from bot.context import Context
from bot.dispatcher import Dispatcher
from bot.errors import MalformedCallback
from bot.kf import KfPuller
from bot.metrics import Metrics
from bot.outbox import Outbox
from bot.wecom.events import Event, KfNotified, parse_callback, parse_kf_entry
from bot.workers import run_loop
from persona import Persona
from storage.models import InboundEvent
from storage.queues import InboundRepo, _for_claim
from storage.repos import Repos

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def decode(source: str, payload: dict[str, Any]) -> Event:
    return parse_kf_entry(payload) if source == "kf" else parse_callback(payload)


class InboxWorker:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], dispatcher: Dispatcher, kf: KfPuller,
                 persona: Persona, clock: Clock, config: Config, metrics: Metrics | None = None,
                 extras: dict[str, Any] | None = None, on_outbox: Callable[[], None] = lambda: None) -> None:
        self.sessions = sessions
        self.dispatcher = dispatcher
        self.kf = kf
        self.persona = persona
        self.clock = clock
        self.config = config
        self.metrics = metrics
        self.extras = extras if extras is not None else {}
        self.on_outbox = on_outbox
        self.wakeup = asyncio.Event()
        self.in_flight = 0

    async def run_forever(self) -> None:
        await run_loop("inbox", self.process_due, self.wakeup, self.config.worker.poll_interval_s)

    async def process_due(self) -> int:
        async with self.sessions.begin() as session:
            rows = await InboundRepo(session).claim_due(now=self.clock.now(), lease_s=self.config.worker.lease_s,
                                                        limit=self.config.worker.inbox_batch)
            claimed = [(r.id, r.source, r.kind, dict(r.payload), r.received_at, r.attempts) for r in rows]
        self.in_flight += len(claimed)
        try:
            for row in claimed:
                await self._process(*row)
        finally:
            self.in_flight -= len(claimed)
        return len(claimed)

    async def _process(self, event_id: int, source: str, kind: str, payload: dict[str, Any],
                       received_at: datetime, attempts: int) -> None:
        outcome = "done"
        try:
            event = decode(source, payload)
            if isinstance(event, KfNotified):
                stored = await self.kf.pull(event.open_kfid, event.token)
                if stored is None:  # another pull is running; look again shortly
                    await self._reschedule(event_id, seconds=1.0, error="kf pull busy", count=False)
                    outcome = "deferred"
                    return
                await self._mark_done(event_id)
                if stored:
                    self.wakeup.set()
            else:
                handled = await self._dispatch(event_id, event, received_at)
                outcome = "done" if handled else "skipped"
        except MalformedCallback as exc:
            outcome = "failed"
            log.warning("stored event unreadable", extra={"event_id": event_id, "reason": str(exc)})
            await self._park(event_id, str(exc))
        except Exception as exc:
            outcome = "retry"
            log.exception("event processing failed", extra={"event_id": event_id, "kind": kind})
            if attempts >= MAX_ATTEMPTS:
                outcome = "failed"
                await self._park(event_id, f"{type(exc).__name__}: {exc}")
            else:
                await self._reschedule(event_id, seconds=min(300.0, 2.0 ** attempts), error=repr(exc))
        finally:
            if self.metrics:
                self.metrics.events_processed.labels(kind, outcome).inc()

    async def _dispatch(self, event_id: int, event: Event, received_at: datetime) -> bool:
        async with self.sessions.begin() as session:
            stmt = _for_claim(session, select(InboundEvent).where(InboundEvent.id == event_id))
            row = (await session.scalars(stmt)).first()
            if row is None or row.status != "pending":
                return False  # another worker finished it while our lease lapsed
            ctx = self.context(session, event, received_at=received_at)
            ran = await self.dispatcher.feed(event, ctx)
            row.status, row.processed_at, row.lease_until = "done", self.clock.now(), None
            if not ran:
                log.info("event had no handler", extra={"event_id": event_id, "kind": event.kind})
        self.on_outbox()
        return True

    def context(self, session: AsyncSession, event: Event | None = None, *,
                received_at: datetime | None = None) -> Context:
        clock = self.clock
        return Context(session=session, repos=Repos.bind(session), outbox=Outbox(session, clock),
                       persona=self.persona, clock=clock, settings=self.config,
                       log=logging.LoggerAdapter(log, {"event_kind": event.kind if event else ""}),
                       event=event, received_at=received_at, extras=self.extras)

    async def _mark_done(self, event_id: int) -> None:
        async with self.sessions.begin() as session:
            row = await session.get(InboundEvent, event_id)
            if row is not None:
                row.status, row.processed_at, row.lease_until = "done", self.clock.now(), None

    async def _reschedule(self, event_id: int, *, seconds: float, error: str, count: bool = True) -> None:
        async with self.sessions.begin() as session:
            row = await session.get(InboundEvent, event_id)
            if row is not None and row.status == "pending":
                row.due_at = self.clock.now() + timedelta(seconds=seconds)
                row.lease_until = None
                row.error = error[:500]
                if not count:
                    row.attempts = max(0, row.attempts - 1)

    async def _park(self, event_id: int, error: str) -> None:
        async with self.sessions.begin() as session:
            row = await session.get(InboundEvent, event_id)
            if row is not None:
                row.status, row.error, row.lease_until = "failed", error[:500], None
