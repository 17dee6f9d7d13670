"""Group commit for accepted callbacks: everything that arrives while one insert transaction is
running goes into the next one, so a burst costs a few commits, not one per callback.

Each caller still gets its own answer (the new row id, or None for a duplicate) before its ack,
and a failed transaction fails every callback in it (each answered 503, so WeCom resends)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
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
        self._waiting: list[tuple[Arrival, asyncio.Future[int | None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def store(self, arrival: Arrival) -> int | None:
        """Persist one event under its dedupe key; the new id, or None if it was seen before."""
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((arrival, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        return await asyncio.shield(future)

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                ids = await self._write(batch)
            except Exception as exc:  # handed to every waiting request, which answers 503
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for (_, future), new_id in zip(batch, ids):
                    if not future.done():
                        future.set_result(new_id)

    async def _write(self, batch: list[tuple[Arrival, asyncio.Future[int | None]]]) -> list[int | None]:
        now = self.clock.now()
        async with self.sessions.begin() as session:
            repo = InboundRepo(session)
            return [await repo.add_if_new(dedupe_key=a.dedupe_key, source=a.source, kind=a.kind, payload=a.payload,
                                          now=now) for a, _ in batch]
