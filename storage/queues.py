"""The two durable queues: inbound events (callbacks, kf entries) and the outbox, plus kf cursors.

Claiming marks rows with a lease inside a short transaction, so no transaction spans an HTTP
call. A lease names its holder (a worker_instance, storage/leases.py): a crashed worker's rows
come back when its lease runs out or as soon as its process is known dead, whichever is first;
a live holder renews its leases, so nobody takes its rows. On PostgreSQL the claim uses FOR
UPDATE SKIP LOCKED so several processes never take the same row; on SQLite every write
transaction is BEGIN IMMEDIATE, which serialises claims the same way. The holder finishing a row
locks it with a plain FOR UPDATE (its own heartbeat may hold it for a moment: skipping it would
leave it waiting a whole lease), and heartbeats renew only rows nobody holds locked, so neither
ever waits behind the other's transaction.

The outbox is claimed earliest deadline first: deadline-bound rows (welcome codes) before any
other, so a backlog of pushes or replies never delays a welcome.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Collection, Sequence, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import BindParameter

from storage.leases import NOW, lease_until, takeable, takeable_then, takeable_values
from storage.models import InboundEvent, InboundStatus, KfCursor, OutboxItem, Stamp

S = TypeVar("S", bound=Select[Any])


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched."""
    return int(cast(CursorResult[Any], result).rowcount)


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _insert(session: AsyncSession) -> Callable[..., Any]:
    return pg_insert if _dialect(session) == "postgresql" else sqlite_insert


def _for_claim(session: AsyncSession, stmt: S) -> S:
    if _dialect(session) == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def for_update(session: AsyncSession, stmt: S) -> S:
    """Lock rows this process already holds by lease before finishing them (PostgreSQL: FOR UPDATE,
    waiting). Not SKIP LOCKED: a row is also locked for a moment while its own holder's heartbeat
    renews the lease, and skipping it then would leave it pending until the lease ran out."""
    if _dialect(session) == "postgresql":
        return stmt.with_for_update()
    return stmt


def not_busy(session: AsyncSession, key: Any, where: ColumnElement[bool]) -> ColumnElement[bool]:
    """`where`, narrowed on PostgreSQL to rows no transaction holds locked: a heartbeat renewing its
    leases skips rows being finished right now (they need no lease any more), so it never waits
    behind a handler's transaction nor deadlocks with one."""
    if _dialect(session) != "postgresql":
        return where
    return cast(ColumnElement[bool], key.in_(select(key).where(where).with_for_update(skip_locked=True)))


def dedupe_hash(dedupe_key: str) -> str:
    """What `inbound_event.dedupe_key` stores: the SHA-256 of the event's key, never the key itself.

    Keys of contact events name the customer (`evt:change_external_contact:…:<external_userid>:…`);
    stored only as a hash, they hold no identifier after the customer is erased, and a replayed
    callback hashes to the same value, so it is still recognised as a duplicate."""
    return hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewInbound:
    """An event to store: its dedupe key (stored hashed), where it came from, and the deadline of
    an event that carries a 20-second code (None for every other)."""

    dedupe_key: str
    source: str
    kind: str
    payload: dict[str, Any]
    deadline: datetime | None = None
    received_at: datetime | None = None  # None: `now` of the insert (the intake journal keeps the arrival's)


# The most of one claim that rows with a live deadline take; the rest is kept for the others.
URGENT_SHARE = 0.8
# Uncounted rows (kf notices) one claim takes per place in it: 500 customers writing a second bring
# 500 notices, which one pull per account serves; at one place each, the notices of a 10-second
# burst were still being claimed (and pulled for nothing) 12 s after it ended (bench/README.md).
UNCOUNTED_PER_PLACE = 4


