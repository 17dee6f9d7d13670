"""SQLite's group commit of callbacks in one trip (storage/sqlite_intake.py): the rows are those the
ORM path writes, duplicates answer None, a batch is stored whole or not at all, and another
process holding the write lock makes the batch wait for it rather than fail; the same by default (the
transaction on the driver's thread) and with the intake thread (on the event loop)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.clock import FakeClock
from storage import db
from storage.models import InboundEvent
from storage.queues import InboundRepo, NewInbound, dedupe_hash
from storage.sqlite_intake import SqliteIntake

pytestmark = [pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
              pytest.mark.parametrize("on_loop", [False, True], ids=["driver_thread", "on_loop"])]

NOW = FakeClock(1_700_000_000).now()


async def test_rows_match_the_orm_path_and_duplicates_answer_none(db_url: str, on_loop: bool) -> None:
    engine = db.create_engine(db_url)
    sessions = db.session_factory(engine)
    try:
        intake = SqliteIntake(engine, on_loop=on_loop)
        code = NOW + timedelta(seconds=20)
        first = await intake.add_many([NewInbound("msg:1", "xml", "text", {"Content": "你好", "n": 1}),
                                       NewInbound("msg:2", "xml", "friend_added", {}, deadline=code)], now=NOW)
        second = await intake.add_many([NewInbound("msg:2", "xml", "friend_added", {}),  # seen before
                                        NewInbound("msg:3", "xml", "text", {}),
                                        NewInbound("msg:3", "xml", "text", {})], now=NOW)  # twice in the batch
        async with sessions.begin() as s:  # the ORM's own path beside it
            orm = await InboundRepo(s).add_many([NewInbound("msg:4", "xml", "text", {"Content": "你好", "n": 1})],
                                                now=NOW)
        assert None not in first and second[0] is None and second[1] is not None and second[2] is None
        async with sessions() as s:
            rows = {r.id: r for r in (await s.scalars(select(InboundEvent))).all()}
            claimed = await InboundRepo(s).claim_due(now=NOW, lease_s=60, limit=10)
        assert len(rows) == 4
        assert first[0] is not None and first[1] is not None and orm[0] is not None
        mine, theirs, welcome = rows[first[0]], rows[orm[0]], rows[first[1]]
        for column in ("source", "kind", "payload", "status", "attempts", "error", "received_at", "due_at",
                       "deadline", "lease_until"):
            assert getattr(mine, column) == getattr(theirs, column), column
        assert welcome.deadline == code and mine.payload == {"Content": "你好", "n": 1}
        # each new id names its own callback's row, also right after a duplicate in the same batch
        new_ids = [i for i in (*first, second[1]) if i is not None]
        assert [rows[i].dedupe_key for i in new_ids] == [dedupe_hash(k) for k in ("msg:1", "msg:2", "msg:3")]
        assert claimed[0].id == first[1]  # the welcome code first: its deadline is read back as written
        assert {r.id for r in claimed} == set(rows)
    finally:
        await engine.dispose()


async def test_a_failing_batch_stores_nothing_and_the_next_one_is_stored(db_url: str, on_loop: bool) -> None:
    engine = db.create_engine(db_url)
    sessions = db.session_factory(engine)
    try:
        intake = SqliteIntake(engine, on_loop=on_loop)
        bad = NewInbound("msg:2", "xml", None, {})  # type: ignore[arg-type]  # kind is NOT NULL
        with pytest.raises(DBAPIError):
            await intake.add_many([NewInbound("msg:1", "xml", "text", {}), bad], now=NOW)
        assert await intake.add_many([NewInbound("msg:1", "xml", "text", {})], now=NOW) != [None]
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(InboundEvent)) == 1
    finally:
        await engine.dispose()


async def test_a_lone_callback_is_stored_once_and_a_failing_one_leaves_nothing(db_url: str, on_loop: bool) -> None:
    """One callback at a time (a steady stream): its own row and id, None for its repeat, and a row the table
    refuses raises, stores nothing and leaves no transaction open for the next one."""
    engine = db.create_engine(db_url)
    try:
        intake = SqliteIntake(engine, on_loop=on_loop)
        [first] = await intake.add_many([NewInbound("msg:1", "xml", "text", {"Content": "你好"})], now=NOW)
        assert await intake.add_many([NewInbound("msg:1", "xml", "text", {})], now=NOW) == [None]
        with pytest.raises(DBAPIError):
            await intake.add_many([NewInbound("msg:9", "xml", None, {})], now=NOW)  # type: ignore[arg-type]
        [second] = await intake.add_many([NewInbound("msg:2", "xml", "text", {})], now=NOW)
        async with db.session_factory(engine)() as s:
            rows = {r.id: r.dedupe_key for r in (await s.scalars(select(InboundEvent))).all()}
        assert rows == {first: dedupe_hash("msg:1"), second: dedupe_hash("msg:2")}
    finally:
        await engine.dispose()


async def test_a_batch_waits_for_another_process_holding_the_write_lock(db_url: str, on_loop: bool) -> None:
    engine = db.create_engine(db_url)
    other = sqlite3.connect(str(make_url(db_url).database), isolation_level=None)
    try:
        intake = SqliteIntake(engine, on_loop=on_loop)
        other.execute("BEGIN IMMEDIATE")  # e.g. a `wanzi` command writing
        storing = asyncio.create_task(intake.add_many([NewInbound("msg:1", "xml", "text", {})], now=NOW))
        for _ in range(20):  # the event loop keeps running while the batch waits
            await asyncio.sleep(0.01)
        assert not storing.done()
        other.execute("COMMIT")
        assert (await storing)[0] is not None
    finally:
        other.close()
        await engine.dispose()


async def test_a_journaled_callback_keeps_its_arrival_time_and_is_due_now(db_url: str, on_loop: bool) -> None:
    """A callback acked from the journal before the database took it: stored with the time it arrived
    (received_at), due from the drain's time, and a code's deadline as given, as the ORM path stores it."""
    engine = db.create_engine(db_url)
    sessions = db.session_factory(engine)
    try:
        arrived = NOW - timedelta(seconds=7)
        code = arrived + timedelta(seconds=20)
        mine = await SqliteIntake(engine, on_loop=on_loop).add_many(
            [NewInbound("msg:1", "xml", "friend_added", {"WelcomeCode": "c"}, code, arrived)], now=NOW)
        async with sessions.begin() as s:
            orm = await InboundRepo(s).add_many(
                [NewInbound("msg:2", "xml", "friend_added", {"WelcomeCode": "c"}, code, arrived)], now=NOW)
        async with sessions() as s:
            rows = {r.id: r for r in (await s.scalars(select(InboundEvent))).all()}
        stored, theirs = rows[mine[0]], rows[orm[0]]  # type: ignore[index]
        assert (stored.received_at, stored.due_at, stored.deadline) == (arrived, NOW, code)
        for column in ("received_at", "due_at", "deadline", "payload", "status"):
            assert getattr(stored, column) == getattr(theirs, column), column
    finally:
        await engine.dispose()
