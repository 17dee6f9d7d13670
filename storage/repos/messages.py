"""Every chat message in and out, and the kf send window it opens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import newcomers
from storage.models import Message


class MessageRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, message: Message) -> Message:
        self.session.add(message)
        return message

    async def last_variant(self, customer_id: int, template_key: str) -> int | None:
        """Which variant of a template this customer got last, so the next one differs."""
        mine = newcomers.rows_of(self.session, Message, customer_id)
        if mine is not None:  # a customer created in this transaction: only its own rows exist
            prefix = f"{template_key}#"
            if not any(m.direction == "out" and m.template_key.startswith(prefix) for m in mine):
                return None
        stmt = (select(Message.template_key).where(Message.customer_id == customer_id, Message.direction == "out",
                                                   Message.template_key.like(f"{template_key}#%"))
                .order_by(Message.id.desc()).limit(1))
        found = await self.session.scalar(stmt)
        if not found:
            return None
        try:
            return int(found.rsplit("#", 1)[1])
        except ValueError:
            return None

    async def inbound_count(self, customer_id: int, *, at_most: int) -> int:
        """How many messages the customer sent, counting no further than `at_most`."""
        mine = newcomers.rows_of(self.session, Message, customer_id)
        if mine is not None:  # a customer created in this transaction: only its own rows exist
            return min(at_most, sum(1 for m in mine if m.direction == "in" and m.staff_userid == ""))
        stmt = (select(Message.id).where(Message.customer_id == customer_id, Message.direction == "in",
                                         Message.staff_userid == "").limit(at_most))
        return len((await self.session.scalars(stmt)).all())

    async def recent(self, customer_id: int, limit: int = 10, *, channel: str | None = None) -> list[Message]:
        """The customer's latest messages (of one channel: kf, contact, ...), oldest first."""
        stmt = (select(Message).where(Message.customer_id == customer_id)
                .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit))
        if channel is not None:
            stmt = stmt.where(Message.channel == channel)
        return list(reversed((await self.session.scalars(stmt)).all()))


class KfWindowRepo:
    """What the kf 48 h / 5-message window (kf.md §4) has left for a customer."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sent_since(self, customer_id: int, since: datetime) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Message).where(
            Message.customer_id == customer_id, Message.direction == "out", Message.channel == "kf",
            Message.created_at >= since)) or 0)
