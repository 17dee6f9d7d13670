"""Points and levels: "我的积分" answered by the persona."""

from __future__ import annotations

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.points.config import PointsConfig
from handlers.points.service import balance_say, standing
from handlers.replies.voice import reply_all
from handlers.services import Ctx

router = Router("points")


def _asks_points(event: KfMessageReceived, ctx: Ctx) -> bool:
    keyword = ctx.settings.of(PointsConfig).query_keyword
    return event.from_customer and event.msgtype == "text" and event.text.strip() == keyword


@router.on(KfMessageReceived, when=_asks_points)
async def tell_points(event: KfMessageReceived, ctx: Ctx) -> None:
    """Balance, level, rights and what the next level needs."""
    assert ctx.customer is not None
    await reply_all(ctx, [balance_say(await standing(ctx, ctx.customer))])
