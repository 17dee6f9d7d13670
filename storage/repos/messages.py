"""Every chat message in and out, and the kf send window it opens."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import event, func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage import groupreads, newcomers
from storage.models import Message
from storage.newrows import inserted
from storage.txinfo import HISTORIES, INBOUND_COUNTS, LAST_VARIANTS

# Stored messages read per customer at the first ask of a transaction: every hot-path reader's limit
# (the follow-up's and the shopping wish's 8 kf messages, a queued question's or ticket's
# `context_messages`, 10 by default, the opener's 2) is answered from that one read.
HISTORY_READ = 10


@dataclass
class _History:
    """A customer's latest stored messages as this transaction read them (newest `read` of them, or
    all when fewer came back), and the rows the transaction flushed for them since."""

    stored: list[Message]
    read: int
    written: list[Message] = field(default_factory=list)

    def covers(self, limit: int, channel: str | None) -> bool:
        """The latest `limit` messages (of `channel`) are all here: the stored rows read are the
        newest of the customer's, so when `limit` of them are of the channel, no older one counts."""
        if len(self.stored) < self.read:  # the whole history
            return True
        return sum(1 for m in self.stored if channel is None or m.channel == channel) >= limit

    def since(self, at: datetime) -> bool:
        """Every message of the customer created at `at` or later is here."""
        return len(self.stored) < self.read or self.stored[-1].created_at < at


class MessageRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, message: Message) -> Message:
        self.session.add(message)
        return message

    async def last_variant(self, customer_id: int, template_key: str) -> int | None:
        """Which variant of a template this customer got last, so the next one differs (read for the
        group of events the inbox prefetched, once per transaction: storage/groupreads.py)."""
        prefix = f"{template_key}#"
        mine = newcomers.rows_of(self.session, Message, customer_id)
        if mine is not None:  # a customer created in this transaction: only its own rows exist
            if not any(m.direction == "out" and m.template_key.startswith(prefix) for m in mine):
                return None
        sent = [m.template_key for m in groupreads.pending(self.session, Message, customer_id)
                if m.direction == "out" and (m.template_key or "").startswith(prefix)]
        if sent:  # written in this transaction, not flushed yet
            return _number(sent[-1])
        known: dict[tuple[int, str], int | None] = groupreads.known(self.session, LAST_VARIANTS)
        if (customer_id, template_key) not in known:
            await self.session.flush()
            wanted = groupreads.group(self.session, customer_id, {c for c, k in known if k == template_key})
            latest = (select(func.max(Message.id)).where(
                Message.customer_id.in_(wanted), Message.direction == "out",
                Message.template_key.like(f"{template_key}#%")).group_by(Message.customer_id))
            stmt = select(Message.customer_id, Message.template_key).where(Message.id.in_(latest.scalar_subquery()))
            found = {owner: _number(key) for owner, key in (await self.session.execute(stmt)).all()}
            known.update({(i, template_key): found.get(i) for i in wanted})
        return known[(customer_id, template_key)]

    async def inbound_count(self, customer_id: int, *, at_most: int) -> int:
        """How many messages the customer sent, counting no further than `at_most` (read for the
        group of events the inbox prefetched, once per transaction: storage/groupreads.py)."""
        mine = newcomers.rows_of(self.session, Message, customer_id)
        if mine is not None:  # a customer created in this transaction: only its own rows exist
            return min(at_most, sum(1 for m in mine if m.direction == "in" and m.staff_userid == ""))
        known: dict[int, int] = groupreads.known(self.session, INBOUND_COUNTS)
        if customer_id not in known:
            await self.session.flush()
            wanted = groupreads.group(self.session, customer_id, known)
            stmt = (select(Message.customer_id, func.count()).where(
                Message.customer_id.in_(wanted), Message.direction == "in", Message.staff_userid == "")
                .group_by(Message.customer_id))
            found = {owner: int(n) for owner, n in (await self.session.execute(stmt)).all()}
            known.update({i: found.get(i, 0) for i in wanted})
        waiting = sum(1 for m in groupreads.pending(self.session, Message, customer_id) if _inbound(m))
        return min(at_most, known[customer_id] + waiting)

    async def recent(self, customer_id: int, limit: int = 10, *, channel: str | None = None) -> list[Message]:
        """The customer's latest messages (of one channel: kf, contact, ...), oldest first, with the
        ones this transaction wrote, flushed or not. Read without a flush (one would write each
        event's rows on its own instead of in the group's batched inserts), at most once per
        transaction for every reader on the hot path (HISTORY_READ), for the inbox's group of
        customers at once (storage/groupreads.py), and not at all for a newcomer."""
        mine = newcomers.rows_of(self.session, Message, customer_id)
        if mine is None:
            known: dict[int, _History] = groupreads.known(self.session, HISTORIES)
            history = known.get(customer_id)
            if history is None or not history.covers(limit, channel):
                await self._read(customer_id, max(limit, HISTORY_READ, history.read if history else 0))
                history = known[customer_id]
            mine = [*history.stored, *history.written, *groupreads.pending(self.session, Message, customer_id)]
        rows = sorted(dict.fromkeys(m for m in mine if channel is None or m.channel == channel), key=_order)
        return rows[-limit:] if limit > 0 else []

    def known_since(self, customer_id: int, at: datetime) -> list[Message] | None:
        """The customer's messages created at `at` or later, stored or this transaction's, when the
        transaction knows them all without a statement (a newcomer, or a history read far enough
        back by `recent`); None otherwise."""
        mine = newcomers.rows_of(self.session, Message, customer_id)
        if mine is None:
            history: _History | None = self.session.info.get(HISTORIES, {}).get(customer_id)
            if history is None or not history.since(at):
                return None
            mine = [*history.stored, *history.written, *groupreads.pending(self.session, Message, customer_id)]
        return [m for m in dict.fromkeys(mine) if m.created_at >= at]

    async def _read(self, customer_id: int, n: int) -> None:
        """The latest `n` stored messages of the customer and of the group's others not read yet."""
        known: dict[int, _History] = groupreads.known(self.session, HISTORIES)
        wanted = groupreads.group(self.session, customer_id, {c for c, h in known.items() if h.read >= n})
        newest = (Message.created_at.desc(), Message.id.desc())
        if len(wanted) == 1:
            stmt = select(Message).where(Message.customer_id == customer_id).order_by(*newest).limit(n)
        else:  # the newest n of each: numbered within each customer's messages, newest first
            ranked = (select(Message.id, func.row_number().over(partition_by=Message.customer_id, order_by=newest)
                             .label("place")).where(Message.customer_id.in_(wanted)).subquery())
            stmt = (select(Message).join(ranked, Message.id == ranked.c.id).where(ranked.c.place <= n)
                    .order_by(Message.customer_id, *newest))
        with self.session.no_autoflush:
            rows = list((await self.session.scalars(stmt)).all())
        found: dict[int, list[Message]] = {i: [] for i in wanted}
        for row in rows:
            assert row.customer_id is not None
            found[row.customer_id].append(row)
        for i in wanted:  # rows flushed before the read are stored rows now; the old written ones too
            known[i] = _History(stored=found[i], read=n)


