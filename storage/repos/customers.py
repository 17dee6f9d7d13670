"""Customers, customer groups and their members."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any, Callable, Sequence

from sqlalchemy import Integer, Select, bindparam, exists, inspect, literal_column, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from storage import newcomers
from storage.models import Customer, CustomerGroup, Friendship, GroupMembership, ShopOrder, Stamp
from storage.newrows import new_row
from storage.queues import _dialect
from storage.txinfo import PREFETCHED_CUSTOMERS as PREFETCHED  # external_userid → Customer, one upsert each

# The inbox's statements for each group of events, built once: building them per group took about
# as much CPU as running them (bench/README.md, ninth session).
_EXTERNAL_USERIDS: BindParameter[str] = bindparam("external_userids", expanding=True)
_BY_EXTERNAL_USERIDS = select(Customer).where(Customer.external_userid.in_(_EXTERNAL_USERIDS))
_CUSTOMER_ID: BindParameter[int] = bindparam("customer_id")
_FRIENDSHIPS = select(Friendship).where(Friendship.customer_id == _CUSTOMER_ID)


# A new customer's parked orders are attached before any handler answers (handlers/orders/matching.py
# `attach_on_arrival`), which read them once per newcomer, nearly always finding none. The insert tells
# it, in the same statement, for whom there may be some (bench/README.md, twenty-fourth slice).
_PARKED = "parked_orders"


@functools.lru_cache(maxsize=4)
def _insert_new(dialect: str) -> ReturningInsert[Any]:
    """Insert customers, leaving alone any that exists, returning the new rows whole, each with whether
    orders are parked under its external_userid (`_PARKED`)."""
    table = Customer.__table__
    insert: Callable[..., Any] = pg_insert if dialect == "postgresql" else sqlite_insert
    # the inserted row named as text: SQLAlchemy does not correlate a subquery of RETURNING with the table
    # written (it would add a FROM customer), and on SQLite it writes RETURNING's columns unqualified
    inserted: ColumnElement[str] = literal_column(f"{Customer.__tablename__}.external_userid")
    parked = exists().where(ShopOrder.customer_id.is_(None), ShopOrder.external_userid == inserted).label(_PARKED)
    stmt: ReturningInsert[Any] = insert(table).on_conflict_do_nothing(index_elements=["external_userid"]).returning(
        *table.c, parked)
    return stmt


_DUE_BY: BindParameter[datetime] = bindparam("profile_due_by", type_=Stamp)
_READS: BindParameter[int] = bindparam("profile_reads", type_=Integer)


@functools.lru_cache(maxsize=4)
def _profile_reads(dialect: str) -> Select[Customer]:
    """The profile worker's claim, built once per dialect: it runs at every wake (up to four times a
    second while customers are written), nearly always finding nothing (bench/README.md, tenth session)."""
    stmt = (select(Customer).where(Customer.profile_due_at <= _DUE_BY)
            .order_by(Customer.profile_due_at, Customer.id).limit(_READS))
    return stmt.with_for_update(skip_locked=True) if dialect == "postgresql" else stmt


class CustomerRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, external_userid: str) -> Customer | None:
        return await self.session.scalar(select(Customer).where(Customer.external_userid == external_userid))

    async def find_by_unionid_hash(self, unionid_hash: str) -> Customer | None:
        stmt = select(Customer).where(Customer.unionid_hash == unionid_hash).order_by(Customer.id).limit(1)
        return await self.session.scalar(stmt)

    async def find_many(self, external_userids: Sequence[str]) -> list[Customer]:
        """The known customers among these ids (e.g. a group's members), by name."""
        if not external_userids:
            return []
        stmt = (select(Customer).where(Customer.external_userid.in_(list(external_userids)))
                .order_by(Customer.name, Customer.id))
        return list((await self.session.scalars(stmt)).all())

    async def get(self, customer_id: int) -> Customer:
        row = await self.session.get(Customer, customer_id)
        if row is None:
            raise LookupError(f"customer {customer_id} not found")
        return row

    async def get_many(self, customer_ids: Sequence[int]) -> list[Customer]:
        """The customers with these ids that still exist, in one statement."""
        if not customer_ids:
            return []
        return list((await self.session.scalars(select(Customer).where(Customer.id.in_(list(customer_ids))))).all())

    async def prefetch(self, wanted: Sequence[tuple[str, dict[str, Any]]], *, now: datetime,
                       insert_first: bool = False) -> list[Customer]:
        """Spare the next `upsert` of each of these customers its statements: all are read in one
        statement, and those not seen before are inserted in one more, with the fields their upsert
        would give them (the inserted rows come back whole and join the session as they are, without
        a read). The inbox calls this for each group of events it will surely run in one transaction
        (one that ends early must leave no customer behind whose event did not run). Returns the
        customers that existed already (the returning ones).

        `insert_first` (new friends, nearly always new customers): insert them all first (one that
        exists is left alone) and read only those the insert did not return, so a group of new
        customers costs one statement, not two; a group of returning ones then costs two."""
        first = dict(reversed(wanted))  # each customer's fields, from their first event
        if not first:
            return []
        # Without flushing the session first: these statements read and add customer rows by
        # external_userid, which no pending change touches (a customer is never left pending:
        # `upsert` flushes a new one at once, `_insert` and erasure are Core). So the rows the handlers
        # added for the groups before stay pending, and a shared transaction's rows flush together, a
        # statement per table, not once per group (bench/README.md, ninth session).
        with self.session.no_autoflush:
            prefetched: dict[str, Customer] = self.session.info.setdefault(PREFETCHED, {})
            if insert_first:
                await self._insert(first, now=now)
                missing = [ext for ext in first if ext not in prefetched]
            else:
                missing = list(first)
            returning: list[Customer] = []
            if missing:
                returning = list((await self.session.scalars(_BY_EXTERNAL_USERIDS,
                                                             {_EXTERNAL_USERIDS.key: missing})).all())
                prefetched.update({row.external_userid: row for row in returning})
            if not insert_first:
                await self._insert(first, now=now)
        return returning

    async def _insert(self, first: dict[str, dict[str, Any]], *, now: datetime) -> None:
        """Insert those of `first` not prefetched yet, each with its fields (one that exists already
        is left alone and not returned); the new rows join the session as newcomers."""
        prefetched: dict[str, Customer] = self.session.info.setdefault(PREFETCHED, {})
        values = [{**self._blank(ext, now=now), **{k: v for k, v in fields.items() if v}}
                  for ext, fields in first.items() if ext not in prefetched]
        if not values:
            return
        table = Customer.__table__
        # a Core statement with many parameter sets: compiled once, sent as one multi-row INSERT
        insert = _insert_new(_dialect(self.session))
        for inserted in (await self.session.execute(insert, values)).mappings().all():
            row = new_row(Customer, **{column.key: inserted[column] for column in table.c})
            make_transient_to_detached(row)  # persistent as it is: no pending change, no read
            self.session.add(row)
            newcomers.created(self.session, row.id, parked=bool(inserted[_PARKED]))
            prefetched[row.external_userid] = row

    @staticmethod
    def _blank(external_userid: str, *, now: datetime) -> dict[str, Any]:
        return {"external_userid": external_userid, "first_seen_at": now, "last_seen_at": now, "name": "",
                "remark": "", "channel": "", "owner_userid": "", "advisor_userid": "", "stage": "", "is_vip": False,
                "opted_out": False, "status": "active", "lost_by": ""}

    async def upsert(self, external_userid: str, *, now: datetime, **fields: Any) -> Customer:
        """The customer with this id, created on first sight; `fields` fill blanks only."""
        prefetched: dict[str, Customer] = self.session.info.get(PREFETCHED, {})
        row: Customer | None = prefetched.pop(external_userid, None)
        if row is None or not inspect(row).persistent or row in self.session.deleted:
            row = await self.find(external_userid)
        created = row is None
        if row is None:
            row = Customer(**self._blank(external_userid, now=now))
            self.session.add(row)
        for key, value in fields.items():
            if value and not getattr(row, key):
                setattr(row, key, value)
        row.last_seen_at = now
        if created:  # its id, for the rows that name it
            await self.session.flush()
            newcomers.created(self.session, row.id)
        return row

    async def claim_profile_reads(self, *, now: datetime, lease_s: float, limit: int) -> list[Customer]:
        """Customers whose name is due to be read from WeCom; each is leased until `now + lease_s`
        (a reader that dies leaves it to be claimed again then)."""
        rows = list((await self.session.scalars(_profile_reads(_dialect(self.session)),
                                                {_DUE_BY.key: now, _READS.key: limit})).all())
        for row in rows:
            row.profile_due_at = now + timedelta(seconds=lease_s)
        await self.session.flush()
        return rows

    async def friendships(self, customer: Customer) -> list[Friendship]:
        """The customer's friendships with members, ended ones too, first added first (none: a kf-only
        customer, or one a member added before friendships were kept and not since)."""
        rows = newcomers.rows_of(self.session, Friendship, customer.id)  # a new friend has none yet
        if rows is None:
            rows = list((await self.session.scalars(_FRIENDSHIPS, {_CUSTOMER_ID.key: customer.id})).all())
        return sorted(rows, key=lambda r: r.added_at)

    async def befriend(self, customer: Customer, userid: str, *, now: datetime) -> None:
        """`userid` added the customer (again): their friendship is open from now."""
        row = next((r for r in await self.friendships(customer) if r.userid == userid), None)
        if row is None:
            self.session.add(new_row(Friendship, customer_id=customer.id, userid=userid, added_at=now, ended_at=None))
        elif row.ended_at is not None:
            row.added_at, row.ended_at = now, None

    async def unfriend(self, customer: Customer, userid: str, *, now: datetime) -> list[str]:
        """`userid`'s friendship with the customer ended; the members still their friends, first added
        first."""
        rows = await self.friendships(customer)
        for row in rows:
            if row.userid == userid and row.ended_at is None:
                row.ended_at = now
        return [r.userid for r in rows if r.ended_at is None and r.userid != userid]

    async def search(self, text: str, limit: int = 20) -> list[Customer]:
        """Customers whose external id is `text` or whose name or remark contains it, literally
        (`%` and `_` are escaped, so they match themselves)."""
        stmt = (select(Customer).where(or_(Customer.external_userid == text,
                                           Customer.name.contains(text, autoescape=True),
                                           Customer.remark.contains(text, autoescape=True))).limit(limit))
        return list((await self.session.scalars(stmt)).all())


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
