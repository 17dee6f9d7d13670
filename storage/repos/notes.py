"""Staff notes on customers (the chat sidebar's 备注)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CustomerNote


class CustomerNoteRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, customer_id: int, staff_userid: str, text: str, *, now: datetime) -> CustomerNote:
        note = CustomerNote(customer_id=customer_id, staff_userid=staff_userid[:64], text=text[:500], created_at=now)
        self.session.add(note)
        return note

    async def latest(self, customer_id: int, *, limit: int = 20) -> list[CustomerNote]:
        stmt = (select(CustomerNote).where(CustomerNote.customer_id == customer_id)
                .order_by(CustomerNote.created_at.desc(), CustomerNote.id.desc()).limit(limit))
        return list((await self.session.scalars(stmt)).all())
