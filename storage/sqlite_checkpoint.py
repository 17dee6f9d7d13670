"""SQLite's WAL checkpoints beside the pool's one connection, not inside its commits.

By default SQLite checkpoints inside the commit that takes the WAL past `wal_autocheckpoint` (1,000
pages): that commit copies the pages into the database file and fsyncs it, ~15 ms of wall time here
for 1,000 pages, mostly waiting for the disk, while it holds the process's one connection
(storage/db.py). Every callback being acked then waits for it (its group commit needs the
connection): with 32 callbacks in flight one checkpoint delays all of them, ~1 % of a burst's acks,
so it sets the acks' p99 (bench/README.md, fourteenth slice). `wanzi serve` instead checkpoints from
a connection of its own on a thread, every `EVERY_S`: a PASSIVE checkpoint takes no write lock, so
the workers' and the intake's transactions go on meanwhile. The shared connection keeps a far
automatic checkpoint (`BACKSTOP_PAGES`) in case this one falls behind (e.g. a reader holding an old
snapshot keeps frames from being copied). Durability is unchanged: a commit is in the WAL either way.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

log = logging.getLogger(__name__)

EVERY_S = 0.5
BACKSTOP_PAGES = 20_000  # the shared connection's own checkpoints, ~80 MB of WAL: only if this one lags


class Checkpointer:
    def __init__(self, path: str, every_s: float = EVERY_S) -> None:
        self.path = path
        self.every_s = every_s
        self.pages = 0  # copied into the database file so far
        self._conn: sqlite3.Connection | None = None
        # one thread of its own: the connection is used, and closed, by one thread at a time
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="wal-checkpoint")

    def checkpoint(self) -> tuple[int, int]:
        """One PASSIVE checkpoint (blocking: run on a thread); (frames in the WAL, frames copied)."""
        if self._conn is None:
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        (busy, frames, copied), = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.pages += max(0, copied)
        return frames, copied

    async def run_forever(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                await asyncio.sleep(self.every_s)
                try:
                    await loop.run_in_executor(self._thread, self.checkpoint)
                except sqlite3.Error as exc:  # the shared connection's backstop still checkpoints
                    log.warning("WAL checkpoint failed", extra={"error": str(exc)[:200]})
        finally:  # after a checkpoint still running on the thread, never beside it
            self._thread.submit(self.close)
            self._thread.shutdown(wait=False)

    def close(self) -> None:
        if self._conn is not None:
            with suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None
