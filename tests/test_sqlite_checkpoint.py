"""WAL checkpoints beside SQLite's one connection (storage/sqlite_checkpoint.py): with `checkpoints_apart`
(`wanzi serve`) the pool's connection no longer copies the WAL into the database file inside a commit
past 1,000 pages (every ack would wait for that commit); the checkpointer's own connection does, and
everything committed is there either way."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage import db
from storage.sqlite_checkpoint import Checkpointer

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def _write_pages(db_url: str, *, apart: bool, commits: int = 60) -> None:
    """About 1,500 pages of WAL in small commits, as the workers and the intake write them."""
    engine = db.create_engine(db_url, checkpoints_apart=apart)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE filler (v TEXT)"))
        for i in range(commits):
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO filler (v) VALUES (:v)"),
                                   [{"v": f"{i}-{j}-" + "x" * 3000} for j in range(30)])
    finally:
        await engine.dispose()


@pytest.fixture
def path(db_url: str) -> Iterator[Path]:
    """The database file, with another connection open on it (as the checkpointer's is while serving):
    the pool's connection closing is then not the last one, which would checkpoint on its way out."""
    file = Path(str(make_url(db_url).database))
    keeper = sqlite3.connect(file)
    keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
    yield file
    keeper.close()


def _rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM filler").fetchone()[0])


async def test_commits_leave_the_checkpoints_to_the_checkpointer(db_url: str, path: Path) -> None:
    before = os.path.getsize(path)
    await _write_pages(db_url, apart=True)
    assert os.path.getsize(path) == before  # every page still only in the WAL
    checkpointer = Checkpointer(str(path))
    frames, copied = await asyncio.to_thread(checkpointer.checkpoint)
    checkpointer.close()
    assert frames > 1000 and copied == frames and checkpointer.pages == copied
    assert os.path.getsize(path) > before
    assert _rows(path) == 60 * 30


async def test_by_default_a_commit_checkpoints(db_url: str, path: Path) -> None:
    """What `checkpoints_apart` changes: a command's engine copies the WAL inside its commits."""
    before = os.path.getsize(path)
    await _write_pages(db_url, apart=False)
    assert os.path.getsize(path) > before


async def test_the_checkpointer_runs_until_cancelled(db_url: str, path: Path) -> None:
    await _write_pages(db_url, apart=True, commits=40)
    checkpointer = Checkpointer(str(path), every_s=0.01)
    running = asyncio.create_task(checkpointer.run_forever())
    for _ in range(1000):  # a cap, not a timing check
        if checkpointer.pages:
            break
        await asyncio.sleep(0.01)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert checkpointer.pages > 1000
