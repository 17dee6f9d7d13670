"""The customer page's 积分 line: balance and member level from the ledger."""

from __future__ import annotations

from handlers.points.service import standing
from handlers.services import Ctx
from storage.models import Customer


async def points_fact(ctx: Ctx, customer: Customer) -> list[tuple[str, str]]:
    current = await standing(ctx, customer)
    level = f"（{current.level.name}）" if current.level else ""
    return [("积分", f"{current.balance}{level}")]
