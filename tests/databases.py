"""Test databases: the migrations run once per test session into a template, each test gets a copy.

On a quiet machine nine Alembic revisions take ~70 ms on SQLite and ~300 ms on PostgreSQL; a copy
of the migrated template takes well under a millisecond (one file) or ~45 ms (CREATE DATABASE …
TEMPLATE, and DROP). test_storage.py and test_cli.py still migrate empty databases, and
test_storage.py checks that each test's copy is at head with the models' schema.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Coroutine, TypeVar

import asyncpg
import pytest

from storage import db

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_DB = "test"
PG_SKIP_REASON = f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT} (user postgres, database {PG_ADMIN_DB})"

T = TypeVar("T")


def postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
            return True
    except OSError:
        return False


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def postgres_url(database: str, *, schema: str = "") -> str:
    url = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{database}"
    return f"{url}?options=-csearch_path%3D{schema}" if schema else url


def run_apart(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on its own event loop in another thread: callable from sync fixtures, even
    while a test's loop is running, without touching that loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def migrate(url: str) -> None:
    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
    finally:
        await engine.dispose()


async def admin(*statements: str) -> None:
    """Run statements, one by one, on the admin database (for CREATE/DROP DATABASE and schemas)."""
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database=PG_ADMIN_DB)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def drop_database(name: str) -> None:
    # FORCE: a connection a failed test left open must not keep its database alive.
    await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Templates:
    """The session's migrated templates, each built the first time a test asks for a copy of it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._sqlite: Path | None = None
        self._postgres: str | None = None

    def sqlite_copy(self, dest: Path) -> str:
        """A URL for `dest`, a copy of the migrated SQLite file."""
        if self._sqlite is None:
            template = self.workdir / "template.db"
            run_apart(migrate(sqlite_url(template)))
            # Closing the last connection checkpointed the WAL: the one file is the whole database.
            assert not template.with_name(template.name + "-wal").exists()
            self._sqlite = template
        shutil.copyfile(self._sqlite, dest)
        return sqlite_url(dest)

    @asynccontextmanager
    async def postgres_copy(self) -> AsyncIterator[str]:
        """A URL for a new database cloned from the migrated template, dropped on the way out."""
        if not postgres_reachable():
            pytest.skip(PG_SKIP_REASON)
        if self._postgres is None:
            self._postgres = await self._build_postgres()
        name = f"wanzi_t_{uuid.uuid4().hex[:12]}"
        await admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._postgres}"')
        try:
            yield postgres_url(name)
        finally:
            await drop_database(name)

    async def _build_postgres(self) -> str:
        name = f"wanzi_tpl_{uuid.uuid4().hex[:12]}"
        await admin(f'CREATE DATABASE "{name}"')
        try:
            await migrate(postgres_url(name))
            # CREATE DATABASE … TEMPLATE fails while anyone is connected to the template.
            await admin(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        except BaseException:
            await drop_database(name)
            raise
        return name

    def close(self) -> None:
        if self._postgres is not None:
            run_apart(drop_database(self._postgres))
            self._postgres = None


@asynccontextmanager
async def empty_postgres() -> AsyncIterator[str]:
    """A URL for a new, empty schema in the admin database (for tests that run the migrations)."""
    if not postgres_reachable():
        pytest.skip(PG_SKIP_REASON)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    await admin(f'CREATE SCHEMA "{schema}"')
    try:
        yield postgres_url(PG_ADMIN_DB, schema=schema)
    finally:
        await admin(f'DROP SCHEMA "{schema}" CASCADE')
