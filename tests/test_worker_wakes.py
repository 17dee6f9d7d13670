"""Commits wake the feature workers (order matching, profile reads, the tag mirror ...); in a burst
they are woken a few times a second rather than after every commit, and the last commit of a
burst still wakes them, so nothing queued waits for the next poll."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.workers import CommitWakes, StepWorker, Throttled


async def test_a_burst_of_commits_wakes_the_workers_at_once_and_once_more_after_it() -> None:
    woken: list[float] = []
    loop = asyncio.get_running_loop()
    wake = Throttled(lambda: woken.append(loop.time()), gap_s=0.05)

    start = loop.time()
    for _ in range(100):  # a hundred commits in a row
        wake()
    assert len(woken) == 1  # the first one wakes them at once
    await asyncio.sleep(0.2)
    assert len(woken) == 2  # the rest of the burst: one more wake when the gap is over, none lost
    assert woken[1] - start >= 0.05

    wake()  # a lone commit long after: at once again
    assert len(woken) == 3


def _worker(wants: tuple[str, ...] | None) -> StepWorker:
    async def nothing() -> int:
        return 0

    return StepWorker("w", nothing, 1.0, wants=wants)


async def test_a_commit_wakes_only_the_workers_whose_tables_it_wrote() -> None:
    """A kf answer's commit (customer, message, outbox rows) wakes the profile reader and order
    matching, not the tag mirror or the broadcasts; a commit that queued a tag step wakes the mirror."""
    profiles, mirror, broadcasts, other = _worker(("customer",)), _worker(("tag_sync",)), \
        _worker(("staff_pending",)), _worker(None)
    wakes = CommitWakes([profiles, mirror, broadcasts, other], gap_s=0.05)

    wakes({"customer", "message", "outbox_item", "inbound_event"})
    assert [w.wakeup.is_set() for w in (profiles, mirror, broadcasts, other)] == [True, False, False, True]

    for worker in (profiles, mirror, broadcasts, other):
        worker.wakeup.clear()
    wakes({"tag_sync"})  # inside the gap: it waits for the gap's end, and is not lost
    assert not mirror.wakeup.is_set()
    await asyncio.sleep(0.1)
    assert [w.wakeup.is_set() for w in (profiles, mirror, broadcasts, other)] == [False, True, False, True]

    await asyncio.sleep(0.1)
    wakes(None)  # a commit of unknown tables (a scheduled job) wakes everyone
    assert all(w.wakeup.is_set() for w in (profiles, mirror, broadcasts, other))


async def test_the_tables_a_transaction_wrote_are_recorded_orm_and_core_alike(sessions) -> None:
    from sqlalchemy import insert

    from bot.clock import FakeClock
    from storage.models import AuditLog, Customer
    from storage.written import track

    now = FakeClock(1_700_000_000).now()
    async with sessions.begin() as session:
        written = track(session)
        await session.execute(insert(AuditLog).values(actor="t", action="a", target="x", detail={}, created_at=now))
        session.add(Customer(external_userid="wmWritten1", channel="kf", first_seen_at=now, last_seen_at=now))
    assert written == {"audit_log", "customer"}
    async with sessions.begin() as session:
        written = track(session)
        (await session.scalars(select(Customer))).all()  # reads write nothing
    assert written == set()


async def test_a_worker_stopped_in_the_turn_it_is_woken_stops() -> None:
    """Shutting down while a commit wakes a worker: the worker stops. (On Python 3.11 a loop asleep in
    `asyncio.wait_for(event.wait(), …)` swallowed that cancellation and ran on: a stopping bot, or a
    test's teardown, hung.)"""
    from bot.workers import run_loop

    wakeup = asyncio.Event()
    rounds: list[int] = []

    async def step() -> int:
        rounds.append(1)
        return 0

    task = asyncio.create_task(run_loop("w", step, wakeup, 30.0))
    while not rounds:  # its first round found nothing: it sleeps until woken
        await asyncio.sleep(0)
    await asyncio.sleep(0)
    wakeup.set()  # a commit wakes it ...
    await asyncio.sleep(0)
    task.cancel()  # ... and the bot stops before the worker's wait has returned
    done, _ = await asyncio.wait({task}, timeout=5)
    assert task in done and task.cancelled()


async def test_replies_written_at_the_flush_one_insert_per_table_are_recorded(sessions) -> None:
    """Three replies in one transaction: their outbox rows and messages are written at the commit's flush by
    one INSERT per table outside the unit of work (storage/newrows.py); the delivery worker is still woken."""
    from bot.clock import FakeClock
    from bot.outbox import Outbox
    from storage.models import OutboxItem
    from storage.repos import CustomerRepo
    from storage.written import track

    clock = FakeClock(1_700_000_000)
    async with sessions.begin() as session:
        customer = await CustomerRepo(session).upsert("wmWritten2", now=clock.now())
    async with sessions.begin() as session:
        written = track(session)
        for n in range(3):
            Outbox(session, clock).kf_send("wk1", customer, f"答{n}")
    assert written == {"outbox_item", "message"}
    async with sessions() as session:  # stored as the unit of work stores them: no result yet is SQL NULL
        assert await session.scalar(select(func.count()).select_from(OutboxItem)
                                    .where(OutboxItem.result.is_(None))) == 3
