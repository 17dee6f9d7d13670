"""Accepted callbacks into inbound_event, persisted before their acks, in one of two ways.

Default: group commit, everything that arrives while one insert transaction is running goes into
the next one, so a burst costs a few commits, not one per callback. Each caller still gets its own
answer (the new row id, or None for a duplicate) before its ack, and a failed transaction fails
every callback in it (each answered 503, so WeCom resends).

With `[server] intake_journal`: the ack waits only for the callback's fsync into a local journal
(bot/journal.py); a drainer moves journaled callbacks into the table in batches, where the dedupe
key decides as before. The ack then never waits for SQLite's one connection, which the workers'
transactions also hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.groupcommit import GroupCommit
from bot.journal import IntakeJournal, Record
from bot.priority import CREDIT_S, AckPriority
from bot.wecom.events import Event, KfNotified
from storage.queues import InboundRepo, NewInbound, add_inbound
from storage.sqlite_intake import SqliteIntake, usable

MAX_BATCH = 500
CODE_TTL = timedelta(seconds=20)  # welcome_code (and kf welcome_code) lifetime: the inbox's deadline


class IntakeBacklog(RuntimeError):
    """The journal holds more undrained callbacks than allowed (the database is away): answer 503."""


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


@dataclass(frozen=True, slots=True)
class Stored:
    new: bool  # False: a duplicate of an event already stored or journaled
    event_id: int | None = None  # the row's id; None until drained when journaled


class Intake:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, *,
                 journal: Path | None = None, fsync: bool = True, engine: AsyncEngine | None = None,
                 on_loop: bool = False, ack_credit_s: float = CREDIT_S) -> None:
        self.sessions = sessions
        # SQLite: each group commit in one trip to the driver's thread, or on the loop (`on_loop`: the
        # opt-in intake thread's, or WANZI_SQLITE_INTAKE=loop; storage/sqlite_intake.py)
        self._sqlite = SqliteIntake(engine, on_loop=on_loop) if engine is not None and usable(engine) else None
        # otherwise a Core transaction on the sessions' engine: the ORM session around one INSERT cost
        # ~200 function calls per group commit (bench/README.md, twelfth slice)
        bind = sessions.kw.get("bind")
        self._engine = bind if isinstance(bind, AsyncEngine) else None
        self.clock = clock
        self._commits: GroupCommit[Arrival, int | None] = GroupCommit(self._write, MAX_BATCH)
        self.journal = IntakeJournal(journal, self._drain, fsync=fsync) if journal is not None else None
        self.waiting = 0  # callbacks waiting for their commit (and so for their ack)
        self._codes_drained = False  # journaled welcome codes stored since the drain last woke the inbox
        self.priority = AckPriority(credit_s=ack_credit_s)  # the callback route counts itself in; the inbox makes way

    async def store(self, arrival: Arrival) -> Stored:
        """Persist one event under its dedupe key (in the table, or fsync'd in the journal)."""
        if self.journal is not None:
            return await self._journal(arrival, self.journal)
        self.waiting += 1
        try:
            event_id = await self._commits.submit(arrival)
        finally:
            self.waiting -= 1
        return Stored(event_id is not None, event_id)

    async def _journal(self, arrival: Arrival, journal: IntakeJournal) -> Stored:
        if journal.seen(arrival.dedupe_key):
            return Stored(False)
        if journal.full():
            raise IntakeBacklog(f"{journal.undrained()} callbacks wait for the database")
        await journal.append(Record(arrival.dedupe_key, arrival.source, arrival.kind, arrival.payload,
                                    self.clock.time(), arrival.urgent))
        return Stored(True)

    def acks_waiting(self) -> bool:
        """True while a callback waits to be stored: on SQLite's one connection the inbox worker
        then ends its shared transaction at the next event, so the ack never waits behind a batch.
        Journaled acks wait for no connection: the drainer takes its turn when a transaction ends."""
        return self.waiting > 0

    def open(self) -> int:
        """Read back what the journal holds from before the last stop; the number of callbacks."""
        return self.journal.open() if self.journal is not None else 0

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()

    async def drain_forever(self, on_stored: Callable[[bool], None],
                            store: Callable[[list[Record]], Awaitable[object]] | None = None) -> None:
        """Journaled callbacks into the table (nothing to do without a journal). `store`: how a
        batch reaches `store_drained` when the drain runs on the intake's own thread. `on_stored`
        after each batch, told whether it held welcome codes (the inbox takes those first)."""
        if self.journal is not None:  # the drain, too, waits while acks are pressing (bot/priority.py)
            if store is not None:
                self.journal.store = store
            await self.journal.drain_forever(lambda: on_stored(self._take_codes()), hold=self.priority.make_way)

    def _take_codes(self) -> bool:
        codes, self._codes_drained = self._codes_drained, False
        return codes

    async def store_drained(self, records: list[Record]) -> list[int | None]:
        """Journaled records into inbound_event (idempotent per dedupe key)."""
        return await self._drain(records)

    async def _drain(self, records: list[Record]) -> list[int | None]:
        if any(r.urgent and r.kind != KfNotified.kind for r in records):
            self._codes_drained = True
        return await self._insert([NewInbound(r.dedupe_key, r.source, r.kind, r.payload,
                                              self._deadline(r.received_at) if r.urgent else None,
                                              datetime.fromtimestamp(r.received_at, timezone.utc))
                                   for r in records])

    def _deadline(self, received: float) -> datetime:
        return datetime.fromtimestamp(received, timezone.utc) + CODE_TTL

    async def _write(self, batch: list[Arrival]) -> list[int | None]:
        now = self.clock.now()
        return await self._insert([NewInbound(a.dedupe_key, a.source, a.kind, a.payload,
                                              now + CODE_TTL if a.urgent else None) for a in batch])

    async def _insert(self, events: list[NewInbound]) -> list[int | None]:
        """One short transaction, one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING."""
        if self._sqlite is not None:
            return await self._sqlite.add_many(events, now=self.clock.now())
        if self._engine is not None:
            async with self._engine.begin() as conn:
                return await add_inbound(conn, events, now=self.clock.now(),
                                         postgresql=self._engine.dialect.name == "postgresql")
        async with self.sessions.begin() as session:
            return await InboundRepo(session).add_many(events, now=self.clock.now())
