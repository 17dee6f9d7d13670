"""The points ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CommunityReward, PointsEntry


class PointsRepo:
    """The ledger is append-only: there is deliberately no update or delete here."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def balance(self, customer_id: int) -> int:
        return int(await self.session.scalar(
            select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(PointsEntry.customer_id == customer_id)) or 0)

    async def earned(self, customer_id: int, *, exclude: tuple[str, ...] = (),
                     since: datetime | None = None) -> int:
        """The ledger's sum without the given sources (e.g. redemptions), optionally since a moment."""
        stmt = select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(PointsEntry.customer_id == customer_id)
        if exclude:
            stmt = stmt.where(PointsEntry.source.not_in(exclude))
        if since is not None:
            stmt = stmt.where(PointsEntry.created_at >= since)
        return int(await self.session.scalar(stmt) or 0)

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
