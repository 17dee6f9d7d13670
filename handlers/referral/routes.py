"""Referral tiers: personal contact-way QR codes, counting new friends, tier rewards."""

from __future__ import annotations

import re
from typing import Callable

from bot.dispatcher import Router
from bot.wecom.events import FriendAdded, FriendLeft, FriendRemovedByStaff, KfMessageReceived
from handlers.referral.config import ReferralConfig
from handlers.referral.service import count_friend, join, on_now, progress, rules, uncount_friend
from handlers.replies.voice import lines_of, reply_all
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
# The same asked inside a longer message: an invite verb, whom, and a reward within one clause ("我想邀请朋友一起
# 有什么奖励吗", sandbox 2026-12-06); whom is required, so "推荐一款面霜 有什么优惠吗" is a product question.
RULES_TOLD = re.compile(rf"(?:邀请|拉|带|介绍|推荐){_WHO}[^，,。？?]{{0,8}}?(?:有|有没有|能|可以|送|得|拿|领)"
                        r"[^，,。？?]{0,4}(?:奖励|礼品|礼物|好处|福利)")
# The customer's own code asked for in their words ("怎么生成我的邀请码", "我的邀请二维码在哪", "给我个邀请码"): the
# same as the join keyword.
_CODE = r"(?:专属)?(?:邀请码|邀请二维码|邀请链接|邀请海报|推荐码)"
CODE_ASKED = re.compile(r"(?:请问|那)?(?:我)?(?:要|想要)?(?:怎么|如何|在哪|在哪里|去哪)(?:才能)?"
                        rf"(?:生成|获取|领取|领|拿到|拿|得到|弄|找到|看)(?:我的?)?(?:自己的?)?{_CODE}|"
                        rf"我的?{_CODE}|"
                        rf"(?:我的?)?{_CODE}(?:呢|在哪|在哪里|在哪儿|怎么弄|怎么拿|怎么领|怎么生成|怎么获取|是多少|发我|发给我)|"
                        rf"(?:可以|能)?(?:给我|发我|发给我)(?:一个|个|一张|张)?(?:我的?)?{_CODE}(?:吗|嘛|么)?|"
                        rf"(?:我)?(?:要|想要)(?:一个|个|一张|张)?(?:我的?)?{_CODE}")
_TRIM = " \t。.!！?？~～呀啊呢哦嘛吧啦"
# What a number of invites brings (sandbox trial, 2026-12-05: "邀请满了送啥" got a promise to ask a colleague):
# "邀请满了送啥", "拉满20个人送什么", "邀请几个人有奖励"
_VERB = r"(?:邀请|拉|推荐|带|介绍)"
_HOW_MANY = r"(?:\d{1,3}|[一二三四五六七八九十两]{1,3}|几|多少)"
TIERS_ASKED = re.compile(rf"(?:我)?{_VERB}(?:满|够|到)?(?:了)?{_HOW_MANY}?(?:个|位)?{_WHO}?"
                         r"(?:满了|够了|了)?(?:以后|之后)?"
                         r"(?:能|可以|会|就|就能)?(?:送|给|得|拿|领|有|换)(?:什么|啥|哪些)(?:奖励|礼品|礼物|好处|福利|东西)?|"
                         rf"(?:我)?{_VERB}{_HOW_MANY}(?:个|位)?{_WHO}?(?:才|就)?(?:有|能拿|能领|送|能拿到)"
                         r"(?:奖励|礼品|礼物|好处)")
# How far the customer got, in their own words: "我邀请了几个人了", "邀请进度", "我拉的人有几个了", "还差几个人"
_SO_FAR = r"(?:现在|目前|已经|一共|总共)?(?:成功)?"
PROGRESS_ASKED = re.compile(rf"我{_SO_FAR}{_VERB}(?:了|进来了|来了)?(?:几|多少)(?:个|位)?{_WHO}?(?:了|啦)?|"
                            rf"(?:我)?{_SO_FAR}{_VERB}了(?:几|多少)(?:个|位)?{_WHO}?(?:了|啦)?|"
                            r"(?:帮我)?(?:查一下|查查|查下|看看|看一下)?(?:我的?)?邀请(?:进度|记录|人数|情况)|"
                            r"(?:帮我)?(?:查一下|查查|查下|看看|看一下)(?:我的?)?邀请|"
                            rf"我{_VERB}的{_WHO}(?:有|现在有)?(?:几个|多少|多少个)(?:了)?|"
                            r"(?:我)?(?:还)?差(?:几|多少)(?:个|位)(?:人|好友|朋友)?(?:就)?(?:能|可以)?(?:拿|领|得|有|换)?(?:到)?"
                            r"(?:奖励|礼品|礼物|赠品)")


def _said(event: KfMessageReceived) -> str:
    return heard(event.text.strip()).strip(_TRIM) if event.from_customer and event.msgtype == "text" else ""


def _asks_rules(event: KfMessageReceived, _: Ctx) -> bool:
    said = _said(event)
    return bool(said) and (RULES_ASKED.fullmatch(said) is not None or TIERS_ASKED.fullmatch(said) is not None
                           or RULES_TOLD.search(said) is not None)


def _asks_code(event: KfMessageReceived, _: Ctx) -> bool:
    said = _said(event)
    return bool(said) and CODE_ASKED.fullmatch(said) is not None


def _asks_progress(event: KfMessageReceived, _: Ctx) -> bool:
    said = _said(event)
    return bool(said) and PROGRESS_ASKED.fullmatch(said) is not None


async def campaign_line(ctx: Ctx) -> list[str]:
    """"最近有什么活动吗" (Feature.whats_on): the running referral campaign's tiers, a line of what is on."""
    return lines_of(ctx, await on_now(ctx))


@router.on(KfMessageReceived, when=_asks_rules)
async def tell_rules(event: KfMessageReceived, ctx: Ctx) -> None:
    await reply_all(ctx, await rules(ctx))


@router.on(KfMessageReceived, when=_says(lambda ctx: ctx.settings.of(ReferralConfig).join_keyword))
async def give_invite_code(event: KfMessageReceived, ctx: Ctx) -> None:
    """"邀请有礼": the customer's personal QR code (sent as soon as WeCom made it)."""
    await reply_all(ctx, await join(ctx, event.open_kfid))


@router.on(KfMessageReceived, when=_asks_code)
async def give_invite_code_asked(event: KfMessageReceived, ctx: Ctx) -> None:
    """"怎么生成我的邀请码": the code, as the join keyword gives it."""
    await reply_all(ctx, await join(ctx, event.open_kfid))


@router.on(KfMessageReceived, when=_says(lambda ctx: ctx.settings.of(ReferralConfig).progress_keyword))
async def tell_invite_progress(event: KfMessageReceived, ctx: Ctx) -> None:
    await reply_all(ctx, await progress(ctx, event.open_kfid))


@router.on(KfMessageReceived, when=_asks_progress)
async def tell_invite_progress_asked(event: KfMessageReceived, ctx: Ctx) -> None:
    """"我邀请了几个人了": the progress as "我的邀请" gives it; a customer who never took a code hears the rules,
    and no code is made until they send the word for it."""
    await reply_all(ctx, await progress(ctx, event.open_kfid, join_new=False))


