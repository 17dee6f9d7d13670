"""What the KOC score counts per customer over a period, and customers' suggestions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Checkin, Customer, Message, ReferralInvite, ReferralParticipant, ShopOrder, Suggestion


class KocRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def activity(self, since: datetime) -> dict[str, dict[int, int]]:
        """Per kind (invites, checkins, orders, messages): customer id → count since `since`."""
        invites = (select(ReferralParticipant.customer_id, func.count())
                   .join(ReferralInvite, ReferralInvite.participant_id == ReferralParticipant.id)
                   .where(ReferralInvite.status == "counted", ReferralInvite.added_at >= since)
                   .group_by(ReferralParticipant.customer_id))
        checkins = (select(Checkin.customer_id, func.count()).where(Checkin.created_at >= since)
                    .group_by(Checkin.customer_id))
        orders = (select(ShopOrder.customer_id, func.count())
                  .where(ShopOrder.status == "paid", ShopOrder.customer_id.is_not(None), ShopOrder.paid_at >= since)
                  .group_by(ShopOrder.customer_id))
        messages = (select(Message.customer_id, func.count())
                    .where(Message.direction == "in", Message.staff_userid == "", Message.customer_id.is_not(None),
                           Message.created_at >= since)
                    .group_by(Message.customer_id))
        out: dict[str, dict[int, int]] = {}
        for kind, stmt in (("invites", invites), ("checkins", checkins), ("orders", orders), ("messages", messages)):
            out[kind] = {int(cid): int(n) for cid, n in (await self.session.execute(stmt)).all() if cid is not None}
        return out

    async def active_customers(self, ids: list[int]) -> dict[int, Customer]:
        if not ids:
            return {}
        rows = await self.session.scalars(select(Customer).where(Customer.id.in_(ids), Customer.status == "active"))
        return {c.id: c for c in rows.all()}

    def add_suggestion(self, customer_id: int, text: str, *, now: datetime) -> None:
        self.session.add(Suggestion(customer_id=customer_id, text=text[:500], created_at=now))

    async def suggestion_count(self, customer_id: int) -> int:
        await self.session.flush()
        return int(await self.session.scalar(
            select(func.count()).select_from(Suggestion).where(Suggestion.customer_id == customer_id)) or 0)

    async def latest_suggestions(self, limit: int) -> list[tuple[Suggestion, Customer]]:
        stmt = (select(Suggestion, Customer).join(Customer, Customer.id == Suggestion.customer_id)
                .order_by(Suggestion.id.desc()).limit(limit))
        return [(s, c) for s, c in (await self.session.execute(stmt)).all()]
