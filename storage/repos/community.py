"""Interest groups and topics, check-in campaigns, points and referrals."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (Checkin, CheckinCampaign, CheckinParticipant, CheckinReminder, CommunityReward, Customer,
                            CustomerGroup, GroupMembership, InterestChat, InterestGroup, Message, OutboxItem,
                            PointsEntry, ReferralCampaign, ReferralInvite, ReferralParticipant, Topic, TopicPost,
                            TopicSchedule)


class InterestRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, key: str) -> InterestGroup | None:
        return await self.session.scalar(select(InterestGroup).where(InterestGroup.key == key))

    async def get(self, key: str) -> InterestGroup:
        row = await self.find(key)
        if row is None:
            raise LookupError(f"interest group {key!r} not found")
        return row

    async def get_by_id(self, group_id: int) -> InterestGroup:
        row = await self.session.get(InterestGroup, group_id)
        if row is None:
            raise LookupError(f"interest group {group_id} not found")
        return row

    async def all(self) -> list[InterestGroup]:
        return list((await self.session.scalars(select(InterestGroup).order_by(InterestGroup.id))).all())

    async def chats(self, group_id: int) -> list[tuple[InterestChat, CustomerGroup | None]]:
        """Linked chats with what we know of each customer group (None until WeCom told us)."""
        stmt = (select(InterestChat, CustomerGroup)
                .outerjoin(CustomerGroup, CustomerGroup.chat_id == InterestChat.chat_id)
                .where(InterestChat.interest_group_id == group_id).order_by(InterestChat.id))
        return [(link, chat) for link, chat in (await self.session.execute(stmt)).all()]

    async def link_of(self, chat_id: str) -> InterestChat | None:
        return await self.session.scalar(select(InterestChat).where(InterestChat.chat_id == chat_id))

    async def link(self, group: InterestGroup, chat_id: str, *, by: str, now: datetime) -> InterestChat:
        row = await self.link_of(chat_id)
        if row is None:
            row = InterestChat(interest_group_id=group.id, chat_id=chat_id, linked_by=by, created_at=now)
            self.session.add(row)
            await self.session.flush()
        return row

    async def chats_named_like(self, text: str) -> list[CustomerGroup]:
        stmt = select(CustomerGroup).where(CustomerGroup.name.contains(text, autoescape=True),
                                           CustomerGroup.status == "active")
        return list((await self.session.scalars(stmt.order_by(CustomerGroup.id))).all())

    async def active_members(self, customer_group_id: int) -> set[str]:
        stmt = select(GroupMembership.member_id).where(GroupMembership.group_id == customer_group_id,
                                                       GroupMembership.left_at.is_(None))
        return set((await self.session.scalars(stmt)).all())

    async def member_of(self, group_id: int, member_id: str) -> bool:
        """Is this external user currently in one of the interest group's chats?"""
        stmt = (select(GroupMembership.id).join(CustomerGroup, CustomerGroup.id == GroupMembership.group_id)
                .join(InterestChat, InterestChat.chat_id == CustomerGroup.chat_id)
                .where(InterestChat.interest_group_id == group_id, GroupMembership.member_id == member_id,
                       GroupMembership.left_at.is_(None)).limit(1))
        return await self.session.scalar(stmt) is not None


class TopicRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_schedule(self, schedule_id: int) -> TopicSchedule:
        row = await self.session.get(TopicSchedule, schedule_id)
        if row is None:
            raise LookupError(f"topic schedule {schedule_id} not found")
        return row

    async def find_schedule(self, group_id: int, cron: str) -> TopicSchedule | None:
        return await self.session.scalar(select(TopicSchedule).where(
            TopicSchedule.interest_group_id == group_id, TopicSchedule.cron == cron))

    async def schedules(self, group_id: int | None = None, *, active_only: bool = False) -> list[TopicSchedule]:
        stmt = select(TopicSchedule).order_by(TopicSchedule.id)
        if group_id is not None:
            stmt = stmt.where(TopicSchedule.interest_group_id == group_id)
        if active_only:
            stmt = stmt.join(InterestGroup, InterestGroup.id == TopicSchedule.interest_group_id).where(
                TopicSchedule.status == "active", InterestGroup.status == "active")
        return list((await self.session.scalars(stmt)).all())

    async def get_topic(self, topic_id: int) -> Topic:
        row = await self.session.get(Topic, topic_id)
        if row is None:
            raise LookupError(f"topic {topic_id} not found")
        return row

    async def find_topic(self, group_id: int, text: str) -> Topic | None:
        return await self.session.scalar(select(Topic).where(Topic.interest_group_id == group_id, Topic.text == text))

    async def topics(self, group_id: int | None = None, *, active_only: bool = False) -> list[Topic]:
        """In rotation order: least posted first, then longest unposted, then oldest."""
        stmt = select(Topic).order_by(Topic.post_count, Topic.last_posted_at.is_not(None), Topic.last_posted_at,
                                      Topic.id)
        if group_id is not None:
            stmt = stmt.where(Topic.interest_group_id == group_id)
        if active_only:
            stmt = stmt.where(Topic.status == "active")
        return list((await self.session.scalars(stmt)).all())

    async def recent_fires(self, group_id: int, limit: int) -> list[tuple[datetime, bool, int]]:
        """(fire_time, is_product, topic_id) of the group's latest posts, one per fire time."""
        if limit <= 0:
            return []
        # every owner's row of one fire time carries the same topic, so DISTINCT folds them
        stmt = (select(TopicPost.schedule_id, TopicPost.fire_time, TopicPost.is_product, TopicPost.topic_id)
                .where(TopicPost.interest_group_id == group_id).distinct()
                .order_by(TopicPost.fire_time.desc(), TopicPost.schedule_id).limit(limit))
        return [(t, bool(p), int(tid)) for _, t, p, tid in (await self.session.execute(stmt)).all()]

    async def post_by_outbox(self, outbox_id: int) -> TopicPost | None:
        return await self.session.scalar(select(TopicPost).where(TopicPost.outbox_id == outbox_id))

    async def posts_by_msgid(self, msgid: str, sender: str) -> list[TopicPost]:
        return list((await self.session.scalars(select(TopicPost).where(
            TopicPost.msgid == msgid, TopicPost.sender == sender))).all())

    async def posts_to_check(self, *, since: datetime, checked_before: datetime) -> list[TopicPost]:
        """Proposed posts whose delivery is not final yet and was not read back recently."""
        stmt = select(TopicPost).where(
            TopicPost.msgid != "", TopicPost.created_at >= since,
            or_(TopicPost.checked_at.is_(None),
                and_(TopicPost.checked_at <= checked_before, TopicPost.pending > 0)))
        return list((await self.session.scalars(stmt.order_by(TopicPost.id))).all())

    async def posts_awaiting_task(self) -> list[tuple[TopicPost, OutboxItem]]:
        """Posts whose add_msg_template row finished but whose msgid was never recorded."""
        stmt = (select(TopicPost, OutboxItem).join(OutboxItem, OutboxItem.id == TopicPost.outbox_id)
                .where(TopicPost.msgid == "", TopicPost.checked_at.is_(None),
                       OutboxItem.status.in_(["sent", "dead", "expired"])))
        return [(p, o) for p, o in (await self.session.execute(stmt)).all()]

    async def posts_between(self, start: datetime, end: datetime) -> list[TopicPost]:
        stmt = select(TopicPost).where(TopicPost.fire_time >= start, TopicPost.fire_time < end)
        return list((await self.session.scalars(stmt.order_by(TopicPost.fire_time, TopicPost.id))).all())

    async def record_task(self, post_id: int, msgid: str) -> bool:
        """Store the task msgid once; False when another worker already did."""
        result = await self.session.execute(update(TopicPost).where(TopicPost.id == post_id, TopicPost.msgid == "")
                                            .values(msgid=msgid).execution_options(synchronize_session=False))
        return bool(result.rowcount)


