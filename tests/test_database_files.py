"""The SQLite database holds the access_token and every customer message: only its owner reads it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from storage import db


async def test_a_new_sqlite_database_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, which leaves new files world-readable
    try:
        path = tmp_path / "data" / "wanzi.db"
        engine = db.create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await db.upgrade(engine)
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO access_token (key, token, updated_at) "
                                        "VALUES ('k', 't', '2026-03-02 10:00:00')"))
            files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert all(f.exists() for f in files)
            assert {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {
                f.name: "0o600" for f in files}
        finally:
            await engine.dispose()
    finally:
        os.umask(old)
