"""Engines and sessions: SQLite (WAL, busy timeout) by default, PostgreSQL through asyncpg by URL."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from alembic.config import Config as AlembicConfig
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, Pool
from sqlalchemy.util import await_only

from storage import sqlite_ids  # noqa: F401  (registers the flush hook: SQLite rows numbered before insert)
from storage.newrows import RowSession
from storage.pool_turns import TurnPool
from storage.sqlite_checkpoint import BACKSTOP_PAGES
from storage.sqlite_onehop import install as install_one_hop

MIGRATIONS = Path(__file__).parent / "migrations"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_private_file(path: str) -> None:
    """Create a new SQLite file readable by its owner only (0600): it holds the access_token and
    every customer message. SQLite gives the -wal and -shm files it makes the database's mode."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)  # an empty file is an empty SQLite database


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL; None for other databases and in-memory ones."""
    if not is_sqlite(url):
        return None
    db = make_url(url).database
    return db if db and db != ":memory:" and not db.startswith("file:") else None


def _in_transaction(dbapi_conn: Any) -> bool:
    """Whether SQLite has a transaction open on this (aiosqlite-adapted) connection; True when unknown."""
    try:
        return bool(dbapi_conn._connection._conn.in_transaction)
    except (AttributeError, ValueError):
        return True


def pool_class() -> type[Pool]:
    """SQLite's pool: SQLAlchemy's, which hands the one connection out in arrival order, or with
    `WANZI_SQLITE_POOL=turns` the callback intake's group commit served ahead of waiting workers, one turn
    in two (storage/pool_turns.py; opt-in: on a loaded machine it lowered the acks' p99 in four pairs of
    five but the rate and the workers' pace in three, bench/README.md "Fourteenth slice")."""
    return TurnPool if os.environ.get("WANZI_SQLITE_POOL") == "turns" else AsyncAdaptedQueuePool


def batch_driver_thread(dbapi_conn: Any) -> None:
    """`WANZI_SQLITE_THREAD=batch` (Linux; opt-in): aiosqlite's thread under SCHED_BATCH. A statement handed
    to it wakes it, and under the default policy the woken thread may preempt the event loop on its core while
    the loop holds the GIL, so neither runs Python until the loop gets the core back (0.1-1.3 ms per group
    commit with the workers off on a busy machine; 8-129 us under SCHED_BATCH, context switches per ack
    halved). A batch thread never preempts on waking: it runs on the other core if that one is idle, else
    when the loop waits. With the workers busy it was faster in five pairs of eight and slower in three, the
    mean unchanged (bench/README.md, nineteenth slice): not the default until a quiet machine shows it."""
    inner: Any = getattr(dbapi_conn, "_connection", None)
    policy = getattr(os, "SCHED_BATCH", None)
    if policy is None or os.environ.get("WANZI_SQLITE_THREAD") != "batch" or not hasattr(inner, "_execute"):
        return
    with contextlib.suppress(OSError):  # not allowed here: the default policy, as without the setting
        await_only(inner._execute(os.sched_setscheduler, 0, policy, os.sched_param(0)))


def create_engine(url: str, *, echo: bool = False, checkpoints_apart: bool = False) -> AsyncEngine:
    """`checkpoints_apart` (SQLite, `wanzi serve`): the process checkpoints the WAL from a connection of
    its own (storage/sqlite_checkpoint.py), so the pool's connection checkpoints only as a backstop."""
    if is_sqlite(url):
        db = sqlite_path(url)
        if db:
            create_private_file(db)
        # One connection per process: SQLite runs one writer at a time anyway, and queueing in the
        # pool (asyncio-friendly) is far cheaper than colliding in SQLite's sleeping busy handler.
        # Nothing in Wanzi holds a session while opening another, so one connection cannot deadlock.
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, pool_size=1, max_overflow=0,
                                     pool_timeout=120, pool_reset_on_return=None,  # see _reset below
                                     poolclass=pool_class())

        @event.listens_for(engine.sync_engine, "reset")
        def _reset(dbapi_conn: Any, _record: Any, state: Any) -> None:
            # The pool's rollback on return, skipped when SQLite has no transaction open (a rollback
            # then does nothing, but costs a trip to the driver's thread): the intake's group commit
            # (storage/sqlite_intake.py) returns its connection with its transaction ended.
            if state.asyncio_safe and not state.transaction_was_reset and _in_transaction(dbapi_conn):
                dbapi_conn.rollback()

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            install_one_hop(dbapi_conn)
            batch_driver_thread(dbapi_conn)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            if checkpoints_apart:
                cur.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            # Writers take the lock up front so concurrent transactions queue on busy_timeout
            # instead of failing with "database is locked" when a reader upgrades to a writer.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        @event.listens_for(engine.sync_engine, "connect")
        def _no_pysqlite_begin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        return engine
    parsed = make_url(url)
    connect_args: dict[str, object] = {}
    options = parsed.query.get("options")
    if isinstance(options, str):
        # libpq-style "?options=-csearch_path=x" (asyncpg has no `options`): map to server settings.
        settings = dict(opt[2:].split("=", 1) for opt in options.split() if opt.startswith("-c") and "=" in opt)
        connect_args["server_settings"] = settings
        parsed = parsed.difference_update_query(["options"])
    return create_async_engine(parsed, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True,
                               connect_args=connect_args)


def create_reader(url: str) -> AsyncEngine | None:
    """SQLite: a second, read-only engine for long reads (the console, the digest page).

    The main engine begins every transaction with BEGIN IMMEDIATE on its one connection, so a
    two-second digest there would hold back every callback for two seconds. Here a deferred BEGIN
    reads one WAL snapshot while the bot keeps writing. PostgreSQL needs none (MVCC): None.
    """
    if not is_sqlite(url):
        return None
    engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=2, max_overflow=0, pool_timeout=120)

    @event.listens_for(engine.sync_engine, "connect")
    def _read_only(dbapi_conn: Any, _record: Any) -> None:
        install_one_hop(dbapi_conn)
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA query_only=ON")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _snapshot(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")  # deferred: a read snapshot, never the write lock

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=RowSession)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


def _alembic_config(connection: Any = None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply Alembic migrations on this engine (used by `wanzi db upgrade`, the sandbox and tests)."""
    from alembic import command

    def run(sync_conn: Any) -> None:
        command.upgrade(_alembic_config(sync_conn), revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def run(sync_conn: Any) -> str | None:
        return MigrationContext.configure(sync_conn).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(run)


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


async def ensure_migrated(engine: AsyncEngine) -> None:
    """Refuse to run on a schema older than this code: say which command fixes it."""
    current, head = await current_revision(engine), head_revision()
    if current != head:
        from bot.errors import ConfigError

        raise ConfigError("database.url", f"schema is at revision {current or 'none'}, this Wanzi needs {head}: "
                                          "run `wanzi db upgrade`")