async def _claim_first(session: AsyncSession, first: Select[Any], rest: Select[Any], limit: int,
                       uncounted: Select[Any] | None, params: dict[str, Any]) -> tuple[list[Any], bool]:
    """Up to `limit` rows: `first`'s before `rest`'s, but `rest` keeps a fifth of the claim when it
    has rows (URGENT_SHARE), so a flood of `first` never starves it; without any, `first` takes all.
    `uncounted`'s rows (up to UNCOUNTED_PER_PLACE × `limit` more) take no room from the others: kf
    notices, one pull serves all of an account's; in a burst of customer messages they would otherwise
    fill the claim, and ordered by deadline with the welcomes they crowded those out too. The
    statements are `_claimable`'s; `params`: the values of their bound parameters but the limit.
    Also whether it took every row due: each statement found fewer than it asked for."""
    rows = list((await session.scalars(first, {**params, _LIMIT.key: limit})).all())
    room = limit - max(1, int(limit * URGENT_SHARE))
    others = list((await session.scalars(rest, {**params, _LIMIT.key: max(room, limit - len(rows))})).all())
    # (PostgreSQL: rows of `first` not kept here stay locked only until this claim commits)
    rows = rows[:limit - len(others)]
    took_all = len(rows) + len(others) < limit  # then neither statement filled its limit, nor was cut
    if uncounted is None:
        return rows + others, took_all
    free = list((await session.scalars(uncounted, {**params, _LIMIT.key: limit * UNCOUNTED_PER_PLACE})).all())
    return [*free, *rows, *others], took_all and len(free) < limit * UNCOUNTED_PER_PLACE


# The claims' statements are built once per shape, with the time, the limit and the busy customers
# as bound parameters: building one anew for every claim (and its cache key, to find it compiled)
# took a sixth of a claim's CPU, and the delivery worker claims several times a second in a burst
# (bench/README.md, ninth session).
_NOW = bindparam(NOW, type_=Stamp)
_LIMIT: BindParameter[int] = bindparam("claim_limit", type_=Integer)
_BUSY: BindParameter[int] = bindparam("busy_customers", expanding=True)
_IDS: BindParameter[int] = bindparam("outbox_ids", expanding=True)
_BY_IDS = select(OutboxItem).where(OutboxItem.id.in_(_IDS))
_EVENT_IDS: BindParameter[int] = bindparam("event_ids", expanding=True)


@functools.lru_cache(maxsize=4)
def _events_to_finish(postgresql: bool) -> Select[int, str]:
    """InboundRepo.to_finish's statement: in one lock order (no deadlock with another holder)."""
    stmt = (select(InboundEvent.id, InboundEvent.status).where(InboundEvent.id.in_(_EVENT_IDS))
            .order_by(InboundEvent.id))
    return stmt.with_for_update() if postgresql else stmt  # `for_update`


@functools.lru_cache(maxsize=4)
def _inbound_insert(postgresql: bool) -> Any:
    """InboundRepo.add_many's statement, built once: built per group commit it cost its construction
    and a fresh cache key each time (bench/README.md, twelfth slice)."""
    table = InboundEvent.__table__
    make: Callable[..., Any] = pg_insert if postgresql else sqlite_insert
    return make(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.dedupe_key, table.c.id)


def _claimable(stmt: S, postgresql: bool) -> S:
    """A claim's statement with its limit (`_LIMIT`) and, on PostgreSQL, skipping rows others lock."""
    stmt = stmt.limit(_LIMIT)
    return stmt.with_for_update(skip_locked=True) if postgresql else stmt


@functools.lru_cache(maxsize=16)
def _inbound_claim(postgresql: bool, dead: bool, uncounted: tuple[str, ...]
                   ) -> tuple[Select[Any], Select[Any], Select[Any] | None]:
    """InboundRepo.claim_due's statements: the urgent events, the others, the urgent uncounted ones."""
    due = (select(InboundEvent)
           .where(InboundEvent.status == "pending", InboundEvent.due_at <= _NOW,
                  takeable_then(InboundEvent.lease_until, InboundEvent.lease_owner, dead=dead)))
    live = InboundEvent.deadline > _NOW
    urgent = due.where(InboundEvent.deadline.is_not(None), live).order_by(InboundEvent.deadline, InboundEvent.id)
    rest = due.where(or_(InboundEvent.deadline.is_(None), ~live)).order_by(InboundEvent.id)
    free = urgent.where(InboundEvent.kind.in_(uncounted)) if uncounted else None
    if uncounted:
        urgent = urgent.where(InboundEvent.kind.not_in(uncounted))
    return (_claimable(urgent, postgresql), _claimable(rest, postgresql),
            _claimable(free, postgresql) if free is not None else None)


