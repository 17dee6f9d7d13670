"""Check-in camps, participants and check-ins."""

from __future__ import annotations

import builtins
from datetime import date, datetime
from typing import Sequence

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Checkin, CheckinCampaign, CheckinParticipant, CheckinReminder, Customer, Message
from storage.queues import rowcount


class CampaignRepo:
    """Check-in campaigns, participants, check-ins and reminders."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, key: str) -> CheckinCampaign | None:
        return await self.session.scalar(select(CheckinCampaign).where(CheckinCampaign.key == key))

    async def list(self, *, include_ended: bool = False) -> builtins.list[CheckinCampaign]:
        stmt = select(CheckinCampaign).order_by(CheckinCampaign.start_date, CheckinCampaign.id)
        if not include_ended:
            stmt = stmt.where(CheckinCampaign.status == "active")
        return list((await self.session.scalars(stmt)).all())

    async def running(self, day: date) -> builtins.list[CheckinCampaign]:
        stmt = select(CheckinCampaign).where(CheckinCampaign.status == "active", CheckinCampaign.start_date <= day,
                                             CheckinCampaign.end_date >= day)
        return list((await self.session.scalars(stmt.order_by(CheckinCampaign.id))).all())

    async def participant(self, campaign_id: int, customer_id: int) -> CheckinParticipant | None:
        return await self.session.scalar(select(CheckinParticipant).where(
            CheckinParticipant.campaign_id == campaign_id, CheckinParticipant.customer_id == customer_id))

    async def joined_campaign_ids(self, customer_id: int) -> set[int]:
        stmt = select(CheckinParticipant.campaign_id).where(CheckinParticipant.customer_id == customer_id)
        return set((await self.session.scalars(stmt)).all())

    async def participants(self, campaign_id: int) -> builtins.list[tuple[CheckinParticipant, Customer]]:
        stmt = (select(CheckinParticipant, Customer).join(Customer, Customer.id == CheckinParticipant.customer_id)
                .where(CheckinParticipant.campaign_id == campaign_id).order_by(CheckinParticipant.id))
        return [(p, c) for p, c in (await self.session.execute(stmt)).all()]

    async def participating(self, campaign_id: int, customer_ids: Sequence[int]) -> set[int]:
        """Which of these customers joined the campaign."""
        if not customer_ids:
            return set()
        stmt = select(CheckinParticipant.customer_id).where(CheckinParticipant.campaign_id == campaign_id,
                                                            CheckinParticipant.customer_id.in_(list(customer_ids)))
        return set((await self.session.scalars(stmt)).all())

    async def days_by_customer(self, campaign_id: int, customer_ids: Sequence[int]) -> dict[int, builtins.list[date]]:
        """The counted days of several customers in one query."""
        out: dict[int, builtins.list[date]] = {cid: [] for cid in customer_ids}
        if not customer_ids:
            return out
        rows = await self.session.execute(select(Checkin.customer_id, Checkin.day).where(
            Checkin.campaign_id == campaign_id, Checkin.customer_id.in_(list(customer_ids))).order_by(Checkin.day))
        for cid, day in rows.all():
            out[cid].append(day)
        return out

    async def checkin_on(self, campaign_id: int, customer_id: int, day: date) -> Checkin | None:
        return await self.session.scalar(select(Checkin).where(
            Checkin.campaign_id == campaign_id, Checkin.customer_id == customer_id, Checkin.day == day))

    async def days_of(self, campaign_id: int, customer_id: int) -> builtins.list[date]:
        stmt = (select(Checkin.day).where(Checkin.campaign_id == campaign_id, Checkin.customer_id == customer_id)
                .order_by(Checkin.day))
        return list((await self.session.scalars(stmt)).all())

    async def on_time_rank(self, campaign_id: int, day: date, checkin_id: int) -> int:
        """This check-in's place among the day's on-time check-ins (1 = first)."""
        return int(await self.session.scalar(select(func.count()).select_from(Checkin).where(
            Checkin.campaign_id == campaign_id, Checkin.day == day, Checkin.kind == "on_time",
            Checkin.id <= checkin_id)) or 0)

    async def checkins(self, campaign_id: int) -> builtins.list[Checkin]:
        stmt = select(Checkin).where(Checkin.campaign_id == campaign_id).order_by(Checkin.id)
        return list((await self.session.scalars(stmt)).all())

    async def photo_since(self, customer_id: int, since: datetime) -> bool:
        """Did the customer send an image in the kf chat since then (proof sent before 打卡)?"""
        stmt = select(Message.id).where(Message.customer_id == customer_id, Message.direction == "in",
                                        Message.channel == "kf", Message.text == "[image]",
                                        Message.created_at >= since).limit(1)
        return await self.session.scalar(stmt) is not None

    async def mark_photo(self, customer_id: int, day: date, *, since: datetime) -> int:
        """Attach a photo to the customer's recent on-time check-ins of this day."""
        result = await self.session.execute(
            update(Checkin).where(Checkin.customer_id == customer_id, Checkin.day == day, Checkin.kind == "on_time",
                                  Checkin.has_photo.is_(False), Checkin.created_at >= since)
            .values(has_photo=True).execution_options(synchronize_session=False))
        return int(rowcount(result) or 0)

    async def unreminded(self, campaign_id: int, day: date) -> builtins.list[tuple[CheckinParticipant, Customer]]:
        """Participants with neither a check-in nor a reminder on this day."""
        checked = exists().where(Checkin.campaign_id == campaign_id, Checkin.day == day,
                                 Checkin.customer_id == CheckinParticipant.customer_id)
        reminded = exists().where(CheckinReminder.campaign_id == campaign_id, CheckinReminder.day == day,
                                  CheckinReminder.customer_id == CheckinParticipant.customer_id)
        stmt = (select(CheckinParticipant, Customer).join(Customer, Customer.id == CheckinParticipant.customer_id)
                .where(CheckinParticipant.campaign_id == campaign_id, ~checked, ~reminded)
                .order_by(CheckinParticipant.id))
        return [(p, c) for p, c in (await self.session.execute(stmt)).all()]
