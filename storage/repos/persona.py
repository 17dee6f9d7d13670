"""Tag mirroring steps, rule hits, lifecycle stages, pushes and unanswered questions."""

from __future__ import annotations

from bisect import bisect_left, insort
from datetime import datetime, timedelta
from typing import Protocol, Sequence

from sqlalchemy import CompoundSelect, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Message, OutboxItem, RuleHit, StageEntry, SuppressedPush, TagSync, UnansweredQuestion
from storage.queues import _for_claim


class TagSyncRepo:
    """The queue of tag-mirroring steps bot/tagsync.py works through."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, op: str, *, now: datetime, customer_id: int | None = None, tag_id: int | None = None,
            due_at: datetime | None = None) -> TagSync:
        row = TagSync(op=op, customer_id=customer_id, tag_id=tag_id, status="pending", attempts=0, error="",
                      due_at=due_at or now, created_at=now)
        self.session.add(row)
        return row

    async def has_unclaimed(self, op: str, *, now: datetime, customer_id: int | None = None) -> bool:
        """A pending step not yet taken by the worker (a claimed one may have read WeCom already)."""
        stmt = select(TagSync.id).where(TagSync.op == op, TagSync.status == "pending", TagSync.due_at <= now)
        if customer_id is not None:
            stmt = stmt.where(TagSync.customer_id == customer_id)
        return await self.session.scalar(stmt.limit(1)) is not None

    async def claim_due(self, *, now: datetime, lease_s: float, limit: int) -> list[TagSync]:
        """Due pending steps; pushing due_at forward is the lease (a crashed worker's come back)."""
        stmt = (select(TagSync).where(TagSync.status == "pending", TagSync.due_at <= now)
                .order_by(TagSync.id).limit(limit))
        rows = list((await self.session.scalars(_for_claim(self.session, stmt))).all())
        for row in rows:
            row.due_at = now + timedelta(seconds=lease_s)
            row.attempts += 1
        await self.session.flush()
        return rows

    async def get_many(self, ids: Sequence[int]) -> list[TagSync]:
        return list((await self.session.scalars(select(TagSync).where(TagSync.id.in_(list(ids))))).all())


class RuleHitRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, customer_id: int, rule: str, *, now: datetime) -> None:
        self.session.add(RuleHit(customer_id=customer_id, rule=rule, created_at=now))

    async def count(self, customer_id: int, rule: str, *, since: datetime) -> int:
        await self.session.flush()
        return int(await self.session.scalar(select(func.count()).select_from(RuleHit).where(
            RuleHit.customer_id == customer_id, RuleHit.rule == rule, RuleHit.created_at >= since)) or 0)


class StageRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, customer_id: int, stage: str) -> StageEntry | None:
        return await self.session.scalar(select(StageEntry).where(StageEntry.customer_id == customer_id,
                                                                  StageEntry.stage == stage))

    async def add(self, customer_id: int, stage: str, *, source: str, now: datetime) -> StageEntry:
        row = StageEntry(customer_id=customer_id, stage=stage, source=source[:64], push="none", entered_at=now)
        self.session.add(row)
        await self.session.flush()
        return row


REACHED_NOBODY = ("dead", "expired", "cancelled")  # outbox statuses that count toward no cap
# A shared push's message rows are written when it is planned, at most 8 days (the gate's deferral)
# plus retries before it is due: looking back two weeks from the window finds them all.
SHARED_LOOKBACK = timedelta(days=14)


def planned_pushes(customer_ids: Sequence[int], *, start: datetime, end: datetime | None = None) -> CompoundSelect:
    """(customer_id, due_at) of the customers' pushes due in [start, end) that were or will be sent.

    A push is either the customer's own outbox row or a row shared by many customers (a broadcast's
    add_msg_template to up to 10,000 friends), which reaches them through its per-customer
    message rows; both count toward the caps."""
    live = (OutboxItem.kind == "push", OutboxItem.status.not_in(REACHED_NOBODY), OutboxItem.due_at >= start,
            *((OutboxItem.due_at < end,) if end is not None else ()))
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

    async def count_planned(self, customer_id: int, *, start: datetime, end: datetime) -> int:
        """Pushes due in [start, end) that were or will be sent (dead/expired ones reached nobody)."""
        await self.session.flush()
        pushes = planned_pushes([customer_id], start=start, end=end).subquery()
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


class UnansweredRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, customer_id: int | None, text: str, *, now: datetime, best_faq: str = "",
            confidence: float = 0.0) -> UnansweredQuestion:
        row = UnansweredQuestion(customer_id=customer_id, text=text, best_faq=best_faq[:64], confidence=confidence,
                                 status="open", created_at=now)
        self.session.add(row)
        return row


class GroupWelcomeRepo:
    """The persona's group welcome templates: the outbox rows that added them are the record."""

    API = "externalcontact/group_welcome_template/add"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def texts(self) -> list[str]:
        """Texts already added (or on their way) to the corp's 入群欢迎语 library."""
        stmt = (select(OutboxItem.payload).where(OutboxItem.api == self.API,
                                                 OutboxItem.status.not_in(["dead", "expired"]))
                .order_by(OutboxItem.id.desc()).limit(20))
        return [str((p.get("text") or {}).get("content", "")) for p in (await self.session.scalars(stmt)).all()]
