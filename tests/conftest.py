"""Shared fixtures: a fresh migrated database per test (SQLite always, PostgreSQL when reachable)."""

from __future__ import annotations

import socket
import uuid
from typing import AsyncIterator

import pytest

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_URL = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test"


def postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
            return True
    except OSError:
        return False


PG_SKIP_REASON = f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT} (user postgres, database test)"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """A database URL with an empty schema: a temp SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/wanzi.db"
        return
    if not postgres_reachable():
        pytest.skip(PG_SKIP_REASON)
    import asyncpg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    try:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite+aiosqlite:///{tmp_path}/wanzi.db"


@pytest.fixture
def clock():  # type: ignore[no-untyped-def]
    from bot.clock import FakeClock

    return FakeClock(1_700_000_000)


@pytest.fixture
async def wecom(clock):  # type: ignore[no-untyped-def]
    """The project's WeCom emulator on 127.0.0.1, sharing the test's FakeClock."""
    from emulator import Emulator, EmulatorConfig

    emu = Emulator(EmulatorConfig(callback_retry_delay=0.0, callback_timeout=5.0), clock=clock)
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture
async def wanzi(db_url: str, wecom, clock):  # type: ignore[no-untyped-def]
    """The bot under test, its API pointed at the emulator and the emulator's callbacks at it."""
    from tests.harness import BotUnderTest, make_config

    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    yield bot
    await bot.stop()


@pytest.fixture
async def sessions(db_url: str):  # type: ignore[no-untyped-def]
    """A session factory on a freshly migrated database."""
    from storage import db

    engine = db.create_engine(db_url)
    await db.upgrade(engine)
    yield db.session_factory(engine)
    await engine.dispose()
