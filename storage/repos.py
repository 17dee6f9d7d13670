"""Repositories over the domain tables; they hold the only SQL outside storage/queues.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (AuditLog, Checkin, CheckinCampaign, CheckinParticipant, CheckinReminder, CommunityReward,
                            Customer, CustomerGroup, CustomerTag, GroupMembership, InterestChat, InterestGroup,
                            Message, OutboxItem, PointsEntry, ReferralCampaign, ReferralInvite, ReferralParticipant,
                            RuleHit, Staff, StaffPending, StageEntry, SuppressedPush, Tag, TagSync, Ticket, Topic,
                            TopicPost, TopicSchedule, UnansweredQuestion)
from storage.queues import InboundRepo, KfCursorRepo, OutboxRepo, _for_claim


class CustomerRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, external_userid: str) -> Customer | None:
        return await self.session.scalar(select(Customer).where(Customer.external_userid == external_userid))

    async def get(self, customer_id: int) -> Customer:
        row = await self.session.get(Customer, customer_id)
        if row is None:
            raise LookupError(f"customer {customer_id} not found")
        return row

    async def upsert(self, external_userid: str, *, now: datetime, **fields: Any) -> Customer:
        """The customer with this id, created on first sight; `fields` fill blanks only."""
        row = await self.find(external_userid)
        if row is None:
            row = Customer(external_userid=external_userid, first_seen_at=now, last_seen_at=now,
                           name="", remark="", channel="", owner_userid="", advisor_userid="", stage="",
                           is_vip=False, opted_out=False, status="active", lost_by="")
            self.session.add(row)
        for key, value in fields.items():
            if value and not getattr(row, key):
                setattr(row, key, value)
        row.last_seen_at = now
        await self.session.flush()
        return row

    async def search(self, text: str, limit: int = 20) -> list[Customer]:
        like = f"%{text}%"
        stmt = (select(Customer).where(or_(Customer.external_userid == text, Customer.name.like(like),
                                           Customer.remark.like(like))).limit(limit))
        return list((await self.session.scalars(stmt)).all())


class StaffRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, userid: str) -> Staff | None:
        return await self.session.scalar(select(Staff).where(Staff.userid == userid))

    async def upsert(self, userid: str, *, role: str, name: str = "", now: datetime) -> Staff:
        row = await self.find(userid)
        if row is None:
            row = Staff(userid=userid, role=role, name=name, on_duty=False, created_at=now)
            self.session.add(row)
        else:
            row.role = role
            row.name = name or row.name
        await self.session.flush()
        return row

    async def list(self, *, roles: tuple[str, ...] = (), on_duty: bool | None = None) -> list[Staff]:
        stmt = select(Staff).order_by(Staff.userid)
        if roles:
            stmt = stmt.where(Staff.role.in_(roles))
        if on_duty is not None:
            stmt = stmt.where(Staff.on_duty.is_(on_duty))
        return list((await self.session.scalars(stmt)).all())


class TagRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, group_name: str, name: str) -> Tag | None:
        return await self.session.scalar(select(Tag).where(Tag.group_name == group_name, Tag.name == name))

    async def ensure(self, group_name: str, name: str, *, now: datetime) -> Tag:
        row = await self.find(group_name, name)
        if row is None:
            row = Tag(group_name=group_name, name=name, created_at=now)
            self.session.add(row)
            await self.session.flush()
        return row

    async def find_by_name(self, name: str) -> list[Tag]:
        """Tags with this name in any group (names are unique only within a group)."""
        return list((await self.session.scalars(select(Tag).where(Tag.name == name).order_by(Tag.id))).all())

    async def all_names(self) -> list[str]:
        return list((await self.session.scalars(select(Tag.name).distinct())).all())

    async def customers_with(self, tag_ids: list[int]) -> list[Customer]:
        stmt = (select(Customer).join(CustomerTag, CustomerTag.customer_id == Customer.id)
                .where(CustomerTag.tag_id.in_(tag_ids)).distinct().order_by(Customer.id))
        return list((await self.session.scalars(stmt)).all())

    async def find_by_corp_id(self, corp_tag_id: str) -> Tag | None:
        return await self.session.scalar(select(Tag).where(Tag.corp_tag_id == corp_tag_id))

    async def of_customer(self, customer_id: int) -> list[Tag]:
        stmt = select(Tag).join(CustomerTag, CustomerTag.tag_id == Tag.id).where(CustomerTag.customer_id == customer_id)
        return list((await self.session.scalars(stmt.order_by(Tag.group_name, Tag.name))).all())

    async def attach(self, customer_id: int, tag: Tag, *, source: str, now: datetime) -> bool:
        """True when the tag is new for the customer."""
        exists = await self.session.scalar(select(CustomerTag.id).where(
            CustomerTag.customer_id == customer_id, CustomerTag.tag_id == tag.id))
        if exists:
            return False
        self.session.add(CustomerTag(customer_id=customer_id, tag_id=tag.id, source=source, created_at=now))
        await self.session.flush()
        return True

    async def get_many(self, ids: Sequence[int]) -> list[Tag]:
        return list((await self.session.scalars(select(Tag).where(Tag.id.in_(list(ids))))).all())

    async def all(self) -> list[Tag]:
        return list((await self.session.scalars(select(Tag).order_by(Tag.id))).all())

    async def detach(self, customer_id: int, tag: Tag) -> bool:
        row = await self.session.scalar(select(CustomerTag).where(
            CustomerTag.customer_id == customer_id, CustomerTag.tag_id == tag.id))
        if row is None:
            return False
        await self.session.delete(row)
        await self.session.flush()
        return True


class GroupRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, chat_id: str) -> CustomerGroup | None:
        return await self.session.scalar(select(CustomerGroup).where(CustomerGroup.chat_id == chat_id))

    async def upsert(self, chat_id: str, *, now: datetime) -> CustomerGroup:
        row = await self.find(chat_id)
        if row is None:
            row = CustomerGroup(chat_id=chat_id, name="", owner_userid="", status="active", member_version="",
                                created_at=now)
            self.session.add(row)
            await self.session.flush()
        return row

    async def join(self, group: CustomerGroup, member_id: str, *, scene: int | None, now: datetime) -> None:
        row = await self.session.scalar(select(GroupMembership).where(
            GroupMembership.group_id == group.id, GroupMembership.member_id == member_id))
        if row is None:
            self.session.add(GroupMembership(group_id=group.id, member_id=member_id, join_scene=scene, joined_at=now))
        else:
            row.left_at = None
            row.joined_at = now
            row.join_scene = scene
        await self.session.flush()

    async def leave(self, group: CustomerGroup, member_id: str, *, now: datetime) -> None:
        row = await self.session.scalar(select(GroupMembership).where(
            GroupMembership.group_id == group.id, GroupMembership.member_id == member_id))
        if row is not None:
            row.left_at = now
            await self.session.flush()


class MessageRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, message: Message) -> Message:
        self.session.add(message)
        return message

    async def last_variant(self, customer_id: int, template_key: str) -> int | None:
        """Which variant of a template this customer got last, so the next one differs."""
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

    async def recent(self, customer_id: int, limit: int = 10) -> list[Message]:
        stmt = (select(Message).where(Message.customer_id == customer_id)
                .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit))
        return list(reversed((await self.session.scalars(stmt)).all()))


class AuditRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(self, *, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None,
               now: datetime) -> None:
        self.session.add(AuditLog(actor=actor, action=action, target=target, detail=detail or {}, created_at=now))


class TagSyncRepo:
    """The queue of tag-mirroring steps bot/tagsync.py works through."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, op: str, *, now: datetime, customer_id: int | None = None, tag_id: int | None = None,
            due_at: datetime | None = None) -> TagSync:
        row = TagSync(op=op, customer_id=customer_id, tag_id=tag_id, status="pending", attempts=0, error="",
                      due_at=due_at or now, created_at=now)
        self.session.add(row)
        return row

    async def has_unclaimed(self, op: str, *, now: datetime, customer_id: int | None = None) -> bool:
        """A pending step not yet taken by the worker (a claimed one may have read WeCom already)."""
        stmt = select(TagSync.id).where(TagSync.op == op, TagSync.status == "pending", TagSync.due_at <= now)
        if customer_id is not None:
            stmt = stmt.where(TagSync.customer_id == customer_id)
        return await self.session.scalar(stmt.limit(1)) is not None

    async def claim_due(self, *, now: datetime, lease_s: float, limit: int) -> list[TagSync]:
        """Due pending steps; pushing due_at forward is the lease (a crashed worker's come back)."""
        stmt = (select(TagSync).where(TagSync.status == "pending", TagSync.due_at <= now)
                .order_by(TagSync.id).limit(limit))
        rows = list((await self.session.scalars(_for_claim(self.session, stmt))).all())
        for row in rows:
            row.due_at = now + timedelta(seconds=lease_s)
            row.attempts += 1
        await self.session.flush()
        return rows

    async def get_many(self, ids: Sequence[int]) -> list[TagSync]:
        return list((await self.session.scalars(select(TagSync).where(TagSync.id.in_(list(ids))))).all())


class RuleHitRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, customer_id: int, rule: str, *, now: datetime) -> None:
        self.session.add(RuleHit(customer_id=customer_id, rule=rule, created_at=now))

    async def count(self, customer_id: int, rule: str, *, since: datetime) -> int:
        await self.session.flush()
        return int(await self.session.scalar(select(func.count()).select_from(RuleHit).where(
            RuleHit.customer_id == customer_id, RuleHit.rule == rule, RuleHit.created_at >= since)) or 0)


class StageRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, customer_id: int, stage: str) -> StageEntry | None:
        return await self.session.scalar(select(StageEntry).where(StageEntry.customer_id == customer_id,
                                                                  StageEntry.stage == stage))

    async def add(self, customer_id: int, stage: str, *, source: str, now: datetime) -> StageEntry:
        row = StageEntry(customer_id=customer_id, stage=stage, source=source[:64], push="none", entered_at=now)
        self.session.add(row)
        await self.session.flush()
        return row


class PushRepo:
    """What the anti-spam gate needs to know: pushes already planned, kf sends, suppressions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_planned(self, customer_id: int, *, start: datetime, end: datetime) -> int:
        """Pushes due in [start, end) that were or will be sent (dead/expired ones reached nobody)."""
        await self.session.flush()
        return int(await self.session.scalar(select(func.count()).select_from(OutboxItem).where(
            OutboxItem.customer_id == customer_id, OutboxItem.kind == "push",
            OutboxItem.status.not_in(["dead", "expired", "cancelled"]),
            OutboxItem.due_at >= start, OutboxItem.due_at < end)) or 0)

    async def kf_sends_since(self, customer_id: int, since: datetime) -> int:
        """kf/send_msg rows created after the customer's last message (WeCom allows 5)."""
        await self.session.flush()
        return int(await self.session.scalar(select(func.count()).select_from(OutboxItem).where(
            OutboxItem.customer_id == customer_id, OutboxItem.api == "kf/send_msg",
            OutboxItem.status.not_in(["dead", "expired", "cancelled"]), OutboxItem.created_at >= since)) or 0)

    def suppress(self, customer_id: int | None, template_key: str, reason: str, *, now: datetime) -> None:
        self.session.add(SuppressedPush(customer_id=customer_id, template_key=template_key[:64], reason=reason[:32],
                                        created_at=now))

    async def suppressed(self, customer_id: int) -> list[SuppressedPush]:
        stmt = select(SuppressedPush).where(SuppressedPush.customer_id == customer_id).order_by(SuppressedPush.id)
        return list((await self.session.scalars(stmt)).all())


class UnansweredRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, customer_id: int | None, text: str, *, now: datetime, best_faq: str = "",
            confidence: float = 0.0) -> UnansweredQuestion:
        row = UnansweredQuestion(customer_id=customer_id, text=text, best_faq=best_faq[:64], confidence=confidence,
                                 status="open", created_at=now)
        self.session.add(row)
        return row


class GroupWelcomeRepo:
    """The persona's group welcome templates: the outbox rows that added them are the record."""

    API = "externalcontact/group_welcome_template/add"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def texts(self) -> list[str]:
        """Texts already added (or on their way) to the corp's 入群欢迎语 library."""
        stmt = (select(OutboxItem.payload).where(OutboxItem.api == self.API,
                                                 OutboxItem.status.not_in(["dead", "expired"]))
                .order_by(OutboxItem.id.desc()).limit(20))
        return [str((p.get("text") or {}).get("content", "")) for p in (await self.session.scalars(stmt)).all()]


@dataclass(frozen=True, slots=True)
class Repos:
    """Every repository bound to one session, handed to handlers in their Context."""

    customers: CustomerRepo
    staff: StaffRepo
    tags: TagRepo
    groups: GroupRepo
    messages: MessageRepo
    audit: AuditRepo
    inbound: InboundRepo
    outbox: OutboxRepo
    kf_cursors: KfCursorRepo
    tag_sync: TagSyncRepo
    rule_hits: RuleHitRepo
    stages: StageRepo
    pushes: PushRepo
    unanswered: UnansweredRepo
    group_welcomes: GroupWelcomeRepo
    tickets: TicketRepo
    pending: StaffPendingRepo

    @classmethod
    def bind(cls, session: AsyncSession) -> Repos:
        return cls(CustomerRepo(session), StaffRepo(session), TagRepo(session), GroupRepo(session),
                   MessageRepo(session), AuditRepo(session), InboundRepo(session), OutboxRepo(session),
                   KfCursorRepo(session), TagSyncRepo(session), RuleHitRepo(session), StageRepo(session),
                   PushRepo(session), UnansweredRepo(session), GroupWelcomeRepo(session), TicketRepo(session),
                   StaffPendingRepo(session))