def _order(message: Message) -> tuple[datetime, float, int]:
    """Oldest first, as the database orders them; rows not flushed yet in the order they were added."""
    return (message.created_at, math.inf if message.id is None else message.id, inspect(message).insert_order or 0)


def _inbound(message: Message) -> bool:
    return message.direction == "in" and message.staff_userid == ""


def _number(template_key: str) -> int | None:
    try:
        return int(template_key.rsplit("#", 1)[1])
    except (ValueError, IndexError):
        return None


@event.listens_for(Session, "after_flush")
def _fold_new_messages(session: Session, _context: Any) -> None:
    """Messages this transaction wrote count in the inbound counts and last variants already read."""
    histories: dict[int, _History] | None = session.info.get(HISTORIES)
    if histories:
        for row in session.deleted:  # a gap among the newest rows read: read again
            if isinstance(row, Message) and row.customer_id is not None:
                histories.pop(row.customer_id, None)
    if histories or session.info.get(INBOUND_COUNTS) or session.info.get(LAST_VARIANTS):
        _fold_inserted(session, session.new)


@inserted
def _fold_inserted(session: Session, rows: Iterable[Any]) -> None:
    """New messages a flush wrote (through the unit of work, or by Core: storage/newrows.py), folded in."""
    counts: dict[int, int] | None = session.info.get(INBOUND_COUNTS)
    variants: dict[tuple[int, str], int | None] | None = session.info.get(LAST_VARIANTS)
    histories: dict[int, _History] | None = session.info.get(HISTORIES)
    if not counts and not variants and not histories:
        return
    for row in sorted((r for r in rows if isinstance(r, Message)), key=lambda r: r.id):
        if histories and row.customer_id in histories:
            histories[row.customer_id].written.append(row)
        if counts and row.customer_id in counts and _inbound(row):
            counts[row.customer_id] += 1
        if variants and row.customer_id is not None and row.direction == "out" and "#" in (row.template_key or ""):
            template = row.template_key.rsplit("#", 1)[0]
            if (row.customer_id, template) in variants:
                variants[(row.customer_id, template)] = _number(row.template_key)


groupreads.forget_on_bulk_writes(INBOUND_COUNTS, "message", "customer")
groupreads.forget_on_bulk_writes(LAST_VARIANTS, "message", "customer")
groupreads.forget_on_bulk_writes(HISTORIES, "message", "customer")


class KfWindowRepo:
    """What the kf 48 h / 5-message window (kf.md §4) has left for a customer."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sent_since(self, customer_id: int, since: datetime) -> int:
        """Messages sent in the customer's kf chat since `since`, this transaction's included
        (counted from the history the transaction read when it reaches that far back)."""
        known = MessageRepo(self.session).known_since(customer_id, since)
        if known is not None:
            return sum(1 for m in known if m.direction == "out" and m.channel == "kf")
        return int(await self.session.scalar(select(func.count()).select_from(Message).where(
            Message.customer_id == customer_id, Message.direction == "out", Message.channel == "kf",
            Message.created_at >= since)) or 0)
