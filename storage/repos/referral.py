"""Referral campaigns, participants and invites."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, OutboxItem, ReferralCampaign, ReferralInvite, ReferralParticipant
from storage.queues import rowcount


class ReferralRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, key: str) -> ReferralCampaign | None:
        return await self.session.scalar(select(ReferralCampaign).where(ReferralCampaign.key == key))

    async def list(self, *, include_ended: bool = False) -> builtins.list[ReferralCampaign]:
        stmt = select(ReferralCampaign).order_by(ReferralCampaign.id)
        if not include_ended:
            stmt = stmt.where(ReferralCampaign.status == "active")
        return list((await self.session.scalars(stmt)).all())

    async def participant(self, campaign_id: int, customer_id: int) -> ReferralParticipant | None:
        return await self.session.scalar(select(ReferralParticipant).where(
            ReferralParticipant.campaign_id == campaign_id, ReferralParticipant.customer_id == customer_id))

    async def participant_by_state(self, state: str) -> ReferralParticipant | None:
        return await self.session.scalar(select(ReferralParticipant).where(ReferralParticipant.state == state))

    async def participant_by_outbox(self, outbox_id: int) -> ReferralParticipant | None:
        return await self.session.scalar(select(ReferralParticipant).where(ReferralParticipant.outbox_id == outbox_id))

    async def ways_awaiting_result(self) -> builtins.list[tuple[ReferralParticipant, OutboxItem]]:
        stmt = (select(ReferralParticipant, OutboxItem).join(OutboxItem, OutboxItem.id == ReferralParticipant.outbox_id)
                .where(ReferralParticipant.way_status == "pending",
                       OutboxItem.status.in_(["sent", "dead", "expired"])))
        return [(p, o) for p, o in (await self.session.execute(stmt)).all()]

    async def claim_way(self, participant_id: int, **values: Any) -> bool:
        """Move a pending contact way to ready/failed once, even with two workers racing."""
        result = await self.session.execute(
            update(ReferralParticipant).where(ReferralParticipant.id == participant_id,
                                              ReferralParticipant.way_status == "pending")
            .values(**values).execution_options(synchronize_session=False))
        return bool(rowcount(result))

    async def invite_of(self, campaign_id: int, invitee_customer_id: int) -> ReferralInvite | None:
        return await self.session.scalar(select(ReferralInvite).where(
            ReferralInvite.campaign_id == campaign_id, ReferralInvite.invitee_customer_id == invitee_customer_id))

    async def invites_of_invitee(self, invitee_customer_id: int, staff_userid: str) -> builtins.list[ReferralInvite]:
        return list((await self.session.scalars(select(ReferralInvite).where(
            ReferralInvite.invitee_customer_id == invitee_customer_id,
            ReferralInvite.staff_userid == staff_userid))).all())

    async def counted(self, participant_id: int) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(ReferralInvite).where(
            ReferralInvite.participant_id == participant_id, ReferralInvite.status == "counted")) or 0)

    async def standings(self, campaign_id: int) -> builtins.list[tuple[ReferralParticipant, Customer, int]]:
        """Every participant with their counted invites, most first."""
        counted = (select(func.count()).select_from(ReferralInvite)
                   .where(ReferralInvite.participant_id == ReferralParticipant.id,
                          ReferralInvite.status == "counted").scalar_subquery())
        stmt = (select(ReferralParticipant, Customer, counted)
                .join(Customer, Customer.id == ReferralParticipant.customer_id)
                .where(ReferralParticipant.campaign_id == campaign_id)
                .order_by(counted.desc(), ReferralParticipant.id))
        return [(p, c, int(n)) for p, c, n in (await self.session.execute(stmt)).all()]

    async def invites_between(self, start: datetime, end: datetime) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(ReferralInvite).where(
            ReferralInvite.added_at >= start, ReferralInvite.added_at < end)) or 0)
