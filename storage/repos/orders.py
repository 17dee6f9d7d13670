"""Orders shops reported: found by order_id, parked until their buyer is a customer, summed per customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from storage.models import Customer, ShopOrder


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """A customer's purchases: paid orders (refunded ones excluded), what they paid, the last one."""

    orders: int
    lifetime_fen: int
    last_paid_at: datetime | None


_LIMIT: BindParameter[int] = bindparam("matchable_limit", type_=Integer)
# The matching worker asks these at every wake (up to four times a second while customers are
# written), nearly always of no parked order: built once, not per round (two joins' construction
# and cache keys were most of an empty round's ~2 ms of CPU; bench/README.md, tenth session).
_MATCHABLE = (
    select(ShopOrder, Customer)  # by external_userid
    .join(Customer, Customer.external_userid == ShopOrder.external_userid)
    .where(ShopOrder.customer_id.is_(None), ShopOrder.external_userid != "")
    .order_by(ShopOrder.id).limit(_LIMIT),
    select(ShopOrder, Customer)  # by the unionid's hash
    .join(Customer, and_(Customer.unionid_hash == ShopOrder.unionid_hash, Customer.unionid_hash.is_not(None)))
    .where(ShopOrder.customer_id.is_(None), ShopOrder.unionid_hash != "")
    .order_by(ShopOrder.id).limit(_LIMIT),
)


class OrderRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, order_id: str) -> ShopOrder | None:
        return await self.session.scalar(select(ShopOrder).where(ShopOrder.order_id == order_id))

    async def exists(self) -> bool:
        """Whether any shop reported an order at all (else a customer's order cannot be looked up)."""
        return await self.session.scalar(select(ShopOrder.id).limit(1)) is not None

    async def add(self, order: ShopOrder) -> ShopOrder:
        self.session.add(order)
        await self.session.flush()
        return order

    async def matchable(self, limit: int = 100) -> list[tuple[ShopOrder, Customer]]:
        """Parked orders whose buyer is now a customer (by external_userid, or by the unionid's hash)."""
        found: dict[int, tuple[ShopOrder, Customer]] = {}
        for stmt in _MATCHABLE:
            for order, customer in (await self.session.execute(stmt, {_LIMIT.key: limit})).all():
                found.setdefault(order.id, (order, customer))
        return [found[k] for k in sorted(found)][:limit]

    async def parked_of(self, customer: Customer) -> list[ShopOrder]:
        """Parked orders whose buyer is this customer (by external_userid, or by the unionid's hash), oldest first."""
        by = [ShopOrder.external_userid == customer.external_userid] if customer.external_userid else []
        if customer.unionid_hash:
            by.append(ShopOrder.unionid_hash == customer.unionid_hash)
        if not by:
            return []
        stmt = select(ShopOrder).where(ShopOrder.customer_id.is_(None), or_(*by)).order_by(ShopOrder.id)
        return list((await self.session.scalars(stmt)).all())

    async def parked_count(self) -> int:
        return int(await self.session.scalar(
            select(func.count()).select_from(ShopOrder).where(ShopOrder.customer_id.is_(None))) or 0)

    async def summary(self, customer_id: int) -> OrderSummary:
        row = (await self.session.execute(
            select(func.count(), func.coalesce(func.sum(ShopOrder.amount_fen), 0), func.max(ShopOrder.paid_at))
            .where(ShopOrder.customer_id == customer_id, ShopOrder.status == "paid"))).one()
        return OrderSummary(int(row[0]), int(row[1]), row[2])  # max() keeps the column's UTC type

    async def of_customer(self, customer_id: int, limit: int = 10) -> list[ShopOrder]:
        stmt = (select(ShopOrder).where(ShopOrder.customer_id == customer_id)
                .order_by(ShopOrder.paid_at.desc(), ShopOrder.id.desc()).limit(limit))
        return list((await self.session.scalars(stmt)).all())
