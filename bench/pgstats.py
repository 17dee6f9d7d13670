"""What PostgreSQL did for one database during a run, to say where a multi-replica run saturates:
the CPU of the server processes serving it (read from /proc: the bench runs beside the server),
its commits, the server's WAL syncs (shared with whatever else uses the server), and what its
sessions were waiting for, sampled while the run goes on."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from bench.stack import cpu_seconds

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def _cpu(pid: int) -> float:
    try:
        return cpu_seconds(pid)
    except (OSError, IndexError, ValueError):  # gone, or not on this machine
        return 0.0


@dataclass
class Snapshot:
    cpu: dict[int, float]  # backend pid -> CPU seconds so far
    commits: int
    wal_syncs: int


@dataclass
class Watch:
    """Snapshots around a run, and the sessions' wait events sampled every 0.2 s meanwhile."""

    database: str
    waits: Counter[str] = field(default_factory=Counter)
    before: Snapshot | None = None
    _task: asyncio.Task[None] | None = None

    async def snapshot(self, conn: asyncpg.Connection) -> Snapshot:
        pids = [r["pid"] for r in await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1",
                                                   self.database)]
        commits = await conn.fetchval("SELECT xact_commit FROM pg_stat_database WHERE datname = $1", self.database)
        syncs = await conn.fetchval("SELECT wal_sync FROM pg_stat_wal")
        return Snapshot({pid: _cpu(pid) for pid in pids}, int(commits or 0), int(syncs or 0))

    async def start(self) -> None:
        conn = await asyncpg.connect(database="test", **PG)
        self.before = await self.snapshot(conn)
        self._task = asyncio.create_task(self._sample(conn))

    async def _sample(self, conn: asyncpg.Connection) -> None:
        try:
            while True:
                for row in await conn.fetch(
                        "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                        "WHERE datname = $1 AND pid <> pg_backend_pid()", self.database):
                    if row["state"] == "idle":
                        continue  # a pooled connection nobody uses
                    if row["state"] == "idle in transaction" or row["wait_event"] == "ClientRead":
                        self.waits["waiting for the bot"] += 1
                    else:
                        self.waits[f"{row['wait_event_type'] or 'CPU'}:{row['wait_event'] or 'running'}"] += 1
                await asyncio.sleep(0.2)
        finally:
            await conn.close()

    async def stop(self, commands: int, seconds: float) -> dict[str, str]:
        """The run's figures per command and per second, and the share of each wait."""
        assert self._task is not None and self.before is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        conn = await asyncpg.connect(database="test", **PG)
        try:
            after = await self.snapshot(conn)
        finally:
            await conn.close()
        cpu = sum(now - self.before.cpu.get(pid, 0.0) for pid, now in after.cpu.items())
        total = sum(self.waits.values()) or 1
        waits = ", ".join(f"{k} {100 * n / total:.0f}%" for k, n in self.waits.most_common(4))
        return {"PG CPU ms/command": f"{1000 * cpu / max(1, commands):.2f}",
                "commits/s": f"{(after.commits - self.before.commits) / seconds:.0f}",
                "WAL syncs/s (server)": f"{(after.wal_syncs - self.before.wal_syncs) / seconds:.0f}",
                "PG sessions busy with": waits or "–"}


def database_of(url: str) -> str:
    return Path(url.rsplit("/", 1)[1]).name
