"""Group commit for accepted callbacks: everything that arrives while one insert transaction is
running goes into the next one, so a burst costs a few commits, not one per callback.

Each caller still gets its own answer (the new row id, or None for a duplicate) before its ack,
and a failed transaction fails every callback in it (each answered 503, so WeCom resends)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.groupcommit import GroupCommit
from storage.queues import InboundRepo

MAX_BATCH = 500


@dataclass(frozen=True, slots=True)
class Arrival:
    dedupe_key: str
    source: str
    kind: str
    payload: dict[str, Any]


class Intake:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self._commits: GroupCommit[Arrival, int | None] = GroupCommit(self._write, MAX_BATCH)

    async def store(self, arrival: Arrival) -> int | None:
        """Persist one event under its dedupe key; the new id, or None if it was seen before."""
        return await self._commits.submit(arrival)

    async def _write(self, batch: list[Arrival]) -> list[int | None]:
        now = self.clock.now()
        async with self.sessions.begin() as session:
            repo = InboundRepo(session)
            return [await repo.add_if_new(dedupe_key=a.dedupe_key, source=a.source, kind=a.kind, payload=a.payload,
                                          now=now) for a in batch]
