"""Push counts for the anti-spam gate: per-customer queries and a batch ledger."""

from __future__ import annotations

from bisect import bisect_left, insort
from datetime import datetime, timedelta
from typing import Protocol, Sequence

from sqlalchemy import CompoundSelect, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Message, OutboxItem, SuppressedPush

REACHED_NOBODY = ("dead", "expired", "cancelled")  # outbox statuses that count toward no cap
# A shared push's message rows are written when it is planned, at most 8 days (the gate's deferral)
# plus retries before it is due: looking back two weeks from the window finds them all.
SHARED_LOOKBACK = timedelta(days=14)


def planned_pushes(customer_ids: Sequence[int], *, start: datetime, end: datetime | None = None,
                   before: int | None = None) -> CompoundSelect:
    """(customer_id, due_at) of the customers' pushes due in [start, end) that were or will be sent.

    A push is either the customer's own outbox row or a row shared by many customers (a broadcast's
    add_msg_template to up to 10,000 friends), which reaches them through its per-customer
    message rows; both count toward the caps."""
    live = (OutboxItem.kind == "push", OutboxItem.status.not_in(REACHED_NOBODY), OutboxItem.due_at >= start,
            *((OutboxItem.due_at < end,) if end is not None else ()),
            *((OutboxItem.id < before,) if before is not None else ()))
    own = select(OutboxItem.customer_id, OutboxItem.due_at).where(OutboxItem.customer_id.in_(customer_ids), *live)
    shared = (select(Message.customer_id, OutboxItem.due_at).join(OutboxItem, Message.outbox_id == OutboxItem.id)
              .where(Message.customer_id.in_(customer_ids), Message.created_at >= start - SHARED_LOOKBACK,
                     OutboxItem.customer_id.is_(None), *live))
    return union_all(own, shared)


class PushCounts(Protocol):
    """The two counts the anti-spam gate decides on (PushRepo per customer, PushLedger per batch)."""

    async def count_planned(self, customer_id: int, *, start: datetime, end: datetime) -> int: ...

    async def kf_sends_since(self, customer_id: int, since: datetime) -> int: ...


class PushRepo:
    """What the anti-spam gate needs to know: pushes already planned, kf sends, suppressions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_planned(self, customer_id: int, *, start: datetime, end: datetime,
                            before: int | None = None) -> int:
        """Pushes due in [start, end) that were or will be sent (dead/expired ones reached nobody);
        with `before`, only those queued before that outbox row."""
        await self.session.flush()
        pushes = planned_pushes([customer_id], start=start, end=end, before=before).subquery()
        return int(await self.session.scalar(select(func.count()).select_from(pushes)) or 0)

    async def kf_sends_since(self, customer_id: int, since: datetime) -> int:
        """kf/send_msg rows created after the customer's last message (WeCom allows 5)."""
        await self.session.flush()
        return int(await self.session.scalar(select(func.count()).select_from(OutboxItem).where(
            OutboxItem.customer_id == customer_id, OutboxItem.api == "kf/send_msg",
            OutboxItem.status.not_in(REACHED_NOBODY), OutboxItem.created_at >= since)) or 0)

    def suppress(self, customer_id: int | None, template_key: str, reason: str, *, now: datetime) -> None:
        self.session.add(SuppressedPush(customer_id=customer_id, template_key=template_key[:64], reason=reason[:32],
                                        created_at=now))

    async def suppressed(self, customer_id: int) -> list[SuppressedPush]:
        stmt = select(SuppressedPush).where(SuppressedPush.customer_id == customer_id).order_by(SuppressedPush.id)
        return list((await self.session.scalars(stmt)).all())


class PushLedger:
    """PushRepo's counts for a batch of customers, read in two queries and kept current as the
    batch queues pushes: a broadcast plans 500 customers without three queries each.

    It sees planned pushes due from `since` on and kf sends created from `since` on, so `since`
    must be no later than the start of the current week and the oldest open kf window (now - 48 h
    covers the window; now - 7 days covers both)."""

    def __init__(self, since: datetime) -> None:
        self.since = since
        self._due: dict[int, list[datetime]] = {}
        self._kf: dict[int, list[datetime]] = {}

    @classmethod
    async def load(cls, session: AsyncSession, customer_ids: Sequence[int], *, since: datetime) -> PushLedger:
        ledger = cls(since)
        await session.flush()
        for chunk in (customer_ids[i:i + 500] for i in range(0, len(customer_ids), 500)):
            for customer_id, due_at in await session.execute(planned_pushes(chunk, start=since)):
                insort(ledger._due.setdefault(customer_id, []), due_at)
            rows = await session.execute(select(OutboxItem.customer_id, OutboxItem.created_at).where(
                OutboxItem.customer_id.in_(chunk), OutboxItem.api == "kf/send_msg",
                OutboxItem.status.not_in(REACHED_NOBODY), OutboxItem.created_at >= since))
            for customer_id, created_at in rows:
                if customer_id is not None:
                    ledger._kf.setdefault(customer_id, []).append(created_at)
        return ledger

    def _check(self, when: datetime) -> None:
        if when < self.since:
            raise ValueError(f"the ledger holds pushes from {self.since.isoformat()} on, not {when.isoformat()}")

    async def count_planned(self, customer_id: int, *, start: datetime, end: datetime) -> int:
        self._check(start)
        due = self._due.get(customer_id, [])
        return bisect_left(due, end) - bisect_left(due, start)

    async def kf_sends_since(self, customer_id: int, since: datetime) -> int:
        self._check(since)
        return sum(1 for created in self._kf.get(customer_id, []) if created >= since)

    def planned(self, item: OutboxItem) -> None:
        """Count a push this batch just queued (its outbox row is not flushed yet)."""
        assert item.customer_id is not None and item.kind == "push"
        insort(self._due.setdefault(item.customer_id, []), item.due_at)
        if item.api == "kf/send_msg":
            self._kf.setdefault(item.customer_id, []).append(item.created_at)
