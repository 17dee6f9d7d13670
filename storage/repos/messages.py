"""Every chat message in and out, and the kf send window it opens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage import groupreads, newcomers
from storage.models import Message
from storage.txinfo import INBOUND_COUNTS, LAST_VARIANTS


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
        """The customer's latest messages (of one channel: kf, contact, ...), oldest first."""
        stmt = (select(Message).where(Message.customer_id == customer_id)
                .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit))
        if channel is not None:
            stmt = stmt.where(Message.channel == channel)
        return list(reversed((await self.session.scalars(stmt)).all()))


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
    counts: dict[int, int] | None = session.info.get(INBOUND_COUNTS)
    variants: dict[tuple[int, str], int | None] | None = session.info.get(LAST_VARIANTS)
    if not counts and not variants:
        return
    for row in sorted((r for r in session.new if isinstance(r, Message)), key=lambda r: r.id):
        if counts and row.customer_id in counts and _inbound(row):
            counts[row.customer_id] += 1
        if variants and row.customer_id is not None and row.direction == "out" and "#" in (row.template_key or ""):
            template = row.template_key.rsplit("#", 1)[0]
            if (row.customer_id, template) in variants:
                variants[(row.customer_id, template)] = _number(row.template_key)


groupreads.forget_on_bulk_writes(INBOUND_COUNTS, "message", "customer")
groupreads.forget_on_bulk_writes(LAST_VARIANTS, "message", "customer")


class KfWindowRepo:
    """What the kf 48 h / 5-message window (kf.md §4) has left for a customer."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sent_since(self, customer_id: int, since: datetime) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Message).where(
            Message.customer_id == customer_id, Message.direction == "out", Message.channel == "kf",
            Message.created_at >= since)) or 0)
