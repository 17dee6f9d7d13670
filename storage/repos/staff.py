"""Staff members and the audit log of what they (and the system) did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditLog, Staff


class StaffRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, userid: str) -> Staff | None:
        return await self.session.scalar(select(Staff).where(Staff.userid == userid))

    async def upsert(self, userid: str, *, role: str, name: str = "", now: datetime) -> Staff:
        row = await self.find(userid)
        if row is None:
            row = Staff(userid=userid, role=role, name=name, on_duty=False, active=True, password_hash="",
                        created_at=now)
            self.session.add(row)
        else:
            row.role = role
            row.name = name or row.name
        await self.session.flush()
        return row

    async def list(self, *, roles: tuple[str, ...] = (), on_duty: bool | None = None,
                   include_inactive: bool = False) -> list[Staff]:
        stmt = select(Staff).order_by(Staff.userid)
        if not include_inactive:
            stmt = stmt.where(Staff.active.is_(True))
        if roles:
            stmt = stmt.where(Staff.role.in_(roles))
        if on_duty is not None:
            stmt = stmt.where(Staff.on_duty.is_(on_duty))
        return list((await self.session.scalars(stmt)).all())


class AuditRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(self, *, actor: str, action: str, target: str = "", detail: dict[str, Any] | None = None,
               now: datetime) -> None:
        self.session.add(AuditLog(actor=actor, action=action, target=target, detail=detail or {}, created_at=now))
