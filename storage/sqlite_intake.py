"""SQLite: a group commit of callbacks in one trip to the driver's thread.

The intake's group commit through SQLAlchemy costs three trips to aiosqlite's thread (BEGIN
IMMEDIATE, the INSERT, COMMIT) and ~700 Python function calls around them, per batch. With workers
busy, each trip waits for the GIL and, on a loaded machine, for the thread to be scheduled: with the
workers off the acks reached 0.25-0.42× of the bare stack at a third of a core (bench/README.md,
"acks2"), waiting, not computing. Here the whole transaction is one function: BEGIN IMMEDIATE, one
`INSERT … ON CONFLICT (dedupe_key) DO NOTHING` per event (its id the cursor's lastrowid; cached by sqlite3),
COMMIT, or ROLLBACK on any error. By default it runs on aiosqlite's thread in one trip (no blocking
I/O on the event loop; bench/README.md, thirteenth slice); with the opt-in intake thread, or with
`WANZI_SQLITE_INTAKE=loop`, it runs on the loop itself (`on_loop`). On the loop it costs less CPU per
ack with the workers off (0.16 against 0.16-0.25 ms), but with the workers busy it was slower in four
pairs of six (bench/README.md, perf18): on the driver's thread SQLite's C code runs without the GIL
beside the loop. The connection is taken from the pool as any session takes it, so it never
interleaves with a worker's transaction.

Rows are exactly those `InboundRepo.add_many` writes: values pass through the columns' own bind
processors (datetimes in SQLAlchemy's SQLite format, the payload as JSON), and ids are SQLite's.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from typing import Any, Callable, Sequence

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only, greenlet_spawn

from storage.models import InboundEvent
from storage.pool_turns import ahead
from storage.queues import NewInbound, dedupe_hash
from storage.sqlite_onehop import enabled as onehop_enabled

COLUMNS = ("dedupe_key", "source", "kind", "payload", "status", "attempts", "error", "received_at", "due_at",
           "deadline")
# No RETURNING: the new id is the cursor's lastrowid, a duplicate changes no row (rowcount 0). A RETURNING row
# costs a second sqlite3_step per callback, and each step hands the GIL back and forth between the driver's
# thread and the busy loop (bench/README.md, nineteenth slice).
SQL = (f"INSERT INTO inbound_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
       "ON CONFLICT (dedupe_key) DO NOTHING")


def _processors(engine: AsyncEngine) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """The columns' own bind processors that change a value: the payload's (JSON) and the datetime
    columns' (received_at, due_at and deadline share one type); the other columns bind as they are."""
    dialect = engine.dialect
    table = InboundEvent.__table__
    found = {name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in COLUMNS}
    payload, stamp = found["payload"], found["due_at"]
    assert payload is not None and stamp is not None, "SQLite's JSON and datetime processors"
    assert all(found[name] is None for name in ("dedupe_key", "source", "kind", "status", "attempts", "error"))
    assert type(table.c.received_at.type) is type(table.c.due_at.type) is type(table.c.deadline.type)
    return payload, stamp


def on_loop() -> bool:
    """`WANZI_SQLITE_INTAKE=loop`: the group commit on the event loop instead of in one trip to the
    driver's thread (to compare the two: `BENCH_BEFORE=WANZI_SQLITE_INTAKE=loop`)."""
    return os.environ.get("WANZI_SQLITE_INTAKE", "") == "loop"


def usable(engine: AsyncEngine) -> bool:
    """SQLite through aiosqlite, whose connection runs functions on its thread (`_execute`, `_conn`;
    storage/sqlite_onehop.py relies on the same two), unless `WANZI_SQLITE_DRIVER=stock` asks for
    aiosqlite's own way for every statement (the session's transaction then, as on PostgreSQL)."""
    return engine.dialect.name == "sqlite" and engine.dialect.driver == "aiosqlite" and onehop_enabled()


class SqliteIntake:
    def __init__(self, engine: AsyncEngine, *, on_loop: bool = False) -> None:
        self.engine = engine
        self.on_loop = on_loop  # the transaction on the event loop (the intake thread's own loop)
        self.processors = _processors(engine)

    async def add_many(self, events: Sequence[NewInbound], *, now: datetime) -> list[int | None]:
        """Per event, its new row id or None for a duplicate (also a second event with the same
        key in `events`); all of them committed, or none (the error is raised)."""
        if not events:
            return []
        stamped = self.processors[1](now)  # `now` bound once per batch, not once per row
        rows = [self._row(e, stamped) for e in events]
        try:
            return await greenlet_spawn(self._commit, rows)
        except sqlite3.Error as exc:  # as SQLAlchemy raises it, so callers catch one kind
            raise DBAPIError.instance(SQL, None, exc, sqlite3.Error) from exc

    def _commit(self, rows: list[tuple[Any, ...]]) -> list[int | None]:
        """In one greenlet: the pool's one connection, checked out as a session's is (so no worker's
        transaction is open on it; waiting for it if need be), the transaction, the connection back to
        the pool (its reset skips the rollback: none is open). No engine Connection around it (~100
        function calls per commit), and one greenlet for checkout and return, not one each (~15)."""
        with ahead():  # with `WANZI_SQLITE_POOL=turns`: before waiting workers, one turn in two (storage/pool_turns.py)
            pooled = self.engine.sync_engine.raw_connection()
        try:
            driver: Any = pooled.driver_connection  # aiosqlite's Connection
            if self.on_loop:
                try:
                    return _insert_all(driver._conn, rows, inline=True)
                except Busy:  # another process writes: wait for it in SQLite's busy handler, off the loop
                    pass
            return list(await_only(driver._execute(_insert_all, driver._conn, rows, inline=False)))
        finally:
            pooled.close()

    def _row(self, e: NewInbound, now: str) -> tuple[Any, ...]:
        """The columns' values as the session path binds them: the processors called directly (per
        column through a generator they cost ~11 function calls per row); `now` already bound."""
        payload, stamp = self.processors
        received = now if e.received_at is None else stamp(e.received_at)
        return (dedupe_hash(e.dedupe_key), e.source, e.kind, payload(e.payload), "pending", 0, "",
                received, now, None if e.deadline is None else stamp(e.deadline))


class Busy(Exception):
    """BEGIN IMMEDIATE found the file locked by another process (nothing was written)."""


def _insert_all(conn: sqlite3.Connection, rows: list[tuple[Any, ...]], *, inline: bool) -> list[int | None]:
    """One transaction for the batch. `inline` (on the event loop): never wait for a lock (Busy
    instead) and never checkpoint (an fsync): the next commit on the driver's thread does it."""
    cursor = conn.cursor()
    try:
        if inline:
            (timeout,), = cursor.execute("PRAGMA busy_timeout").fetchall()
            (checkpoint,), = cursor.execute("PRAGMA wal_autocheckpoint").fetchall()
            cursor.execute("PRAGMA busy_timeout = 0")
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if inline and exc.sqlite_errorcode == sqlite3.SQLITE_BUSY:
                    raise Busy from exc
                raise
            try:
                ids: list[int | None] = []
                for row in rows:
                    cursor.execute(SQL, row)
                    ids.append(cursor.lastrowid if cursor.rowcount == 1 else None)
                cursor.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise
            return ids
        finally:
            if inline:
                cursor.execute(f"PRAGMA busy_timeout = {int(timeout)}")
                cursor.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")
    finally:
        cursor.close()