class CampaignRepo:
    """Check-in campaigns, participants, check-ins and reminders."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, key: str) -> CheckinCampaign | None:
        return await self.session.scalar(select(CheckinCampaign).where(CheckinCampaign.key == key))

    async def list(self, *, include_ended: bool = False) -> list[CheckinCampaign]:
        stmt = select(CheckinCampaign).order_by(CheckinCampaign.start_date, CheckinCampaign.id)
        if not include_ended:
            stmt = stmt.where(CheckinCampaign.status == "active")
        return list((await self.session.scalars(stmt)).all())

    async def running(self, day: date) -> list[CheckinCampaign]:
        stmt = select(CheckinCampaign).where(CheckinCampaign.status == "active", CheckinCampaign.start_date <= day,
                                             CheckinCampaign.end_date >= day)
        return list((await self.session.scalars(stmt.order_by(CheckinCampaign.id))).all())

    async def participant(self, campaign_id: int, customer_id: int) -> CheckinParticipant | None:
        return await self.session.scalar(select(CheckinParticipant).where(
            CheckinParticipant.campaign_id == campaign_id, CheckinParticipant.customer_id == customer_id))

    async def joined_campaign_ids(self, customer_id: int) -> set[int]:
        stmt = select(CheckinParticipant.campaign_id).where(CheckinParticipant.customer_id == customer_id)
        return set((await self.session.scalars(stmt)).all())

    async def participants(self, campaign_id: int) -> list[tuple[CheckinParticipant, Customer]]:
        stmt = (select(CheckinParticipant, Customer).join(Customer, Customer.id == CheckinParticipant.customer_id)
                .where(CheckinParticipant.campaign_id == campaign_id).order_by(CheckinParticipant.id))
        return [(p, c) for p, c in (await self.session.execute(stmt)).all()]

    async def checkin_on(self, campaign_id: int, customer_id: int, day: date) -> Checkin | None:
        return await self.session.scalar(select(Checkin).where(
            Checkin.campaign_id == campaign_id, Checkin.customer_id == customer_id, Checkin.day == day))

    async def days_of(self, campaign_id: int, customer_id: int) -> list[date]:
        stmt = (select(Checkin.day).where(Checkin.campaign_id == campaign_id, Checkin.customer_id == customer_id)
                .order_by(Checkin.day))
        return list((await self.session.scalars(stmt)).all())

    async def on_time_rank(self, campaign_id: int, day: date, checkin_id: int) -> int:
        """This check-in's place among the day's on-time check-ins (1 = first)."""
        return int(await self.session.scalar(select(func.count()).select_from(Checkin).where(
            Checkin.campaign_id == campaign_id, Checkin.day == day, Checkin.kind == "on_time",
            Checkin.id <= checkin_id)) or 0)

    async def checkins(self, campaign_id: int) -> list[Checkin]:
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
        return int(result.rowcount or 0)

    async def unreminded(self, campaign_id: int, day: date) -> list[tuple[CheckinParticipant, Customer]]:
        """Participants with neither a check-in nor a reminder on this day."""
        checked = exists().where(Checkin.campaign_id == campaign_id, Checkin.day == day,
                                 Checkin.customer_id == CheckinParticipant.customer_id)
        reminded = exists().where(CheckinReminder.campaign_id == campaign_id, CheckinReminder.day == day,
                                  CheckinReminder.customer_id == CheckinParticipant.customer_id)
        stmt = (select(CheckinParticipant, Customer).join(Customer, Customer.id == CheckinParticipant.customer_id)
                .where(CheckinParticipant.campaign_id == campaign_id, ~checked, ~reminded)
                .order_by(CheckinParticipant.id))
        return [(p, c) for p, c in (await self.session.execute(stmt)).all()]


class PointsRepo:
    """The ledger is append-only: there is deliberately no update or delete here."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def balance(self, customer_id: int) -> int:
        return int(await self.session.scalar(
            select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(PointsEntry.customer_id == customer_id)) or 0)

    async def has_ref(self, ref: str) -> bool:
        return await self.session.scalar(select(PointsEntry.id).where(PointsEntry.ref == ref)) is not None

    async def append(self, entry: PointsEntry) -> PointsEntry:
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def history(self, customer_id: int, limit: int = 20) -> list[PointsEntry]:
        stmt = (select(PointsEntry).where(PointsEntry.customer_id == customer_id)
                .order_by(PointsEntry.id.desc()).limit(limit))
        return list((await self.session.scalars(stmt)).all())

    async def grant_once(self, key: str, customer_id: int, *, kind: str, detail: dict[str, Any],
                         now: datetime) -> bool:
        """Record a milestone/tier reward unless its key exists; True when granted now."""
        if await self.session.scalar(select(CommunityReward.id).where(CommunityReward.key == key)) is not None:
            return False
        self.session.add(CommunityReward(key=key, customer_id=customer_id, kind=kind, detail=detail, created_at=now))
        await self.session.flush()
        return True

    async def rewards(self, key_prefix: str) -> list[CommunityReward]:
        stmt = select(CommunityReward).where(CommunityReward.key.like(f"{key_prefix}%")).order_by(CommunityReward.id)
        return list((await self.session.scalars(stmt)).all())


class ReferralRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, key: str) -> ReferralCampaign | None:
        return await self.session.scalar(select(ReferralCampaign).where(ReferralCampaign.key == key))

    async def list(self, *, include_ended: bool = False) -> list[ReferralCampaign]:
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

    async def ways_awaiting_result(self) -> list[tuple[ReferralParticipant, OutboxItem]]:
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
        return bool(result.rowcount)

    async def invite_of(self, campaign_id: int, invitee_customer_id: int) -> ReferralInvite | None:
        return await self.session.scalar(select(ReferralInvite).where(
            ReferralInvite.campaign_id == campaign_id, ReferralInvite.invitee_customer_id == invitee_customer_id))

    async def invites_of_invitee(self, invitee_customer_id: int, staff_userid: str) -> list[ReferralInvite]:
        return list((await self.session.scalars(select(ReferralInvite).where(
            ReferralInvite.invitee_customer_id == invitee_customer_id,
            ReferralInvite.staff_userid == staff_userid))).all())

    async def counted(self, participant_id: int) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(ReferralInvite).where(
            ReferralInvite.participant_id == participant_id, ReferralInvite.status == "counted")) or 0)

    async def standings(self, campaign_id: int) -> list[tuple[ReferralParticipant, Customer, int]]:
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


class KfWindowRepo:
    """What the kf 48 h / 5-message window (kf.md §4) has left for a customer."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sent_since(self, customer_id: int, since: datetime) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Message).where(
            Message.customer_id == customer_id, Message.direction == "out", Message.channel == "kf",
            Message.created_at >= since)) or 0)
