"""Points for purchases: `[points] per_yuan` per whole yuan of a paid order, booked once per order
(ref "order:<order_id>"), and taken back by its refund (ref "refund:<order_id>"), which may lower
the level the order had reached."""

from __future__ import annotations

from handlers.points.config import PointsConfig
from handlers.points.service import award, level_up_say
from handlers.replies.voice import tell
from handlers.services import Ctx
from storage.models import Customer, ShopOrder


async def earn_for_order(ctx: Ctx, customer: Customer, order: ShopOrder) -> int:
    """Book the points a paid order earns; returns them (0 when per_yuan is 0 or already booked)."""
    points = order.amount_fen // 100 * ctx.settings.of(PointsConfig).per_yuan
    result = await award(ctx, customer, points, reason=f"订单 {order.order_id}"[:128], source="order",
                         ref=f"order:{order.order_id}")
    order.points = result.delta or order.points
    say = await level_up_say(ctx, customer, result)
    if say is not None:
        await tell(ctx, customer, "", say)
    return result.delta


async def reverse_for_order(ctx: Ctx, customer: Customer, order: ShopOrder) -> int:
    """Take back what a refunded order earned; returns the points taken (as a positive number)."""
    if order.points <= 0:
        return 0
    result = await award(ctx, customer, -order.points, reason=f"订单 {order.order_id} 退款"[:128], source="refund",
                         ref=f"refund:{order.order_id}")
    return -result.delta
