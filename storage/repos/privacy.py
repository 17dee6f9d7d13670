"""Customers' data rights: the SQL behind exporting one customer's data and erasing customers.

Reads select a customer's rows table by table. Erasure deletes what belongs to the customers,
anonymises what other numbers still count (message rows, outbox rows, inbound events), and finds
every other row that mentions them: a LIKE pre-filter over every text and JSON column (JSON is
matched both as stored, with \\uXXXX escapes, and as plain text), which the caller then checks and
rewrites exactly in Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import JSON, ColumnElement, Table, Text, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.schema import Column
from sqlalchemy.types import String

from storage.models import (
    AuditLog,
    Base,
    Checkin,
    CheckinCampaign,
    CheckinParticipant,
    CheckinReminder,
    CommunityReward,
    Customer,
    CustomerGroup,
    CustomerNote,
    CustomerTag,
    FaqOffer,
    Friendship,
    GroupMembership,
    InboundEvent,
    InboundStatus,
    MemberFacts,
    Message,
    OutboxItem,
    OutboxStatus,
    PointsEntry,
    Redemption,
    ReferralCampaign,
    ReferralInvite,
    ReferralParticipant,
    RuleHit,
    ShopOrder,
    Staff,
    StageEntry,
    Suggestion,
    SuppressedPush,
    Tag,
    TagSync,
    Ticket,
    UnansweredQuestion,
)
from storage.queues import rowcount

# Rows that belong to the erased customers and go with them (besides the customer row itself).
OWNED = (CustomerTag, TagSync, RuleHit, StageEntry, SuppressedPush, UnansweredQuestion, Ticket, CheckinReminder,
         Checkin, CheckinParticipant, CommunityReward, PointsEntry, CustomerNote, Redemption, MemberFacts,
         Suggestion, FaqOffer, Friendship)


def like_forms(needle: str, *, json_column: bool) -> set[str]:
    """What a needle looks like inside a column: JSON stores non-ASCII as \\uXXXX and escapes quotes."""
    forms = {needle}
    if json_column:
        forms |= {json.dumps(needle)[1:-1], json.dumps(needle, ensure_ascii=False)[1:-1]}
    return forms


def text_columns(table: Table) -> list[Column[Any]]:
    """The columns a customer's identifiers or words could be written into."""
    return [c for c in table.columns if isinstance(c.type, (String, JSON))]


TERMS_PER_QUERY = 200  # SQLite parses "a OR b OR …" into a tree at most 1000 deep


def _mentions(columns: Sequence[Column[Any]], needles: Iterable[str]) -> list[ColumnElement[bool]]:
    """One LIKE condition per column, needle and stored form of it."""
    terms: list[ColumnElement[bool]] = []
    for column in columns:
        is_json = isinstance(column.type, JSON)
        target = cast(column, Text) if is_json else column
        for needle in needles:
            if needle:
                terms += [target.contains(form, autoescape=True) for form in like_forms(needle, json_column=is_json)]
    return terms


@dataclass(frozen=True, slots=True)
class Found:
    """One row that mentions an erased customer: its primary key and its text/JSON values."""

    table: Table
    key: dict[str, Any]
    values: dict[str, Any]


class PrivacyRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- finding a customer ------------------------------------------------------------

    async def find_customers(self, query: str, *, limit: int = 10) -> list[Customer]:
        """By external_userid; else by exact name or remark."""
        exact = await self.session.scalar(select(Customer).where(Customer.external_userid == query))
        if exact is not None:
            return [exact]
        stmt = select(Customer).where(or_(Customer.name == query, Customer.remark == query)).order_by(Customer.id)
        return list((await self.session.scalars(stmt.limit(limit))).all())

    async def lost_since(self, cutoff: datetime, *, limit: int) -> list[Customer]:
        """Customers who left before `cutoff` and were not heard from since (any callback or kf entry
        of theirs moves last_seen_at past lost_at: a friend who came back, a kf chat), oldest first."""
        stmt = (select(Customer).where(Customer.status == "lost", Customer.lost_at < cutoff,
                                       Customer.last_seen_at <= Customer.lost_at)
                .order_by(Customer.lost_at, Customer.id).limit(limit))
        return list((await self.session.scalars(stmt)).all())

    # --- retention -----------------------------------------------------------------------------

    async def payloads_due(self, cutoff: datetime, *, limit: int) -> list[tuple[int, str, Any]]:
        """(id, source, payload) of processed events received before `cutoff` whose payload is still there."""
        stmt = (select(InboundEvent.id, InboundEvent.source, InboundEvent.payload)
                .where(InboundEvent.cleared_at.is_(None), InboundEvent.received_at < cutoff,
                       InboundEvent.status != InboundStatus.PENDING)
                .order_by(InboundEvent.cleared_at, InboundEvent.received_at).limit(limit))
        return [(i, s, p) for i, s, p in (await self.session.execute(stmt)).all()]

    async def set_payloads(self, payloads: dict[int, dict[str, Any]], *, now: datetime) -> None:
        if payloads:
            await self.session.execute(update(InboundEvent), [{"id": i, "payload": p, "cleared_at": now}
                                                              for i, p in payloads.items()])

    async def delete_messages_before(self, cutoff: datetime, *, limit: int) -> int:
        return await self._delete_oldest(Message, Message.created_at, cutoff, limit)

    async def delete_offers_before(self, cutoff: datetime, *, limit: int) -> int:
        """猜你想问 offers made before `cutoff`, settled or lapsed (they hold the customer's question)."""
        return await self._delete_oldest(FaqOffer, FaqOffer.offered_at, cutoff, limit)

    async def _delete_oldest(self, model: type[Message] | type[FaqOffer], at: InstrumentedAttribute[datetime],
                             cutoff: datetime, limit: int) -> int:
        """Up to `limit` of the oldest rows whose `at` is before `cutoff`, deleted in one statement."""
        oldest = select(model.id).where(at < cutoff).order_by(at).limit(limit)
        ids = list((await self.session.scalars(oldest)).all())
        if not ids:
            return 0
        return rowcount(await self.session.execute(delete(model).where(model.id.in_(ids)),
                                                   execution_options={"synchronize_session": False}))

    async def names_in_use(self, names: Sequence[str], *, besides: Sequence[int]) -> set[str]:
        """Which of these names other customers (as name or remark) or staff members (name, userid) carry."""
        if not names:
            return set()
        others = await self.session.execute(
            select(Customer.name, Customer.remark).where(or_(Customer.name.in_(list(names)),
                                                             Customer.remark.in_(list(names))),
                                                         Customer.id.not_in(list(besides))))
        staff = await self.session.execute(select(Staff.name, Staff.userid).where(
            or_(Staff.name.in_(list(names)), Staff.userid.in_(list(names)))))
        return {v for row in (*others.all(), *staff.all()) for v in row if v in names}

    # --- export reads ----------------------------------------------------------------------

    async def tags(self, customer_id: int) -> list[tuple[str, str, str, datetime]]:
        rows = await self.session.execute(
            select(Tag.group_name, Tag.name, CustomerTag.source, CustomerTag.created_at)
            .join(Tag, Tag.id == CustomerTag.tag_id).where(CustomerTag.customer_id == customer_id)
            .order_by(CustomerTag.created_at, CustomerTag.id))
        return [(group, name, source, at) for group, name, source, at in rows.all()]

    async def owned(self, model: type[Base], customer_id: int) -> list[Any]:
        """Every row of `model` whose customer_id is this customer, oldest first."""
        table = model.__table__
        stmt = select(model).where(table.c.customer_id == customer_id).order_by(table.c.id)
        return list((await self.session.scalars(stmt)).all())

    async def messages(self, customer_id: int) -> list[Message]:
        stmt = select(Message).where(Message.customer_id == customer_id).order_by(Message.created_at, Message.id)
        return list((await self.session.scalars(stmt)).all())

    async def checkin_participations(self, customer_id: int) -> list[tuple[CheckinParticipant, CheckinCampaign]]:
        rows = await self.session.execute(
            select(CheckinParticipant, CheckinCampaign).join(CheckinCampaign,
                                                             CheckinCampaign.id == CheckinParticipant.campaign_id)
            .where(CheckinParticipant.customer_id == customer_id).order_by(CheckinParticipant.id))
        return [(p, c) for p, c in rows.all()]

    async def campaign_keys(self, campaign_ids: Iterable[int]) -> dict[int, str]:
        ids = list(set(campaign_ids))
        if not ids:
            return {}
        rows = await self.session.execute(select(CheckinCampaign.id, CheckinCampaign.key)
                                          .where(CheckinCampaign.id.in_(ids)))
        return {i: k for i, k in rows.all()}

    async def referral_participations(self, customer_id: int
                                      ) -> list[tuple[ReferralParticipant, ReferralCampaign, list[ReferralInvite]]]:
        rows = (await self.session.execute(
            select(ReferralParticipant, ReferralCampaign)
            .join(ReferralCampaign, ReferralCampaign.id == ReferralParticipant.campaign_id)
            .where(ReferralParticipant.customer_id == customer_id).order_by(ReferralParticipant.id))).all()
        out = []
        for participant, campaign in rows:
            invites = (await self.session.scalars(select(ReferralInvite).where(
                ReferralInvite.participant_id == participant.id).order_by(ReferralInvite.id))).all()
            out.append((participant, campaign, list(invites)))
        return out

    async def invited(self, customer_id: int) -> list[tuple[ReferralInvite, ReferralCampaign]]:
        rows = await self.session.execute(
            select(ReferralInvite, ReferralCampaign).join(ReferralCampaign,
                                                          ReferralCampaign.id == ReferralInvite.campaign_id)
            .where(ReferralInvite.invitee_customer_id == customer_id).order_by(ReferralInvite.id))
        return [(i, c) for i, c in rows.all()]

    async def memberships(self, external_userid: str) -> list[tuple[GroupMembership, CustomerGroup]]:
        rows = await self.session.execute(
            select(GroupMembership, CustomerGroup).join(CustomerGroup, CustomerGroup.id == GroupMembership.group_id)
            .where(GroupMembership.member_id == external_userid).order_by(GroupMembership.id))
        return [(m, g) for m, g in rows.all()]

    async def outbox_to(self, customer: Customer) -> list[OutboxItem]:
        """Outbox rows addressed to the customer: their own, and shared mass messages listing them."""
        own = OutboxItem.customer_id == customer.id
        shared = (OutboxItem.customer_id.is_(None)
                  & cast(OutboxItem.payload, Text).contains(customer.external_userid, autoescape=True))
        rows = (await self.session.scalars(select(OutboxItem).where(or_(own, shared))
                                           .order_by(OutboxItem.created_at, OutboxItem.id))).all()
        return [r for r in rows if r.customer_id == customer.id or _lists(r.payload, customer.external_userid)]

    async def audit_about(self, customer: Customer, ticket_ids: Sequence[int]) -> list[AuditLog]:
        targets = [customer.external_userid, f"customer:{customer.id}", *(f"ticket:{t}" for t in ticket_ids)]
        stmt = (select(AuditLog).where(or_(AuditLog.target.in_(targets), AuditLog.actor == f"customer:{customer.id}"))
                .order_by(AuditLog.created_at, AuditLog.id))
        return list((await self.session.scalars(stmt)).all())

    # --- erasure ---------------------------------------------------------------------------

    async def delete_owned(self, customer_ids: Sequence[int], external_userids: Sequence[str]) -> dict[str, int]:
        """Delete every row that belongs to these customers; rows per table."""
        ids = list(customer_ids)
        counts: dict[str, int] = {}
        participants = select(ReferralParticipant.id).where(ReferralParticipant.customer_id.in_(ids))
        result = await self.session.execute(delete(ReferralInvite).where(or_(
            ReferralInvite.invitee_customer_id.in_(ids), ReferralInvite.participant_id.in_(participants))))
        counts[ReferralInvite.__tablename__] = rowcount(result)
        result = await self.session.execute(delete(ReferralParticipant).where(ReferralParticipant.customer_id.in_(ids)))
        counts[ReferralParticipant.__tablename__] = rowcount(result)
        for model in OWNED:
            result = await self.session.execute(delete(model).where(model.__table__.c.customer_id.in_(ids)))
            counts[model.__tablename__] = rowcount(result)
        result = await self.session.execute(delete(GroupMembership).where(
            GroupMembership.member_id.in_(list(external_userids))))
        counts[GroupMembership.__tablename__] = rowcount(result)
        return counts

    async def anonymise_orders(self, customers: Sequence[Customer]) -> int:
        """Orders stay (past digests count their value) without anyone they could be matched to again:
        theirs, and those parked under their external_userid or unionid."""
        ids, exts = [c.id for c in customers], [c.external_userid for c in customers]
        hashes = [c.unionid_hash for c in customers if c.unionid_hash]
        result = await self.session.execute(
            update(ShopOrder).where(or_(ShopOrder.customer_id.in_(ids), ShopOrder.external_userid.in_(exts),
                                        ShopOrder.unionid_hash.in_(hashes)))
            .values(customer_id=None, external_userid="", unionid_hash="", birthday=""))
        return rowcount(result)

    async def anonymise_messages(self, customer_ids: Sequence[int]) -> int:
        """Keep the rows (past digests count them) without text, message id or customer."""
        result = await self.session.execute(
            update(Message).where(Message.customer_id.in_(list(customer_ids)))
            .values(text="", external_msgid="", customer_id=None))
        return rowcount(result)

    async def clear_outbox(self, customer_ids: Sequence[int], *, now: datetime) -> int:
        """Their outbox rows keep status and times (delivery numbers) but lose payload and answer;
        whatever had not left yet never will."""
        ids = list(customer_ids)
        await self.session.execute(
            update(OutboxItem).where(OutboxItem.customer_id.in_(ids),
                                     OutboxItem.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
            .values(status=OutboxStatus.CANCELLED, lease_until=None, last_error="customer erased"))
        result = await self.session.execute(
            update(OutboxItem).where(OutboxItem.customer_id.in_(ids))
            .values(payload={}, result=None, customer_id=None))
        return rowcount(result)

    async def delete_customers(self, customer_ids: Sequence[int]) -> int:
        result = await self.session.execute(delete(Customer).where(Customer.id.in_(list(customer_ids))))
        return rowcount(result)

    async def mentioning(self, table: Table, needles: Sequence[str], *,
                         scope: ColumnElement[bool] | None = None) -> list[Found]:
        """Rows of `table` whose text or JSON columns may contain a needle (LIKE pre-filter; the
        caller checks exactly). `scope` narrows the rows looked at."""
        columns = text_columns(table)
        keys = list(table.primary_key.columns)
        terms = _mentions(columns, needles)
        found: dict[tuple[Any, ...], Found] = {}
        for start in range(0, len(terms), TERMS_PER_QUERY):
            stmt = (select(*keys, *[c for c in columns if c not in keys])
                    .where(or_(*terms[start:start + TERMS_PER_QUERY])))
            if scope is not None:
                stmt = stmt.where(scope)
            for row in (await self.session.execute(stmt)).mappings().all():
                key = {k.name: row[k.name] for k in keys}
                found.setdefault(tuple(key.values()), Found(table, key, {c.name: row[c.name] for c in columns}))
        return list(found.values())

    async def rewrite(self, found: Found, values: dict[str, Any]) -> None:
        """Update one row through its mapped class, so objects this session already holds see the
        change (the inbox's batch must see an erased customer's pending event as done)."""
        entity = _entity(found.table)
        stmt = update(entity).values(**values)
        for name, value in found.key.items():
            stmt = stmt.where(found.table.c[name] == value)
        await self.session.execute(stmt)


def _entity(table: Table) -> Any:
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return table


def _lists(payload: Any, external_userid: str) -> bool:
    """Does a mass message list this customer (external_userid list, touser)?"""
    if not isinstance(payload, dict):
        return False
    for key in ("external_userid", "touser"):
        value = payload.get(key)
        if value == external_userid or (isinstance(value, list) and external_userid in value):
            return True
    return False
