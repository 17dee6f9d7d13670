"""Points and levels: "我的积分" answered by the persona."""

from __future__ import annotations

from handlers.services import Ctx
from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.points.service import balance_say, standing
from handlers.replies.voice import reply_all
from handlers.points.config import PointsConfig

router = Router("points")


def _asks_points(event: KfMessageReceived, ctx: Ctx) -> bool:
    return event.from_customer and event.msgtype == "text" and event.text.strip() == ctx.settings.of(PointsConfig).query_keyword


@router.on(KfMessageReceived, when=_asks_points)
async def tell_points(event: KfMessageReceived, ctx: Ctx) -> None:
    """Balance, level, rights and what the next level needs."""
    assert ctx.customer is not None
    await reply_all(ctx, [balance_say(await standing(ctx, ctx.customer))])