@functools.lru_cache(maxsize=16)
def _outbox_claim(postgresql: bool, dead: bool, busy: bool) -> tuple[Select[Any], Select[Any]]:
    """OutboxRepo.claim_due's statements: the deadline-bound rows and the others."""
    due = (select(OutboxItem)
           .where(or_(OutboxItem.status == "pending",
                      (OutboxItem.status == "sending")
                      & takeable_then(OutboxItem.lease_until, OutboxItem.lease_owner, dead=dead)),
                  OutboxItem.due_at <= _NOW))
    if busy:
        due = due.where(or_(OutboxItem.customer_id.is_(None), OutboxItem.deadline.is_not(None),
                            OutboxItem.customer_id.not_in(_BUSY)))
    urgent = due.where(OutboxItem.deadline.is_not(None)).order_by(OutboxItem.deadline, OutboxItem.id)
    rest = due.where(OutboxItem.deadline.is_(None)).order_by(OutboxItem.due_at, OutboxItem.id)
    return _claimable(urgent, postgresql), _claimable(rest, postgresql)


def _leasing(model: type[Any], *columns: str) -> Update:
    """A claim's UPDATE of its rows' lease columns, by id, built once (executed with one parameter set
    per row)."""
    table = cast(Table, model.__table__)
    return (update(table).where(table.c.id == bindparam("l_id", type_=table.c.id.type))
            .values({table.c[c]: bindparam(f"l_{c}", type_=table.c[c].type) for c in columns}))


_INBOUND = cast(Table, InboundEvent.__table__)
_FINISH = (update(_INBOUND).where(_INBOUND.c.id == bindparam("f_id", type_=_INBOUND.c.id.type))
           .values({_INBOUND.c.status: InboundStatus.DONE.value,
                    _INBOUND.c.processed_at: bindparam("f_at", type_=_INBOUND.c.processed_at.type),
                    _INBOUND.c.lease_until: None, _INBOUND.c.lease_owner: None}))
_OUTBOX_LEASE = _leasing(OutboxItem, "status", "lease_until", "lease_owner", "attempts")
_INBOUND_LEASE = _leasing(InboundEvent, "lease_until", "lease_owner", "attempts")


async def _lease(session: AsyncSession, stmt: Update, rows: Sequence[Any], values: list[dict[str, Any]]) -> None:
    """Write the claimed rows' lease (`values`, one dict per row) with one Core statement, and set the
    loaded rows to match as their committed state. What the ORM's flush of the changed attributes
    wrote, without its bookkeeping per row (bench/README.md, eleventh session); a later change to a
    row (a claim check deferring it) is flushed as before."""
    if not rows:
        return
    await session.execute(stmt, [{"l_id": row.id, **{f"l_{k}": v for k, v in new.items()}}
                                 for row, new in zip(rows, values, strict=True)])
    for row, new in zip(rows, values, strict=True):
        for key, value in new.items():
            set_committed_value(row, key, value)


async def add_inbound(db: AsyncSession | AsyncConnection, events: Sequence[NewInbound], *, now: datetime,
                      postgresql: bool) -> list[int | None]:
    """Insert each event unless its dedupe key was seen, in one statement (one round trip for a
    whole group commit); per event, its new row id or None for a duplicate (also a second
    event with the same key in `events`). `db`: a session, or a Core connection (the intake's group
    commit: no ORM session to set up and close per transaction)."""
    if not events:
        return []
    hashes = [dedupe_hash(e.dedupe_key) for e in events]
    # Core, one statement executed with many parameter sets: compiled once and cached, sent as
    # multi-row VALUES ("insertmanyvalues"). A .values([...]) of N rows was compiled anew per
    # batch: 0.16-0.23 ms of CPU per row on the event loop, 114 ms for 500 (bench/README.md).
    rows = [{"dedupe_key": h, "source": e.source, "kind": e.kind, "payload": e.payload, "status": "pending",
             "attempts": 0, "error": "", "received_at": e.received_at or now, "due_at": now,
             "deadline": e.deadline} for h, e in zip(hashes, events, strict=True)]
    new = {key: row_id for key, row_id in (await db.execute(_inbound_insert(postgresql), rows)).all()}
    return [new.pop(h, None) for h in hashes]  # pop: a repeated key in the batch is a duplicate


class InboundRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.took_all = False  # the last claim_due took every event due then (none left for another now)

    async def add_if_new(self, *, dedupe_key: str, source: str, kind: str, payload: dict[str, Any],
                         now: datetime, deadline: datetime | None = None) -> int | None:
        """Insert unless the dedupe key was seen; the new row id, or None for a duplicate."""
        return (await self.add_many([NewInbound(dedupe_key, source, kind, payload, deadline)], now=now))[0]

    async def add_many(self, events: Sequence[NewInbound], *, now: datetime) -> list[int | None]:
        """Insert each event unless its dedupe key was seen (`add_inbound`, in this session's transaction)."""
        return await add_inbound(self.session, events, now=now, postgresql=_dialect(self.session) == "postgresql")

    async def claim_due(self, *, now: datetime, lease_s: float, limit: int, owner: str | None = None,
                        dead_after_s: float | None = None, uncounted: Sequence[str] = ()) -> list[InboundEvent]:
        """Due pending events whose lease is free: never held, run out, or held by a dead process;
        earliest deadline first (events whose 20-second code is still alive), then the others in
        order, among them events whose code has died (their deadline cannot be met any more).

        A share of every claim (URGENT_SHARE) is kept for the others: under a flood of codes
        (welcomes, kf notices) the rest still moves, never starves (bench/README.md, mixed). And a
        dead code never goes before a live one: under overload, earliest deadline first would
        otherwise spend the inbox on welcomes that can only expire, and make every next one late.
        Urgent events of the `uncounted` kinds take no room from the others (kf notices)."""
        urgent, rest, free = _inbound_claim(_dialect(self.session) == "postgresql", dead_after_s is not None,
                                            tuple(uncounted))
        rows, self.took_all = await _claim_first(self.session, urgent, rest, limit, free,
                                                 takeable_values(now, dead_after_s))
        await self._lease(rows, now=now, lease_s=lease_s, owner=owner)
        return rows

    async def claim_urgent(self, *, now: datetime, lease_s: float, limit: int, owner: str | None = None,
                           dead_after_s: float | None = None, uncounted: Sequence[str] = ()) -> list[InboundEvent]:
        """Only the due events whose 20-second code is still alive, earliest deadline first: up to
        `limit`, and up to UNCOUNTED_PER_PLACE × `limit` more of the `uncounted` kinds (kf notices).
        The inbox takes these between the transactions of a batch when codes arrived meanwhile
        (bot/inbox.py, earliest deadline first), so a backlog of other events never delays them."""
        urgent, _, free = _inbound_claim(_dialect(self.session) == "postgresql", dead_after_s is not None,
                                         tuple(uncounted))
        params = takeable_values(now, dead_after_s)
        rows = list((await self.session.scalars(urgent, {**params, _LIMIT.key: limit})).all())
        if free is not None:
            rows = [*(await self.session.scalars(free, {**params, _LIMIT.key: limit * UNCOUNTED_PER_PLACE})).all(),
                    *rows]
        await self._lease(rows, now=now, lease_s=lease_s, owner=owner)
        return rows

    async def _lease(self, rows: Sequence[InboundEvent], *, now: datetime, lease_s: float, owner: str | None) -> None:
        until = now + timedelta(seconds=lease_s)
        await _lease(self.session, _INBOUND_LEASE, rows,
                     [{"lease_until": until, "lease_owner": owner, "attempts": row.attempts + 1} for row in rows])

    async def to_finish(self, event_ids: Sequence[int]) -> dict[int, str]:
        """The status of each of these events (those that exist), locked to be finished (`for_update`)
        in one statement built once: the inbox's shared transactions read their events with it."""
        stmt = _events_to_finish(_dialect(self.session) == "postgresql")
        return {row_id: status for row_id, status in
                (await self.session.execute(stmt, {_EVENT_IDS.key: list(event_ids)})).all()}

    async def finish(self, done: Sequence[tuple[int, datetime]]) -> None:
        """Mark these events (id, when) done and their leases free, with one Core statement: the
        inbox's shared transactions no longer load their events as ORM rows to change four attributes
        each (bench/README.md, eleventh session)."""
        if done:
            await self.session.execute(_FINISH, [{"f_id": event_id, "f_at": at} for event_id, at in done])

    async def renew(self, event_ids: Sequence[int], *, owner: str, now: datetime, lease_s: float) -> None:
        """Extend the leases `owner` still holds on these events (its heartbeat)."""
        if event_ids:
            held = and_(InboundEvent.id.in_(list(event_ids)), InboundEvent.lease_owner == owner,
                        InboundEvent.status == "pending")
            await self.session.execute(update(InboundEvent).where(not_busy(self.session, InboundEvent.id, held))
                                       .values(lease_until=now + timedelta(seconds=lease_s)))

    async def get(self, event_id: int) -> InboundEvent:
        row = await self.session.get(InboundEvent, event_id)
        if row is None:
            raise LookupError(f"inbound event {event_id} not found")
        return row

    async def next_due_at(self) -> datetime | None:
        return await self.session.scalar(
            select(func.min(InboundEvent.due_at)).where(InboundEvent.status == "pending"))

    async def count(self, status: str) -> int:
        return int(await self.session.scalar(
            select(func.count()).select_from(InboundEvent).where(InboundEvent.status == status)) or 0)


