"""Scheduled jobs: APScheduler triggers decide *when*, the database decides *who runs it*.

Every fire time is claimed by inserting (job, fire_time) into `job_run` under a unique key,
so with any number of bot processes each fire time runs exactly once. Jobs are plain
module-level async functions `(ctx, fire_time) -> None` that get the same Context as
handlers and speak through `ctx.outbox`, inside one transaction with their run record.

Misfire policy (explicit): a fire time missed while no process was running is run once at
start-up if it is at most `misfire_grace_s` old (older ones are recorded as `missed`);
several missed fire times of one job coalesce into the latest.

Jobs whose schedule lives in the database (e.g. topic calendars) come from *job sources*:
`add_source(prefix, load)` re-reads them at start-up and every `refresh_s` (measured on the
injected clock) in every process, so a schedule a staff member adds or pauses reaches all
processes without a restart, and a job whose row is gone stops.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable

from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.context import Context
from bot.workers import wait_for_event
from storage.models import JobRun

log = logging.getLogger(__name__)

JobFunc = Callable[[Any, datetime], Awaitable[None]]  # (ctx: handlers.services.Ctx, fire time)
JobSource = Callable[[AsyncSession], Awaitable[list["Job"]]]


class _Claimed(Exception):
    """Another process holds this fire time."""


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    trigger: BaseTrigger
    run: JobFunc
    misfire_grace_s: float = 3600.0


class Scheduler:
    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 make_context: Callable[[AsyncSession], Context[Any]], clock: Clock,
                 *, on_outbox: Callable[[], None] = lambda: None, max_sleep_s: float = 30.0,
                 refresh_s: float = 30.0) -> None:
        self.sessions = sessions
        self.make_context = make_context
        self.clock = clock
        self.on_outbox = on_outbox
        self.max_sleep_s = max_sleep_s
        self.refresh_s = refresh_s
        self.jobs: dict[str, Job] = {}
        self._next: dict[str, datetime | None] = {}
        self._sources: dict[str, JobSource] = {}
        self._refreshed_at: datetime | None = None
        self.changed = asyncio.Event()

    def add(self, job: Job) -> None:
        """Add or replace a job (the caller rebuilds jobs from the database at start-up)."""
        self.jobs[job.name] = job
        self._next[job.name] = None
        self.changed.set()

    def remove(self, name: str) -> None:
        self.jobs.pop(name, None)
        self._next.pop(name, None)
        self.changed.set()

    def add_source(self, prefix: str, load: JobSource) -> None:
        """Jobs named `prefix…` are whatever `load` returns at each refresh (schedules kept in the DB)."""
        self._sources[prefix] = load
        self._refreshed_at = None

    async def refresh(self) -> None:
        """Re-read every job source: add new jobs, replace changed triggers, drop vanished jobs."""
        for prefix, load in self._sources.items():
            async with self.sessions() as session:
                wanted = {job.name: job for job in await load(session)}
            for name in [n for n in self.jobs if n.startswith(prefix) and n not in wanted]:
                self.remove(name)
            for name, job in wanted.items():
                current = self.jobs.get(name)
                if current is None or repr(current.trigger) != repr(job.trigger):
                    self.add(job)
        self._refreshed_at = self.clock.now()

    async def _refresh_if_due(self, now: datetime) -> None:
        if self._sources and (self._refreshed_at is None
                              or (now - self._refreshed_at).total_seconds() >= self.refresh_s):
            await self.refresh()

    async def start(self) -> None:
        """Compute next fire times, running each job's latest missed fire time if within grace."""
        now = self.clock.now()
        await self._refresh_if_due(now)
        for job in list(self.jobs.values()):
            last = await self._last_fire(job.name)
            missed = self._missed(job, last, now)
            if missed is not None:
                if (now - missed).total_seconds() <= job.misfire_grace_s:
                    await self.fire(job.name, missed)
                else:
                    await self._record(job.name, missed, status="missed", error="older than misfire grace")
            self._next[job.name] = job.trigger.get_next_fire_time(None, now)

    def _missed(self, job: Job, last: datetime | None, now: datetime) -> datetime | None:
        """The latest fire time after `last` and before `now` (coalescing), if any."""
        if last is None:
            return None
        latest, t = None, job.trigger.get_next_fire_time(last, last + timedelta(microseconds=1))
        while t is not None and t < now:
            latest = t
            t = job.trigger.get_next_fire_time(t, t + timedelta(microseconds=1))
        return latest

    async def _last_fire(self, name: str) -> datetime | None:
        async with self.sessions() as session:
            return await session.scalar(select(func.max(JobRun.fire_time)).where(JobRun.job == name))

    async def tick(self) -> list[tuple[str, datetime]]:
        """Run every job whose next fire time has come; returns what ran (tests call it directly)."""
        now = self.clock.now()
        await self._refresh_if_due(now)
        ran = []
        for name, job in list(self.jobs.items()):
            due = self._next.get(name) or job.trigger.get_next_fire_time(None, now)
            self._next[name] = due
            if due is None or due > now:
                continue
            # After a pause (a suspended process, a clock jump) several fire times may have passed:
            # coalesce them into the latest, run it if within grace, and continue after `now`.
            latest = self._latest_due(job, due, now)
            if (now - latest).total_seconds() <= job.misfire_grace_s:
                if await self.fire(name, latest):
                    ran.append((name, latest))
            self._next[name] = job.trigger.get_next_fire_time(latest, now + timedelta(microseconds=1))
        return ran

    @staticmethod
    def _latest_due(job: Job, due: datetime, now: datetime) -> datetime:
        latest, t = due, job.trigger.get_next_fire_time(due, due + timedelta(microseconds=1))
        while t is not None and t <= now:
            latest, t = t, job.trigger.get_next_fire_time(t, t + timedelta(microseconds=1))
        return latest

    async def fire(self, name: str, fire_time: datetime) -> bool:
        """Run one fire time unless another process already claimed it. True if this call ran it."""
        job = self.jobs[name]
        try:
            async with self.sessions.begin() as session:
                run = JobRun(job=name, fire_time=fire_time, status="running", started_at=self.clock.now(), error="")
                session.add(run)
                try:
                    await session.flush()  # the unique (job, fire_time) key decides who runs it
                except IntegrityError as exc:
                    raise _Claimed from exc
                await job.run(self.make_context(session), fire_time)
                run.status, run.finished_at = "done", self.clock.now()
        except _Claimed:
            return False
        except Exception as exc:
            log.exception("scheduled job failed", extra={"job": name, "fire_time": fire_time.isoformat()})
            await self._record(name, fire_time, status="failed", error=f"{type(exc).__name__}: {exc}")
            return False
        self.on_outbox()
        log.info("scheduled job ran", extra={"job": name, "fire_time": fire_time.isoformat()})
        return True

    async def _record(self, name: str, fire_time: datetime, *, status: str, error: str) -> None:
        try:
            async with self.sessions.begin() as session:
                session.add(JobRun(job=name, fire_time=fire_time, status=status, started_at=self.clock.now(),
                                   finished_at=self.clock.now(), error=error[:500]))
        except IntegrityError:
            pass  # another process recorded this fire time first

    async def run_forever(self) -> None:
        await self.start()
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            upcoming = [t for t in self._next.values() if t is not None]
            wait = self.max_sleep_s
            if upcoming:
                wait = max(0.05, min(wait, (min(upcoming) - self.clock.now()).total_seconds()))
            self.changed.clear()
            await wait_for_event(self.changed, wait)
