"""Check-in camps in the kf chat: "打卡"/"补卡" answered by the persona, one reminder a day."""

from __future__ import annotations

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.checkin.service import attach_photo, check_in, is_checkin
from handlers.replies.routes import answer_media
from handlers.replies.voice import reply_all
from handlers.services import Ctx

router = Router("checkin")


@router.on(KfMessageReceived, when=is_checkin)
async def acknowledge_checkin(event: KfMessageReceived, ctx: Ctx) -> None:
    """Count the day (or explain kindly why not) with streak and rank, then any milestone."""
    await reply_all(ctx, await check_in(ctx, event))


def _customer_photo(event: KfMessageReceived, _: Ctx) -> bool:
    return event.from_customer and event.msgtype == "image"


@router.on(KfMessageReceived, when=_customer_photo)
async def keep_checkin_photo(event: KfMessageReceived, ctx: Ctx) -> None:
    """A photo right after 打卡 is the day's proof, and the persona says so; any other photo gets the
    persona's usual answer to a photo."""
    if await attach_photo(ctx, event):
        await ctx.say("media.checkin_photo", name=ctx.customer.name if ctx.customer else "")
    else:
        await answer_media(event, ctx)