# --- issue 5: escalation tickets and pending staff confirmations -------------------------------

OPEN_TICKET = ("queued", "assigned")


class TicketRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, ticket: Ticket) -> Ticket:
        self.session.add(ticket)
        return ticket

    async def get(self, ticket_id: int) -> Ticket:
        row = await self.session.get(Ticket, ticket_id)
        if row is None:
            raise LookupError(f"ticket {ticket_id} not found")
        return row

    async def find(self, ticket_id: int) -> Ticket | None:
        return await self.session.get(Ticket, ticket_id)

    async def find_open(self, customer_id: int) -> Ticket | None:
        """The customer's open ticket (at most one is kept open per customer)."""
        stmt = (select(Ticket).where(Ticket.customer_id == customer_id, Ticket.status.in_(OPEN_TICKET))
                .order_by(Ticket.id.desc()).limit(1))
        return await self.session.scalar(stmt)

    async def open(self, *, advisor: str | None = None, status: str | None = None) -> list[Ticket]:
        stmt = select(Ticket).where(Ticket.status.in_([status] if status else OPEN_TICKET))
        if advisor is not None:
            stmt = stmt.where(Ticket.advisor_userid == advisor)
        return list((await self.session.scalars(stmt.order_by(Ticket.id))).all())

    async def last_assigned(self, userids: list[str]) -> dict[str, datetime]:
        """When each advisor last got a ticket, for round-robin (least recently assigned first)."""
        stmt = (select(Ticket.advisor_userid, func.max(Ticket.assigned_at))
                .where(Ticket.advisor_userid.in_(userids), Ticket.assigned_at.is_not(None))
                .group_by(Ticket.advisor_userid))
        return {userid: at for userid, at in (await self.session.execute(stmt)).all()}


class StaffPendingRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: StaffPending) -> StaffPending:
        self.session.add(row)
        return row

    async def latest(self, staff_userid: str, kind: str, *, now: datetime) -> StaffPending | None:
        """The member's newest unexpired pending item of this kind."""
        stmt = (select(StaffPending).where(StaffPending.staff_userid == staff_userid, StaffPending.kind == kind,
                                           StaffPending.status == "pending", StaffPending.expires_at > now)
                .order_by(StaffPending.id.desc()).limit(1))
        return await self.session.scalar(stmt)

    async def cancel_all(self, staff_userid: str, kind: str) -> None:
        stmt = select(StaffPending).where(StaffPending.staff_userid == staff_userid, StaffPending.kind == kind,
                                          StaffPending.status == "pending")
        for row in (await self.session.scalars(stmt)).all():
            row.status = "cancelled"


# --- community operations (issue 4) -----------------------------------------------------------
# Bound per use (`TopicRepo(ctx.session)`) rather than added to `Repos`, so this block stays
# additive next to the other features' repositories.


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
