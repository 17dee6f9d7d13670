"""Read-only queries behind the staff console: customer lists with tags, histories, outbox pages."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer, CustomerTag, Message, OutboxItem, Tag, Ticket


def served_by(advisor: str) -> ColumnElement[bool]:
    """The customers a member serves: their own advisor, the member who added them, or a ticket of theirs."""
    return or_(Customer.advisor_userid == advisor, Customer.owner_userid == advisor,
               exists().where(Ticket.customer_id == Customer.id, Ticket.advisor_userid == advisor))


class ConsoleViews:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def customers(self, text: str = "", *, advisor: str | None = None, limit: int = 50,
                        offset: int = 0) -> list[Customer]:
        """Matches on external id (exact or prefix), name or remark; without text, the latest seen.
        With `advisor`, only the customers that member serves; `offset` pages on.

        The text is literal: `%` and `_` are escaped (LIKE … ESCAPE), so "%" finds a name with a
        percent sign, not everyone."""
        stmt = (select(Customer).where(*self._matching(text, advisor))
                .order_by(Customer.last_seen_at.desc(), Customer.id.desc()).limit(limit).offset(offset))
        return list((await self.session.scalars(stmt)).all())

    async def count_customers(self, text: str = "", *, advisor: str | None = None) -> int:
        """How many customers `customers` would list over all its pages."""
        stmt = select(func.count()).select_from(Customer).where(*self._matching(text, advisor))
        return int(await self.session.scalar(stmt) or 0)

    @staticmethod
    def _matching(text: str, advisor: str | None) -> list[ColumnElement[bool]]:
        conditions = [served_by(advisor)] if advisor is not None else []
        if text:
            conditions.append(or_(Customer.external_userid == text,
                                  Customer.external_userid.startswith(text, autoescape=True),
                                  Customer.name.contains(text, autoescape=True),
                                  Customer.remark.contains(text, autoescape=True)))
        return conditions

    async def serves(self, advisor: str, customer_id: int) -> bool:
        return bool(await self.session.scalar(select(Customer.id).where(Customer.id == customer_id,
                                                                        served_by(advisor))))

    async def tags_of(self, customer_ids: Sequence[int]) -> dict[int, list[str]]:
        """Each customer's tags as "group/name", in one query for the whole page."""
        if not customer_ids:
            return {}
        rows = await self.session.execute(
            select(CustomerTag.customer_id, Tag.group_name, Tag.name).join(Tag, Tag.id == CustomerTag.tag_id)
            .where(CustomerTag.customer_id.in_(list(customer_ids))).order_by(Tag.group_name, Tag.name))
        out: dict[int, list[str]] = defaultdict(list)
        for cid, group, name in rows.all():
            out[cid].append(f"{group}/{name}" if group else name)
        return dict(out)

    async def history(self, customer_id: int, *, limit: int = 200) -> list[Message]:
        """The customer's latest messages, oldest first."""
        stmt = (select(Message).where(Message.customer_id == customer_id)
                .order_by(Message.created_at.desc(), Message.id.desc()).limit(limit))
        return list(reversed((await self.session.scalars(stmt)).all()))

    async def outbox(self, statuses: Sequence[str], *, limit: int = 100) -> list[OutboxItem]:
        stmt = (select(OutboxItem).where(OutboxItem.status.in_(list(statuses)))
                .order_by(OutboxItem.id.desc()).limit(limit))
        return list((await self.session.scalars(stmt)).all())

    async def customer_names(self, customer_ids: Sequence[int]) -> dict[int, str]:
        if not customer_ids:
            return {}
        rows = await self.session.execute(select(Customer.id, Customer.name, Customer.external_userid)
                                          .where(Customer.id.in_(list(set(customer_ids)))))
        return {cid: name or ext for cid, name, ext in rows.all()}
