"""Staff members and the audit log of what they (and the system) did."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from storage.models import AuditLog, Staff
from storage.txinfo import STAFF_ALL as ALL
from storage.txinfo import STAFF_READ as READ

# Built once (the inbox reads a batch's members for each shared transaction): building it per read
# took about as much CPU as running it (bench/README.md, ninth session).
_USERIDS: BindParameter[str] = bindparam("staff_userids", expanding=True)
_BY_USERIDS = select(Staff).where(Staff.userid.in_(_USERIDS))


class StaffRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, userid: str) -> Staff | None:
        """The member, read at most once per transaction: a second read would return the same object
        from the session's identity map anyway (`prefetch` reads a batch's members in one statement)."""
        read: dict[str, Staff | None] = self.session.info.setdefault(READ, {})
        if userid not in read and ALL in self.session.info:
            return None  # the whole team was read in this transaction (`list`)
        if userid not in read:
            read[userid] = await self.session.scalar(select(Staff).where(Staff.userid == userid))
        return read[userid]

    async def prefetch(self, userids: Sequence[str]) -> None:
        """Read these members (for the next `find`s of this transaction) in one statement."""
        read: dict[str, Staff | None] = self.session.info.setdefault(READ, {})
        wanted = [u for u in dict.fromkeys(userids) if u and u not in read]
        if wanted:
            found = {row.userid: row for row in (await self.session.scalars(_BY_USERIDS, {_USERIDS.key: wanted})).all()}
            read.update({userid: found.get(userid) for userid in wanted})

    async def upsert(self, userid: str, *, role: str, name: str = "", now: datetime) -> Staff:
        row = await self.find(userid)
        if row is None:
            row = Staff(userid=userid, role=role, name=name, on_duty=False, active=True, password_hash="",
                        created_at=now)
            self.session.add(row)
            self.session.info.setdefault(READ, {})[userid] = row
            if (everyone := self.session.info.get(ALL)) is not None:
                everyone.append(row)
                everyone.sort(key=lambda member: member.userid)
        else:
            row.role = role
            row.name = name or row.name
        await self.session.flush()
        return row

    async def list(self, *, roles: tuple[str, ...] = (), on_duty: bool | None = None,
                   include_inactive: bool = False) -> list[Staff]:
        """Members by role, duty and activity, ordered by userid. The team is read once per transaction
        (routing, the question queue and notices each ask several times per event) and filtered on
        the members' current attributes, so a change made earlier in the transaction (/duty, /role)
        is seen."""
        everyone: list[Staff] | None = self.session.info.get(ALL)
        if everyone is None:
            everyone = list((await self.session.scalars(select(Staff).order_by(Staff.userid))).all())
            self.session.info[ALL] = everyone
            read: dict[str, Staff | None] = self.session.info.setdefault(READ, {})
            read.update({member.userid: member for member in everyone})
        return [member for member in everyone
                if (include_inactive or member.active) and (not roles or member.role in roles)
                and (on_duty is None or bool(member.on_duty) == on_duty)]


class AuditRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(self, *, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None,
               now: datetime) -> None:
        self.session.add(AuditLog(actor=actor, action=action, target=target, detail=detail or {}, created_at=now))
