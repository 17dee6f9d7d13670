"""Purchases for the KOC score, read through this one function.

Orders arrive with the members feature (`POST /api/orders`, table `shop_order`, model `ShopOrder`:
`customer_id`, `status` paid|refunded, `paid_at`). A build without that table has no order data:
every customer has 0 purchases, and the score is made of the other parts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models


async def paid_orders(session: AsyncSession, since: datetime) -> dict[int, int]:
    """Paid (not refunded) orders per customer since `since`; {} where no order data exists."""
    order = getattr(models, "ShopOrder", None)  # the members feature's model, when this build has it
    if order is None:
        return {}
    rows = await session.execute(
        select(order.customer_id, func.count()).where(order.customer_id.is_not(None), order.status == "paid",
                                                      order.paid_at >= since).group_by(order.customer_id))
    return {int(c): int(n) for c, n in rows.all()}
