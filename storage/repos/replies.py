"""Questions the persona could not answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import UnansweredQuestion


class UnansweredRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, customer_id: int | None, text: str, *, now: datetime, best_faq: str = "",
            confidence: float = 0.0) -> UnansweredQuestion:
        row = UnansweredQuestion(customer_id=customer_id, text=text, best_faq=best_faq[:64], confidence=confidence,
                                 status="open", created_at=now)
        self.session.add(row)
        return row
