"""Shared fixtures: a fresh copy of the migrated database per test (SQLite always, PostgreSQL when
reachable), the bot and the WeCom emulator on a FakeClock, and the emulator alone with a stand-in
callback receiver."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, AsyncIterator, Callable, Iterator

import aiohttp
import pytest

from tests.databases import Templates, empty_postgres
from tests.databases import sqlite_url as sqlite_file_url

if TYPE_CHECKING:
    from bot.clock import FakeClock
    from emulator import Emulator, EmulatorConfig
    from emulator.testing import ApiClient, CallbackReceiver
    from tests.harness import BotUnderTest

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


# --- databases ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """The session's migrated templates (built on first use, the PostgreSQL one dropped at the end)."""
    made = Templates(tmp_path_factory.mktemp("templates"))
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(params=DATABASES)
async def db_url(request: pytest.FixtureRequest, templates: Templates, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database of the test's own: a copy of the SQLite template, or a PostgreSQL
    database cloned from the PostgreSQL one."""
    if request.param == "sqlite":
        yield templates.sqlite_copy(tmp_path / "wanzi.db")
        return
    async with templates.postgres_copy() as url:
        yield url


@pytest.fixture(params=DATABASES)
async def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database with nothing in it, for tests that run the migrations: a new SQLite file, or a
    new PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_file_url(tmp_path / "empty.db")
        return
    async with empty_postgres() as url:
        yield url


@pytest.fixture
def sqlite_url(templates: Templates, tmp_path: Path) -> str:
    """A migrated SQLite database of the test's own."""
    return templates.sqlite_copy(tmp_path / "wanzi.db")


@pytest.fixture
async def postgres_url(templates: Templates) -> AsyncIterator[str]:
    """A migrated PostgreSQL database of the test's own (skips when PostgreSQL is not reachable)."""
    async with templates.postgres_copy() as url:
        yield url


@pytest.fixture
async def sessions(db_url: str):
    """A session factory on the test's migrated database."""
    from storage import db

    engine = db.create_engine(db_url)
    yield db.session_factory(engine)
    await engine.dispose()


# --- the bot and the emulator ---------------------------------------------------------------------

@pytest.fixture
def clock() -> FakeClock:
    from bot.clock import FakeClock

    return FakeClock(1_700_000_000)


@pytest.fixture
async def wecom(clock: FakeClock) -> AsyncIterator[Emulator]:
    """The project's WeCom emulator on 127.0.0.1, sharing the test's FakeClock."""
    from emulator import Emulator, EmulatorConfig

    emu = Emulator(EmulatorConfig(callback_retry_delay=0.0, callback_timeout=5.0), clock=clock)
    await emu.start()
    yield emu
    await emu.stop()


@pytest.fixture
async def wanzi(db_url: str, wecom: Emulator, clock: FakeClock) -> AsyncIterator[BotUnderTest]:
    """The bot under test, its API pointed at the emulator and the emulator's callbacks at it."""
    from tests.harness import BotUnderTest, make_config

    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    yield bot
    await bot.stop()


# --- the emulator on its own (emulator tests) -----------------------------------------------------

@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """The settings of `emu`; a module overrides this fixture to pick its seed and knobs."""
    from emulator import EmulatorConfig

    return EmulatorConfig(callback_retry_delay=0)


@pytest.fixture
async def emu(emulator_config: EmulatorConfig, clock: FakeClock) -> AsyncIterator[Emulator]:
    """The WeCom emulator without a bot, on the test's clock; callbacks go to `receiver` if used."""
    from emulator import Emulator

    emulator = Emulator(emulator_config, clock=clock)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def receiver(emu: Emulator) -> AsyncIterator[CallbackReceiver]:
    """A stand-in bot at the emulator's callback URL that decrypts and records every push."""
    from emulator.testing import CallbackReceiver

    rec = CallbackReceiver(emu.config.crypto())
    await rec.start()
    emu.connect(rec.url)
    yield rec
    await rec.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def api_as(emu: Emulator, http: aiohttp.ClientSession) -> Callable[[str], ApiClient]:
    """A bare API client on the emulator for one of the corp's secrets: api_as("kf")."""
    from emulator.testing import ApiClient

    return lambda kind: ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets[kind])


@pytest.fixture
def app_api(api_as: Callable[[str], ApiClient]) -> ApiClient:
    return api_as("app")
