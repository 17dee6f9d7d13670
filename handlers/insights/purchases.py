"""Purchases for the KOC score: paid, not refunded orders from the orders feature (`shop_order`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ShopOrder


async def paid_orders(session: AsyncSession, since: datetime) -> dict[int, int]:
    """Paid (not refunded) orders per known customer since `since`."""
    rows = await session.execute(
        select(ShopOrder.customer_id, func.count())
        .where(ShopOrder.customer_id.is_not(None), ShopOrder.status == "paid", ShopOrder.paid_at >= since)
        .group_by(ShopOrder.customer_id))
    return {int(c): int(n) for c, n in rows.all() if c is not None}
