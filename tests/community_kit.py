"""Helpers for the community tests: local times in Shanghai, a bot with community config, jobs."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, AsyncIterator
from zoneinfo import ZoneInfo

from bot.appkeys import CONTEXTS, SCHEDULER
from bot.context import Context
from tests.harness import BotUnderTest, make_config

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> float:
    """Unix time of a wall-clock moment in Shanghai."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).timestamp()


async def start_bot(db_url: str, wecom: Any, clock: Any, **sections: dict[str, Any]) -> BotUnderTest:
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, **sections), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    return bot


@asynccontextmanager
async def bot_with_faq(db_url: str, wecom: Any, clock: Any, folder: Path, faq: str) -> AsyncIterator[BotUnderTest]:
    """A bot whose knowledge base is the TOML `faq` (written to `folder`) instead of the demo one."""
    kb = folder / "faq.toml"
    kb.write_text(faq, encoding="utf-8")
    bot = await start_bot(db_url, wecom, clock, faq={"path": str(kb)})
    try:
        yield bot
    finally:
        await bot.stop()


@asynccontextmanager
async def service(bot: BotUnderTest) -> AsyncIterator[Context]:
    """A Context like jobs and staff commands get, in one committed transaction."""
    async with bot.sessions.begin() as session:
        yield bot.app[CONTEXTS](session)


async def run_due_jobs(bot: BotUnderTest) -> list[tuple[str, datetime]]:
    """One scheduler tick at the current (fake) time, then deliver everything it queued.

    Call `bot.app[SCHEDULER].start()` once first, as the running app does."""
    ran = await bot.app[SCHEDULER].tick()
    await bot.drain()
    return ran
