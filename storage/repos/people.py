"""Customers, staff, tags, customer groups, messages and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog, Customer, CustomerGroup, CustomerTag, GroupMembership, Message, Staff, Tag


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

    async def reach(self, tag_id: int, *, kf_after: datetime | None) -> list[tuple[bool, bool, str, int]]:
        """Active customers with the tag, counted by (opted out, wrote after `kf_after`, owner
        userid): a broadcast's audience summary without loading 100,000 customers."""
        in_kf = case((Customer.last_inbound_at > kf_after, 1), else_=0) if kf_after else literal(0)
        columns = (Customer.opted_out, in_kf.label("in_kf"), Customer.owner_userid)
        stmt = (select(*columns, func.count()).join(CustomerTag, CustomerTag.customer_id == Customer.id)
                .where(CustomerTag.tag_id == tag_id, Customer.status == "active").group_by(*columns))
        return [(bool(o), bool(k), str(u), int(n)) for o, k, u, n in await self.session.execute(stmt)]

    async def customers_with(self, tag_ids: list[int], *, after_id: int = 0, limit: int | None = None) -> list[Customer]:
        """Customers with any of the tags, by id; `after_id`/`limit` page through a large audience."""
        stmt = (select(Customer).join(CustomerTag, CustomerTag.customer_id == Customer.id)
                .where(CustomerTag.tag_id.in_(tag_ids), Customer.id > after_id).distinct().order_by(Customer.id))
        if limit is not None:
            stmt = stmt.limit(limit)
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