FAILED = ("dead", "expired")  # outbox rows that reached nobody and can be retried by an operator


class OutboxRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, item: OutboxItem) -> OutboxItem:
        self.session.add(item)
        return item

    async def claim_due(self, *, now: datetime, lease_s: float, limit: int, owner: str | None = None,
                        deadline_lease_s: float | None = None, dead_after_s: float | None = None,
                        deadline_bound_only: bool = False, busy: Collection[int] = ()) -> list[OutboxItem]:
        """Due pending rows, plus rows whose sender died mid-send (lease run out, or holder dead),
        earliest deadline first: deadline-bound rows by deadline, then the others by due time.
        Rows of the customers in `busy` (whose earlier rows this process is still sending) wait, so
        each customer's messages go out in order; deadline-bound rows never wait (a welcome code
        dies in 20 s).

        A deadline-bound row's lease is `deadline_lease_s` (default `lease_s`) and never outlives its
        deadline; with `deadline_bound_only` no other row is claimed."""
        urgent, rest = _outbox_claim(_dialect(self.session) == "postgresql", dead_after_s is not None, bool(busy))
        params: dict[str, Any] = takeable_values(now, dead_after_s)
        if busy:
            params[_BUSY.key] = list(busy)
        if deadline_bound_only:
            rows = list((await self.session.scalars(urgent, {**params, _LIMIT.key: limit})).all())
        else:  # a steady stream of welcomes above WeCom's rate never holds every reply back
            rows, _ = await _claim_first(self.session, urgent, rest, limit, None, params)
        await _lease(self.session, _OUTBOX_LEASE, rows, [
            {"status": "sending", "lease_until": lease_until(now, lease_s=lease_s, deadline=row.deadline,
                                                             deadline_lease_s=deadline_lease_s),
             "lease_owner": owner, "attempts": row.attempts + 1} for row in rows])
        return rows

    async def renew(self, item_ids: Sequence[int], *, owner: str, now: datetime, lease_s: float,
                    deadline_lease_s: float) -> None:
        """Extend the leases `owner` still holds on these rows (its heartbeat); a deadline-bound
        row's lease stays short and never passes its deadline."""
        if not item_ids:
            return
        stamp = OutboxItem.lease_until.type
        short = literal(now + timedelta(seconds=deadline_lease_s), stamp)
        held = and_(OutboxItem.id.in_(list(item_ids)), OutboxItem.lease_owner == owner,
                    OutboxItem.status == "sending")
        await self.session.execute(
            update(OutboxItem).where(not_busy(self.session, OutboxItem.id, held))
            .values(lease_until=case((OutboxItem.deadline.is_(None), literal(now + timedelta(seconds=lease_s), stamp)),
                                     (OutboxItem.deadline < short, OutboxItem.deadline), else_=short)))

    async def get(self, item_id: int) -> OutboxItem:
        row = await self.session.get(OutboxItem, item_id)
        if row is None:
            raise LookupError(f"outbox item {item_id} not found")
        return row

    async def get_many(self, item_ids: Sequence[int]) -> list[OutboxItem]:
        """The rows with these ids that still exist, in one statement (built once: the delivery
        worker reads its outcomes' rows several times a second)."""
        return list((await self.session.scalars(_BY_IDS, {_IDS.key: list(item_ids)})).all())

    async def list(self, *, statuses: Sequence[str] | None = None, limit: int = 100) -> list[OutboxItem]:
        stmt = select(OutboxItem).order_by(OutboxItem.id.desc()).limit(limit)
        if statuses:
            stmt = stmt.where(OutboxItem.status.in_(list(statuses)))
        return list((await self.session.scalars(stmt)).all())

    async def retry(self, item_ids: Sequence[int], *, now: datetime) -> int:
        """Put dead/expired rows back to pending; a sent row is never sent again."""
        result = await self.session.execute(
            update(OutboxItem).where(OutboxItem.id.in_(list(item_ids)), OutboxItem.status.in_(["dead", "expired"]))
            .values(status="pending", due_at=now, attempts=0, lease_until=None, lease_owner=None, deadline=None))
        return int(rowcount(result) or 0)

    async def depth(self) -> dict[str, int]:
        rows = await self.session.execute(select(OutboxItem.status, func.count()).group_by(OutboxItem.status))
        return {status: int(n) for status, n in rows.all()}

    async def next_due_at(self) -> datetime | None:
        return await self.session.scalar(
            select(func.min(OutboxItem.due_at)).where(OutboxItem.status.in_(["pending", "sending"])))


class KfCursorRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lease(self, open_kfid: str, *, now: datetime, lease_s: float, owner: str | None = None,
                    dead_after_s: float | None = None) -> KfCursor | None:
        """Take the pull lease of a kf account, or None if a live pull holds it."""
        await self.session.execute(
            _insert(self.session)(KfCursor).values(open_kfid=open_kfid, cursor="", pending_token="", updated_at=now)
            .on_conflict_do_nothing(index_elements=["open_kfid"]))
        stmt = select(KfCursor).where(KfCursor.open_kfid == open_kfid,
                                      takeable(KfCursor.lease_until, KfCursor.lease_owner, now=now,
                                               dead_after_s=dead_after_s))
        row = (await self.session.scalars(_for_claim(self.session, stmt))).first()
        if row is None:
            return None
        row.lease_until = now + timedelta(seconds=lease_s)
        row.lease_owner = owner
        await self.session.flush()
        return row

    async def renew(self, open_kfids: Sequence[str], *, owner: str, now: datetime, lease_s: float) -> None:
        """Extend the pull leases `owner` still holds (its heartbeat)."""
        if open_kfids:
            held = and_(KfCursor.open_kfid.in_(list(open_kfids)), KfCursor.lease_owner == owner,
                        KfCursor.lease_until.is_not(None))
            await self.session.execute(
                update(KfCursor).where(not_busy(self.session, KfCursor.open_kfid, held))
                .values(lease_until=now + timedelta(seconds=lease_s)))

    async def get(self, open_kfid: str) -> KfCursor | None:
        return await self.session.get(KfCursor, open_kfid)
