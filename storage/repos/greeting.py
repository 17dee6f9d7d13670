"""The persona's texts in the corp's group welcome library."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxItem


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
