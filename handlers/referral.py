"""Referral tiers: personal contact-way QR codes, counting new friends, tier rewards."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.context import Context
from bot.dispatcher import Router
from bot.followups import FollowUp
from bot.scheduler import Job
from bot.wecom.events import FriendAdded, FriendLeft, FriendRemovedByStaff, KfMessageReceived
from handlers.community.localtime import zone
from handlers.community.referrals import apply_contact_way, count_friend, join, progress, sweep_contact_ways, uncount_friend
from handlers.community.voice import reply_all

observers = Router("referral_contacts")  # before greeting/contacts, which end the dispatch
router = Router("referral")


@observers.on(FriendAdded, block=False)
async def count_invited_friend(event: FriendAdded, ctx: Context) -> None:
    await count_friend(ctx, event)


@observers.on(FriendLeft, FriendRemovedByStaff, block=False)
async def uncount_leaving_friend(event: FriendLeft | FriendRemovedByStaff, ctx: Context) -> None:
    await uncount_friend(ctx, event)


def _says(keyword_of):  # type: ignore[no-untyped-def]
    def match(event: KfMessageReceived, ctx: Context) -> bool:
        return event.from_customer and event.msgtype == "text" and event.text.strip() == keyword_of(ctx)

    return match


@router.on(KfMessageReceived, when=_says(lambda ctx: ctx.settings.referral.join_keyword))
async def give_invite_code(event: KfMessageReceived, ctx: Context) -> None:
    """"邀请有礼": the customer's personal QR code (sent as soon as WeCom made it)."""
    await reply_all(ctx, await join(ctx, event.open_kfid))


@router.on(KfMessageReceived, when=_says(lambda ctx: ctx.settings.referral.progress_keyword))
async def tell_invite_progress(event: KfMessageReceived, ctx: Context) -> None:
    await reply_all(ctx, await progress(ctx, event.open_kfid))


async def sweep_invite_codes(ctx: Context, fire_time: datetime) -> None:
    await sweep_contact_ways(ctx)


def jobs(config: Config) -> list[Job]:
    return [Job("referral.sweep", CronTrigger(minute="*/5", timezone=zone(config)), sweep_invite_codes,
                misfire_grace_s=300)]


def followups() -> dict[str, list[FollowUp]]:
    return {"externalcontact/add_contact_way": [apply_contact_way]}
