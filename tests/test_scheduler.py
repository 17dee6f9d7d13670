"""Scheduled jobs: each fire time runs once across processes; missed runs follow the misfire policy."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from bot.clock import FakeClock
from bot.context import Context
from bot.scheduler import Job, Scheduler
from storage.models import AuditLog, JobRun


def hourly() -> CronTrigger:
    return CronTrigger(minute=0, timezone="Asia/Shanghai")


async def note_run(ctx: Context, fire_time: datetime) -> None:
    ctx.repos.audit.record(actor="system", action="job", target=fire_time.isoformat(), now=ctx.clock.now())


def make(sessions, clock: FakeClock) -> Scheduler:
    from tests.harness import context_factory

    s = Scheduler(sessions, context_factory(clock), clock)
    s.add(Job("hourly_note", hourly(), note_run, misfire_grace_s=1800))
    return s


async def audit_targets(sessions) -> list[str]:
    async with sessions() as s:
        return list((await s.scalars(select(AuditLog.target).order_by(AuditLog.id))).all())


async def test_two_processes_fire_each_time_once(sessions) -> None:
    clock = FakeClock(1_772_413_170)  # 2026-03-02 08:59:30 in Shanghai
    a, b = make(sessions, clock), make(sessions, clock)
    await a.start()
    await b.start()
    assert await a.tick() == [] and await b.tick() == []
    clock.advance(60)  # past 09:00
    ran = await a.tick() + await b.tick()
    assert len(ran) == 1
    clock.advance(3600)
    ran = await b.tick() + await a.tick()
    assert len(ran) == 1
    assert len(await audit_targets(sessions)) == 2


async def test_a_missed_run_within_grace_runs_once_at_start(sessions) -> None:
    clock = FakeClock(1_772_413_170)
    first = make(sessions, clock)
    await first.start()
    clock.advance(60)
    assert len(await first.tick()) == 1  # 09:00 ran
    # The process is down from 09:01 to 11:20: 10:00 and 11:00 were missed.
    clock.advance(2 * 3600 + 19 * 60)
    second = make(sessions, clock)
    await second.start()  # 11:00 is 20 min old (< 30 min grace): run once, coalescing 10:00
    targets = await audit_targets(sessions)
    assert len(targets) == 2 and targets[-1].startswith("2026-03-02T11:00")
    # Down until 13:05: 12:00 and 13:00 missed; the latest (5 min old) runs, 12:00 coalesces away.
    clock.advance(3600 + 45 * 60)
    await make(sessions, clock).start()
    # Down until 15:40: the latest missed fire time (15:00) is 40 min old, past the 30 min grace.
    clock.advance(2 * 3600 + 35 * 60)
    await make(sessions, clock).start()
    async with sessions() as s:
        statuses = list((await s.scalars(select(JobRun.status).order_by(JobRun.fire_time))).all())
    assert statuses == ["done", "done", "done", "missed"]
    assert len(await audit_targets(sessions)) == 3


async def test_a_failing_job_is_recorded_and_rolled_back(sessions) -> None:
    clock = FakeClock(1_772_413_170)

    async def broken(ctx: Context, fire_time: datetime) -> None:
        ctx.repos.audit.record(actor="system", action="half", now=ctx.clock.now())
        raise RuntimeError("boom")

    from tests.harness import context_factory

    s = Scheduler(sessions, context_factory(clock), clock)
    s.add(Job("broken", hourly(), broken))
    await s.start()
    clock.advance(60)
    assert await s.tick() == []
    assert await audit_targets(sessions) == []  # the job's writes were rolled back
    async with sessions() as sess:
        (run,) = (await sess.scalars(select(JobRun))).all()
    assert run.status == "failed" and "boom" in run.error


async def test_a_long_pause_between_ticks_runs_only_the_latest_fire_time(sessions) -> None:
    clock = FakeClock(1_772_413_170)  # 08:59:30
    s = make(sessions, clock)
    await s.start()
    clock.advance(60)
    assert [t.hour for _, t in await s.tick()] == [9]
    clock.advance(2 * 3600 + 9 * 60)  # 11:09:30: 10:00 and 11:00 passed while the loop was stalled
    assert [t.hour for _, t in await s.tick()] == [11]  # only 11:00, once
    clock.advance(3600 + 30 * 60)  # 12:39:30: 12:00 is 40 min old, past the 30 min grace
    assert await s.tick() == []
    clock.advance(21 * 60)  # 13:00:30: 13:00 runs as usual
    assert len(await s.tick()) == 1
    assert len(await audit_targets(sessions)) == 3


async def test_jobs_from_a_source_follow_the_database_at_each_refresh(sessions) -> None:
    clock = FakeClock(1_772_413_170)
    from tests.harness import context_factory

    wanted = ["a"]

    async def load(session) -> list[Job]:
        return [Job(f"src:{n}", hourly(), note_run) for n in wanted]

    s = Scheduler(sessions, context_factory(clock), clock, refresh_s=30)
    s.add_source("src:", load)
    await s.start()
    assert sorted(s.jobs) == ["src:a"]
    wanted[:] = ["b"]
    clock.advance(10)
    await s.tick()
    assert sorted(s.jobs) == ["src:a"]  # not refreshed yet
    clock.advance(30)
    await s.tick()
    assert sorted(s.jobs) == ["src:b"]
