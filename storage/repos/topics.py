"""Interest groups, their chats, topics, schedules and posts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    CustomerGroup,
    GroupMembership,
    InterestChat,
    InterestGroup,
    OutboxItem,
    Topic,
    TopicPost,
    TopicSchedule,
)
from storage.queues import rowcount


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

    async def last_post_since(self, group_id: int, since: datetime) -> TopicPost | None:
        """The group's latest post proposed after `since`, if any."""
        return await self.session.scalar(select(TopicPost).where(TopicPost.interest_group_id == group_id,
                                                                 TopicPost.created_at > since)
                                         .order_by(TopicPost.id.desc()).limit(1))

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
        return bool(rowcount(result))
