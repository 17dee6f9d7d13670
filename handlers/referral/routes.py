"""Referral tiers: personal contact-way QR codes, counting new friends, tier rewards."""

from __future__ import annotations

from typing import Callable

from bot.dispatcher import Router
from bot.wecom.events import FriendAdded, FriendLeft, FriendRemovedByStaff, KfMessageReceived
from handlers.referral.config import ReferralConfig
from handlers.referral.service import count_friend, join, progress, uncount_friend
from handlers.replies.voice import reply_all
from handlers.services import Ctx
from persona.heard import heard

router = Router("referral")


@router.on(FriendAdded, block=False)
async def count_invited_friend(event: FriendAdded, ctx: Ctx) -> None:
    await count_friend(ctx, event)


@router.on(FriendLeft, FriendRemovedByStaff, block=False)
async def uncount_leaving_friend(event: FriendLeft | FriendRemovedByStaff, ctx: Ctx) -> None:
    await uncount_friend(ctx, event)


def _says(keyword_of: Callable[[Ctx], str]) -> Callable[[KfMessageReceived, Ctx], bool]:
    def match(event: KfMessageReceived, ctx: Ctx) -> bool:
        return event.from_customer and event.msgtype == "text" and heard(event.text.strip()) == heard(keyword_of(ctx))

    return match


@router.on(KfMessageReceived, when=_says(lambda ctx: ctx.settings.of(ReferralConfig).join_keyword))
async def give_invite_code(event: KfMessageReceived, ctx: Ctx) -> None:
    """"邀请有礼": the customer's personal QR code (sent as soon as WeCom made it)."""
    await reply_all(ctx, await join(ctx, event.open_kfid))


@router.on(KfMessageReceived, when=_says(lambda ctx: ctx.settings.of(ReferralConfig).progress_keyword))
async def tell_invite_progress(event: KfMessageReceived, ctx: Ctx) -> None:
    await reply_all(ctx, await progress(ctx, event.open_kfid))


