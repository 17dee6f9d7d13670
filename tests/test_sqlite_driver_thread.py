"""With `WANZI_SQLITE_THREAD=batch` aiosqlite's thread runs under SCHED_BATCH on Linux (storage/db.py
`batch_driver_thread`): waking it for a statement no longer preempts the event loop; without it the thread
keeps the default policy. Either way the statements run and commit as before."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import text

from storage import db

pytestmark = [pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
              pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="Linux scheduling policies")]


def driver_policies(before: set[int]) -> list[int]:
    """The scheduling policy of each aiosqlite thread started since `before` (thread ids)."""
    return [os.sched_getscheduler(t.native_id) for t in threading.enumerate()
            if "_connection_worker_thread" in t.name and t.native_id is not None and t.native_id not in before]


async def stored_and_policy(db_url: str) -> tuple[int, list[int]]:
    before = {t.native_id for t in threading.enumerate() if t.native_id is not None}
    engine = db.create_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE IF NOT EXISTS note (n INTEGER)"))
            await conn.execute(text("INSERT INTO note VALUES (1)"))
        async with engine.connect() as conn:
            return (await conn.execute(text("SELECT count(*) FROM note"))).scalar_one(), driver_policies(before)
    finally:
        await engine.dispose()


async def test_batch_puts_the_driver_thread_under_sched_batch_and_statements_still_commit(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANZI_SQLITE_THREAD", "batch")
    stored, policies = await stored_and_policy(db_url)
    assert stored == 1 and policies == [os.SCHED_BATCH]


async def test_by_default_the_driver_thread_keeps_the_default_policy(db_url: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WANZI_SQLITE_THREAD", raising=False)
    stored, policies = await stored_and_policy(db_url)
    assert stored == 1 and policies == [os.SCHED_OTHER]
