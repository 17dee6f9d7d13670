"""Tags, their WeCom mirror steps, rule hits and lifecycle stages."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any, Iterable, Sequence

from sqlalchemy import Integer, Select, bindparam, case, event, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from storage import groupreads, newcomers
from storage.models import Customer, CustomerTag, Message, RuleHit, StageEntry, Stamp, Tag, TagSync
from storage.newrows import inserted, new_row
from storage.queues import _dialect, _for_claim
from storage.txinfo import CUSTOMER_TAGS, RULE_HITS


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

    async def audience_sizes(self) -> dict[int, int]:
        """Active customers per tag id, in one query (the console's tag picker)."""
        stmt = (select(CustomerTag.tag_id, func.count()).join(Customer, Customer.id == CustomerTag.customer_id)
                .where(Customer.status == "active").group_by(CustomerTag.tag_id))
        return {int(t): int(n) for t, n in await self.session.execute(stmt)}

    async def customers_with(self, tag_ids: list[int], *, after_id: int = 0,
                             limit: int | None = None) -> list[Customer]:
        """Customers with any of the tags, by id; `after_id`/`limit` page through a large audience."""
        stmt = (select(Customer).join(CustomerTag, CustomerTag.customer_id == Customer.id)
                .where(CustomerTag.tag_id.in_(tag_ids), Customer.id > after_id).distinct().order_by(Customer.id))
        if limit is not None:
            stmt = stmt.limit(limit)
        return list((await self.session.scalars(stmt)).all())

    async def find_by_corp_id(self, corp_tag_id: str) -> Tag | None:
        return await self.session.scalar(select(Tag).where(Tag.corp_tag_id == corp_tag_id))

    async def of_customer(self, customer_id: int) -> list[Tag]:
        """The customer's tags by group and name. Read once per transaction (or for a whole group of
        events, `prefetch_of`): a change of the customer's tags in this transaction forgets the read
        (`_forget_changed_tags`), so the next one asks the database again; `attach` keeps it, with the new tag."""
        if newcomers.rows_of(self.session, CustomerTag, customer_id) == []:  # created in this transaction, untagged
            return []
        read: dict[int, list[Tag]] = self.session.info.setdefault(CUSTOMER_TAGS, {})
        if customer_id not in read:
            await self.session.flush()  # a pending change is seen (as the query's autoflush did) and forgets
            stmt = (select(Tag).join(CustomerTag, CustomerTag.tag_id == Tag.id)
                    .where(CustomerTag.customer_id == customer_id))
            read[customer_id] = list((await self.session.scalars(stmt.order_by(Tag.group_name, Tag.name))).all())
        return list(read[customer_id])

    async def prefetch_of(self, customer_ids: Sequence[int]) -> None:
        """The tags of these customers in one statement, for `of_customer` in this transaction (the
        inbox calls it for each group of kf messages: the rule book reads every writer's tags)."""
        read: dict[int, list[Tag]] = self.session.info.setdefault(CUSTOMER_TAGS, {})
        wanted = [i for i in dict.fromkeys(customer_ids)
                  if i not in read and newcomers.rows_of(self.session, CustomerTag, i) is None]
        if not wanted:
            return
        await self.session.flush()
        stmt = (select(CustomerTag.customer_id, Tag).join(CustomerTag, CustomerTag.tag_id == Tag.id)
                .where(CustomerTag.customer_id.in_(wanted)).order_by(Tag.group_name, Tag.name))
        found: dict[int, list[Tag]] = {i: [] for i in wanted}
        for customer_id, tag in (await self.session.execute(stmt)).all():
            found[customer_id].append(tag)
        read.update(found)

    async def attach(self, customer_id: int, tag: Tag, *, source: str, now: datetime) -> bool:
        """True when the tag is new for the customer."""
        mine = newcomers.rows_of(self.session, CustomerTag, customer_id)
        read = self._read_of(customer_id)
        if mine is not None:  # a customer created in this transaction: only its own rows exist
            exists = any(row.tag_id == tag.id for row in mine)
        elif read is not None:  # their tags as read in this transaction (nothing pending beside it)
            exists = any(t.id == tag.id for t in read)
        else:
            exists = bool(await self.session.scalar(select(CustomerTag.id).where(
                CustomerTag.customer_id == customer_id, CustomerTag.tag_id == tag.id)))
        if exists:
            return False
        self.session.add(CustomerTag(customer_id=customer_id, tag_id=tag.id, source=source, created_at=now))
        await self.session.flush()  # forgets their read (`_forget_changed_tags`); the read plus this tag is it
        if read is not None and CUSTOMER_TAGS in self.session.info:
            self.session.info[CUSTOMER_TAGS][customer_id] = sorted([*read, tag], key=lambda t: (t.group_name, t.name))
        return True

    def _read_of(self, customer_id: int) -> list[Tag] | None:
        """The customer's tags read in this transaction, when nothing unflushed can change them."""
        read: dict[int, list[Tag]] = self.session.info.get(CUSTOMER_TAGS, {})
        if customer_id not in read or any(isinstance(r, CustomerTag) for r in (*self.session.new,
                                                                                 *self.session.deleted,
                                                                                 *self.session.dirty)):
            return None
        return list(read[customer_id])

    async def get_many(self, ids: Sequence[int]) -> list[Tag]:
        return list((await self.session.scalars(select(Tag).where(Tag.id.in_(list(ids))))).all())

    async def all(self) -> list[Tag]:
        return list((await self.session.scalars(select(Tag).order_by(Tag.id))).all())

    async def detach(self, customer_id: int, tag: Tag) -> bool:
        if newcomers.rows_of(self.session, CustomerTag, customer_id) == []:  # created in this transaction, untagged
            return False
        row = await self.session.scalar(select(CustomerTag).where(
            CustomerTag.customer_id == customer_id, CustomerTag.tag_id == tag.id))
        if row is None:
            return False
        await self.session.delete(row)
        await self.session.flush()
        return True


_DUE_BY: BindParameter[datetime] = bindparam("tag_sync_due_by", type_=Stamp)
_SYNCS: BindParameter[int] = bindparam("tag_syncs", type_=Integer)


@functools.lru_cache(maxsize=4)
def _tag_syncs_due(dialect: str) -> Select[TagSync]:
    """The tag mirror's claim, built once per dialect: it runs at every wake (up to four times a second
    while customers are written), nearly always finding nothing (bench/README.md, tenth session)."""
    stmt = select(TagSync).where(TagSync.status == "pending", TagSync.due_at <= _DUE_BY).order_by(TagSync.id)
    stmt = stmt.limit(_SYNCS)
    return stmt.with_for_update(skip_locked=True) if dialect == "postgresql" else stmt


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
        rows = list((await self.session.scalars(_tag_syncs_due(_dialect(self.session)),
                                                {_DUE_BY.key: now, _SYNCS.key: limit})).all())
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
        self.session.add(new_row(RuleHit, customer_id=customer_id, rule=rule, created_at=now))

    async def count(self, customer_id: int, rule: str, *, since: datetime) -> int:
        mine = newcomers.rows_of(self.session, RuleHit, customer_id)
        if mine is not None:  # a customer created in this transaction: only its own rows exist
            return sum(1 for hit in mine if hit.rule == rule and hit.created_at >= since)
        known: dict[int, tuple[datetime, list[tuple[str, datetime]]]] = groupreads.known(self.session, RULE_HITS)
        if customer_id not in known or known[customer_id][0] > since:  # not read, or read for a shorter window
            await self._read({i for i in known if known[i][0] <= since}, customer_id, since)
        hits = [*known[customer_id][1], *((h.rule, h.created_at)
                                          for h in groupreads.pending(self.session, RuleHit, customer_id))]
        return sum(1 for name, at in hits if name == rule and at >= since)

    async def _read(self, answered: set[int], customer_id: int, since: datetime) -> None:
        """The hits since `since` of the asker and of the group's customers not read yet, in one statement."""
        await self.session.flush()
        wanted = groupreads.group(self.session, customer_id, answered)
        stmt = (select(RuleHit.customer_id, RuleHit.rule, RuleHit.created_at)
                .where(RuleHit.customer_id.in_(wanted), RuleHit.created_at >= since))
        found: dict[int, tuple[datetime, list[tuple[str, datetime]]]] = {i: (since, []) for i in wanted}
        for owner, name, at in (await self.session.execute(stmt)).all():
            found[owner][1].append((name, at))
        groupreads.known(self.session, RULE_HITS).update(found)


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

    async def claim_waiting(self, *, now: datetime, limit: int = 200) -> list[StageEntry]:
        """Stage pushes waiting for a quiet chat whose time has come, oldest first (PostgreSQL: rows
        another process is deciding right now are skipped)."""
        stmt = (select(StageEntry).where(StageEntry.push == "waiting", StageEntry.push_due_at <= now)
                .order_by(StageEntry.push_due_at, StageEntry.id).limit(limit))
        return list((await self.session.scalars(_for_claim(self.session, stmt))).all())

    async def last_message_at(self, customer_id: int) -> datetime | None:
        """When the customer's latest message in or out (answers, staff, pushes queued) was written."""
        await self.session.flush()
        return await self.session.scalar(select(func.max(Message.created_at)).where(Message.customer_id == customer_id))


@event.listens_for(Session, "after_flush")
def _forget_changed_tags(session: Session, _context: Any) -> None:
    """A customer's tags read in this transaction are forgotten when a flush adds or deletes one of
    their tags (all of them when a tag itself is deleted)."""
    read: dict[int, list[Tag]] | None = session.info.get(CUSTOMER_TAGS)
    if not read:
        return
    for row in (*session.new, *session.deleted, *session.dirty):
        if isinstance(row, CustomerTag):
            read.pop(row.customer_id, None)
        elif isinstance(row, Tag) and row in session.deleted:
            read.clear()
            return


@event.listens_for(Session, "after_flush")
def _count_new_hits(session: Session, _context: Any) -> None:
    if session.info.get(RULE_HITS):
        _count_inserted_hits(session, session.new)


@inserted
def _count_inserted_hits(session: Session, rows: Iterable[Any]) -> None:
    """A rule hit this transaction wrote (through the unit of work, or by Core: storage/newrows.py) counts in the
    hits already read for its customer."""
    known: dict[int, tuple[datetime, list[tuple[str, datetime]]]] | None = session.info.get(RULE_HITS)
    if known:
        for row in rows:
            if isinstance(row, RuleHit) and row.customer_id in known:
                known[row.customer_id][1].append((row.rule, row.created_at))


groupreads.forget_on_bulk_writes(RULE_HITS, "rule_hit", "customer")


# an INSERT, UPDATE or DELETE of tags outside the unit of work (e.g. a customer's erasure) forgets every read
groupreads.forget_on_bulk_writes(CUSTOMER_TAGS, "customer_tag", "tag")
