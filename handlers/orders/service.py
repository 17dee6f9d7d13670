"""Recording an order once, refunding it, and attaching parked orders to their customer.

Idempotent by `order_id`: the same order again is a duplicate (nothing changes); the same order
with status refunded reverses what it earned (a "paid" arriving after its refund is an older state
and changes nothing); the same order with `shipped_at` (carrier, tracking number) records that
the parcel left, and a later shipping report (a corrected tracking number) replaces it, while a
repeat without one keeps what is known; any other difference (amount, buyer, channel, paid_at)
is a conflict naming the field, never a silent overwrite. A buyer who is not a customer yet is not
an error: the order is parked with the identity it came with and attached when they appear.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.orders.parsing import OrderInput, OrderInvalid
from handlers.points.earning import earn_for_order, reverse_for_order
from handlers.services import Ctx
from storage.models import Customer, ShopOrder
from storage.repos.orders import OrderRepo


class OrderConflict(OrderInvalid):
    """The order_id is known with a different value of `field`."""


@dataclass(frozen=True, slots=True)
class Recorded:
    outcome: str  # created | parked | duplicate | refunded | shipped
    order: ShopOrder
    points: int = 0  # earned (created) or taken back (refunded)


async def find_buyer(ctx: Ctx, order: OrderInput) -> Customer | None:
    if order.external_userid:
        return await ctx.repos.customers.find(order.external_userid)
    if order.unionid_hash:
        return await ctx.repos.customers.find_by_unionid_hash(order.unionid_hash)
    return None


def _conflict(row: ShopOrder, order: OrderInput) -> str:
    """The first field in which a repeated order differs from the stored one, or ""."""
    if row.amount_fen != order.amount_fen:
        return "amount"
    if row.channel != order.channel:
        return "channel"
    if row.paid_at != order.paid_at:
        return "paid_at"
    if (row.external_userid, row.unionid_hash) != (order.external_userid, order.unionid_hash):
        return "customer"
    return ""


async def record_order(ctx: Ctx, order: OrderInput, *, source: str) -> Recorded:
    """Store a new order (earning its points), or apply a repeat: duplicate, refund or conflict."""
    repo, now = OrderRepo(ctx.session), ctx.clock.now()
    row = await repo.find(order.order_id)
    if row is not None:
        field = _conflict(row, order)
        if field:
            raise OrderConflict(field, f"differs from order {order.order_id} as first received")
        shipped = _ship(row, order)
        if row.status == order.status or row.status == "refunded":
            # a late "paid" after its refund is an old state: nothing to do but note the parcel
            return Recorded("shipped" if shipped else "duplicate", row)
        return Recorded("refunded", row, await refund(ctx, row))
    customer = await find_buyer(ctx, order)
    row = await repo.add(ShopOrder(
        order_id=order.order_id, customer_id=customer.id if customer else None,
        external_userid=order.external_userid, unionid_hash=order.unionid_hash, amount_fen=order.amount_fen,
        items=[{"name": i.name, "qty": i.qty} for i in order.items], channel=order.channel, status=order.status,
        paid_at=order.paid_at, refunded_at=now if order.status == "refunded" else None, points=0,
        birthday=order.birthday, source=source, created_at=now, matched_at=now if customer else None,
        shipped_at=order.shipped_at, carrier=order.carrier, tracking_no=order.tracking_no))
    if customer is None:
        return Recorded("parked", row)
    return Recorded("created", row, await attach(ctx, row, customer))


def _ship(row: ShopOrder, order: OrderInput) -> bool:
    """Note the parcel when this report of the order carries news of it; True if anything changed."""
    if order.shipped_at is None:
        return False
    news = (order.shipped_at, order.carrier, order.tracking_no)
    if (row.shipped_at, row.carrier, row.tracking_no) == news:
        return False
    row.shipped_at, row.carrier, row.tracking_no = news
    return True


async def refund(ctx: Ctx, row: ShopOrder) -> int:
    """Mark a paid order refunded and take back the points it earned."""
    row.status, row.refunded_at = "refunded", ctx.clock.now()
    if row.customer_id is None:
        return 0
    customer = await ctx.repos.customers.get(row.customer_id)
    return await reverse_for_order(ctx, customer, row)


async def attach(ctx: Ctx, row: ShopOrder, customer: Customer) -> int:
    """The order's buyer is this customer (at once, or when a parked order matched): keep the birthday
    the shop sent, book what a paid order earns."""
    from handlers.points.birthdays import learn_birthday

    row.customer_id, row.matched_at = customer.id, ctx.clock.now()
    if row.birthday:
        await learn_birthday(ctx, customer, row.birthday, source="order")
    if row.status != "paid":
        return 0
    return await earn_for_order(ctx, customer, row)


async def match_parked(ctx: Ctx, *, limit: int = 100) -> int:
    """Attach parked orders whose buyer is now a customer; returns how many were attached."""
    found = await OrderRepo(ctx.session).matchable(limit)
    for row, customer in found:
        await attach(ctx, row, customer)
    return len(found)
