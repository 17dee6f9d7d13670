"""Points and levels: "我的积分" answered by the persona."""

from __future__ import annotations

from bot.context import Context
from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.community.points import balance_say, standing
from handlers.community.voice import reply_all

router = Router("points")


def _asks_points(event: KfMessageReceived, ctx: Context) -> bool:
    return event.from_customer and event.msgtype == "text" and event.text.strip() == ctx.settings.points.query_keyword


@router.on(KfMessageReceived, when=_asks_points)
async def tell_points(event: KfMessageReceived, ctx: Context) -> None:
    """Balance, level, rights and what the next level needs."""
    assert ctx.customer is not None
    await reply_all(ctx, [balance_say(await standing(ctx, ctx.customer))])
