"""Messages handed to the optional LLM, and the tokens spent on them (the budget every replica shares)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LlmReply


class LlmReplyRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, *, customer_id: int, open_kfid: str, text: str, fallback: str, deadline: datetime,
            now: datetime) -> LlmReply:
        row = LlmReply(customer_id=customer_id, open_kfid=open_kfid, text=text, fallback=fallback, status="pending",
                       deadline=deadline, outcome="", prompt_tokens=0, completion_tokens=0, created_at=now)
        self.session.add(row)
        return row

    async def claim_due(self, *, now: datetime, owner: str, lease_s: float, limit: int) -> list[LlmReply]:
        """Pending requests nobody holds (or whose holder's lease ran out), leased to `owner`."""
        stmt = (select(LlmReply).where(LlmReply.status == "pending",
                                       or_(LlmReply.lease_until.is_(None), LlmReply.lease_until < now))
                .order_by(LlmReply.id).limit(limit))
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list((await self.session.scalars(stmt)).all())
        for row in rows:
            row.lease_until, row.lease_owner = now + timedelta(seconds=lease_s), owner
        await self.session.flush()
        return rows

    async def find_held(self, reply_id: int, owner: str) -> LlmReply | None:
        """The request, if it is still pending and still ours (locked on PostgreSQL until commit)."""
        stmt = select(LlmReply).where(LlmReply.id == reply_id, LlmReply.status == "pending",
                                      LlmReply.lease_owner == owner)
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def anonymise(self, customer_ids: Sequence[int]) -> int:
        """Erasure: the rows stay (the day's tokens and digest numbers), without customer or words."""
        result = await self.session.execute(update(LlmReply).where(LlmReply.customer_id.in_(list(customer_ids)))
                                            .values(customer_id=None, text="", open_kfid=""))
        return int(getattr(result, "rowcount", 0) or 0)

    async def tokens_between(self, start: datetime, end: datetime) -> int:
        """Prompt + completion tokens of the calls made in [start, end), by every replica."""
        total = await self.session.scalar(
            select(func.coalesce(func.sum(LlmReply.prompt_tokens + LlmReply.completion_tokens), 0))
            .where(LlmReply.created_at >= start, LlmReply.created_at < end))
        return int(total or 0)
