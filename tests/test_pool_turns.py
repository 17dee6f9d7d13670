"""SQLite's one connection, the callback intake served ahead (storage/pool_turns.py, opt-in with
`WANZI_SQLITE_POOL=turns`): a callback
arriving while workers queue for the connection is stored as soon as the current transaction ends,
before the queued workers' transactions, but never twice in a row while a worker waits; a checkout
that gives up never loses the connection. Asserted by the order of events, not by time."""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, Callable

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

from bot.clock import FakeClock
from storage import db
from storage.models import InboundEvent
from storage.pool_turns import ahead
from storage.queues import NewInbound
from storage.sqlite_intake import SqliteIntake

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

NOW = FakeClock(1_700_000_000).now()


@pytest.fixture
async def engine(db_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[AsyncEngine]:
    monkeypatch.setenv("WANZI_SQLITE_POOL", "turns")
    engine = db.create_engine(db_url)
    yield engine
    await engine.dispose()


async def _until(condition: Callable[[], bool]) -> None:
    """Wait for a state (the driver's thread answers in its own time); a generous cap, not a timing check."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("never happened")


def _waiting(engine: AsyncEngine) -> int:
    queue = engine.sync_engine.pool._pool  # type: ignore[attr-defined]
    return len(queue._ahead) + len(queue._behind)


async def _worker(engine: AsyncEngine, name: str, order: list[str], release: asyncio.Event | None = None) -> None:
    """A worker's transaction on the connection (its write is part of the order it ran in)."""
    async with engine.begin() as conn:
        order.append(name)
        if release is not None:
            await release.wait()
        await conn.execute(text("SELECT count(*) FROM inbound_event"))


async def _held(engine: AsyncEngine, order: list[str], name: str = "inbox batch"
                ) -> tuple[asyncio.Task[None], asyncio.Event]:
    """A worker holding the connection until released."""
    release = asyncio.Event()
    holder = asyncio.create_task(_worker(engine, name, order, release))
    await _until(lambda: bool(order) and order[-1] == name)
    return holder, release


async def test_a_callback_is_stored_before_the_workers_queued_ahead_of_it(engine: AsyncEngine) -> None:
    intake = SqliteIntake(engine)
    order: list[str] = []
    holder, release = await _held(engine, order)
    queued = [asyncio.create_task(_worker(engine, f"worker {i}", order)) for i in (1, 2, 3)]
    await _until(lambda: _waiting(engine) == 3)

    async def callback() -> None:
        await intake.add_many([NewInbound("msg:1", "xml", "text", {})], now=NOW)
        order.append("callback stored")

    stored = asyncio.create_task(callback())
    await _until(lambda: _waiting(engine) == 4)
    release.set()
    await asyncio.gather(holder, *queued, stored)
    assert order.index("callback stored") < order.index("worker 1")
    assert order[0] == "inbox batch" and [o for o in order if o.startswith("worker")] == \
        ["worker 1", "worker 2", "worker 3"]  # the workers keep their own order
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(InboundEvent)) == 1


async def test_callbacks_and_waiting_workers_take_turns(engine: AsyncEngine) -> None:
    """A stream of group commits cannot starve the workers: while one waits, it gets every other turn."""
    order: list[str] = []

    def commit(name: str) -> None:
        with ahead():
            pooled = engine.sync_engine.raw_connection()
        order.append(name)
        pooled.close()

    holder, release = await _held(engine, order)
    workers = [asyncio.create_task(_worker(engine, f"worker {i}", order)) for i in (1, 2)]
    await _until(lambda: _waiting(engine) == 2)
    commits = [asyncio.create_task(greenlet_spawn(commit, f"commit {i}")) for i in (1, 2, 3)]
    await _until(lambda: _waiting(engine) == 5)
    release.set()
    await asyncio.gather(holder, *workers, *commits)
    assert order == ["inbox batch", "commit 1", "worker 1", "commit 2", "worker 2", "commit 3"]


async def test_a_checkout_that_gives_up_never_loses_the_connection(engine: AsyncEngine) -> None:
    order: list[str] = []
    holder, release = await _held(engine, order)
    gone = asyncio.create_task(_worker(engine, "cancelled", order))
    after = asyncio.create_task(_worker(engine, "next", order))
    await _until(lambda: _waiting(engine) == 2)
    gone.cancel()
    release.set()
    await asyncio.gather(holder, after)
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert order == ["inbox batch", "next"]
    # a checkout timing out (the pool's own timeout) leaves the connection usable by the next one
    engine.sync_engine.pool._timeout = 0.01  # type: ignore[attr-defined]
    holder, release = await _held(engine, order, "long")
    with pytest.raises(PoolTimeout):
        async with engine.connect():
            pass
    release.set()
    await holder
    await _worker(engine, "last", order)
    assert order[-1] == "last"
