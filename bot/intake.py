"""Group commit for accepted callbacks: everything that arrives while one insert transaction is
running goes into the next one, so a burst costs a few commits, not one per callback.

Each caller still gets its own answer (the new row id, or None for a duplicate) before its ack,
and a failed transaction fails every callback in it (each answered 503, so WeCom resends)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.groupcommit import GroupCommit
from bot.wecom.events import Event, KfNotified
from storage.queues import InboundRepo, NewInbound

MAX_BATCH = 500
CODE_TTL = timedelta(seconds=20)  # welcome_code (and kf welcome_code) lifetime: the inbox's deadline


def carries_code(event: Event) -> bool:
    """Events claimed before all others: those carrying a 20-second welcome_code, and kf notices
    (the only way to the kf entries that may carry one; one pull serves many notices)."""
    return bool(getattr(event, "welcome_code", "")) or isinstance(event, KfNotified)


@dataclass(frozen=True, slots=True)
class Arrival:
    dedupe_key: str
    source: str
    kind: str
    payload: dict[str, Any]
    urgent: bool = False  # carries_code(event): stored with a deadline, claimed first


class Intake:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self._commits: GroupCommit[Arrival, int | None] = GroupCommit(self._write, MAX_BATCH)
        self.waiting = 0  # callbacks waiting for their commit (and so for their ack)

    async def store(self, arrival: Arrival) -> int | None:
        """Persist one event under its dedupe key; the new id, or None if it was seen before."""
        self.waiting += 1
        try:
            return await self._commits.submit(arrival)
        finally:
            self.waiting -= 1

    def acks_waiting(self) -> bool:
        """True while a callback waits to be stored: on SQLite's one connection the inbox worker
        then ends its shared transaction at the next event, so the ack never waits behind a batch."""
        return self.waiting > 0

    async def _write(self, batch: list[Arrival]) -> list[int | None]:
        """One short transaction, one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING."""
        now = self.clock.now()
        async with self.sessions.begin() as session:
            return await InboundRepo(session).add_many(
                [NewInbound(a.dedupe_key, a.source, a.kind, a.payload, now + CODE_TTL if a.urgent else None)
                 for a in batch], now=now)
