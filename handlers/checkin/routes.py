"""Check-in camps in the kf chat: "打卡"/"补卡" answered by the persona, one reminder a day."""

from __future__ import annotations

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.checkin.asking import asks_about_checkins, camp_on_now, checkin_answer
from handlers.checkin.service import attach_photo, check_in, is_checkin
from handlers.replies.routes import answer_media
from handlers.replies.voice import lines_of, reply_all
from handlers.services import Ctx

router = Router("checkin")


def _asks(event: KfMessageReceived, ctx: Ctx) -> bool:
    return event.from_customer and event.msgtype == "text" and asks_about_checkins(ctx, event.text)


def _checks_in(event: KfMessageReceived, ctx: Ctx) -> bool:
    return is_checkin(event, ctx) and not asks_about_checkins(ctx, event.text)


@router.on(KfMessageReceived, when=_asks)
async def tell_checkin_progress(event: KfMessageReceived, ctx: Ctx) -> None:
    """"我连续打卡几天了", "打卡断了还能补吗", "打卡有奖励吗": the customer's days, streak and make-up cards, or the
    camp's rewards and the days to the next; nothing counted."""
    await reply_all(ctx, await checkin_answer(ctx, event.text))


@router.on(KfMessageReceived, when=_checks_in)
async def acknowledge_checkin(event: KfMessageReceived, ctx: Ctx) -> None:
    """Count the day (or explain kindly why not) with streak and rank, then any milestone."""
    await reply_all(ctx, await check_in(ctx, event))


async def camp_line(ctx: Ctx) -> list[str]:
    """"最近有什么活动吗" (Feature.whats_on): a running camp the customer may join, a line of what is on."""
    return lines_of(ctx, await camp_on_now(ctx))


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


