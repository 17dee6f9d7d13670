"""Referral tiers: personal contact-way QR codes, counting new friends, tier rewards."""

from __future__ import annotations

import re
from typing import Callable

from bot.dispatcher import Router
from bot.wecom.events import FriendAdded, FriendLeft, FriendRemovedByStaff, KfMessageReceived
from handlers.referral.config import ReferralConfig
from handlers.referral.service import count_friend, join, progress, rules, uncount_friend
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


# What inviting friends earns, asked in the customer's own words: "邀请朋友有什么奖励吗", "拉人进来有好处吗", "你们有
# 老带新活动吗", "邀请有礼怎么玩" (the sandbox's "邀请朋友有什么奖励吗" got the new-customer coupon).
_WHO = r"(?:好友|朋友|闺蜜|姐妹|同事|家人|别人|新人|人)"
RULES_ASKED = re.compile(rf"(?:请问|那)?(?:我)?(?:邀请|推荐|介绍|拉|带){_WHO}?(?:来买|来|进来|过来|加你们|加进来|关注)?"
                         r"(?:有|有没有|能|可以|能拿|能得|能领|会|送)(?:什么|啥|哪些)?(?:奖励|礼品|礼物|好处|福利|优惠)(?:吗|嘛|么|不|没)?|"
                         rf"(?:请问|那)?(?:我)?(?:邀请|推荐|介绍|拉|带){_WHO}(?:来买|来|进来|过来)?(?:能|可以)?(?:得|拿|领|获得)(?:到)?"
                         r"(?:什么|啥|哪些)(?:奖励|礼品|礼物|好处|福利|东西)?|"
                         r"(?:邀请有礼|老带新|拉新)(?:活动)?(?:是|是什么|是啥|怎么玩|怎么参加|怎么弄|怎么搞|什么规则|规则是什么|的规则|有什么奖励)|"
                         rf"(?:你们)?有(?:没有)?(?:邀请|推荐|拉新|老带新){_WHO}?(?:的)?(?:活动|奖励)(?:吗|嘛|么)?")
_TRIM = " \t。.!！?？~～呀啊呢哦嘛吧啦"


def _asks_rules(event: KfMessageReceived, _: Ctx) -> bool:
    return (event.from_customer and event.msgtype == "text"
            and RULES_ASKED.fullmatch(heard(event.text.strip()).strip(_TRIM)) is not None)


@router.on(KfMessageReceived, when=_asks_rules)
async def tell_rules(event: KfMessageReceived, ctx: Ctx) -> None:
    await reply_all(ctx, await rules(ctx))


@router.on(KfMessageReceived, when=_says(lambda ctx: ctx.settings.of(ReferralConfig).join_keyword))
async def give_invite_code(event: KfMessageReceived, ctx: Ctx) -> None:
    """"邀请有礼": the customer's personal QR code (sent as soon as WeCom made it)."""
    await reply_all(ctx, await join(ctx, event.open_kfid))


@router.on(KfMessageReceived, when=_says(lambda ctx: ctx.settings.of(ReferralConfig).progress_keyword))
async def tell_invite_progress(event: KfMessageReceived, ctx: Ctx) -> None:
    await reply_all(ctx, await progress(ctx, event.open_kfid))


