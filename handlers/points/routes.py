"""Points and levels in the customer's chat: "我的积分", "积分兑换", "兑换 <名称>", "确认兑换" /
"取消兑换", and "我的生日是3月5日"."""

from __future__ import annotations

import re

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.points.birthdays import birthday_question, birthday_said, parse_birthday
from handlers.points.config import PointsConfig
from handlers.points.rewards import ask_to_redeem, cancel_redemption, catalogue_say, confirm_redemption
from handlers.points.service import balance_say, standing
from handlers.replies.voice import reply_all
from handlers.services import Ctx
from persona.heard import heard

router = Router("points")

REDEEM = re.compile(r"兑换\s*(\S.{0,40})")
# The balance asked in the customer's own words: "我现在有多少积分", "积分还有多少", "帮我查下积分".
BALANCE = re.compile(r"(我|我的|我现在|我还|现在|帮我|请)?(查|查查|查一下|查下|看看|看一下)?(我的?)?(现在|还)?(有|剩)?"
                     r"(多少|几)(个)?积分|(我的?)?积分(现在|还)?(有|剩|是)?(多少|几)(个|分)?|"
                     r"(帮我|请)?(查|查查|查一下|查下|看看|看一下)(我的?)?积分|"
                     # points said as 分 by someone who has them: "我现在有多少分", "我还剩几分"
                     r"我(现在|还|目前)?(有|剩)(多少|几)(个)?分")
_PARTICLES = " \t。.!！?？~～呀啊呢哦吖嘛吧啦了"
CONFIRM, CANCEL = "确认兑换", "取消兑换"


def _text(event: KfMessageReceived) -> str:
    return heard(event.text.strip()) if event.from_customer and event.msgtype == "text" else ""


def _asks_points(event: KfMessageReceived, ctx: Ctx) -> bool:
    text = _text(event)
    return bool(text) and (text == heard(ctx.settings.of(PointsConfig).query_keyword)
                           or BALANCE.fullmatch(text.strip(_PARTICLES)) is not None)


def _asks_rewards(event: KfMessageReceived, ctx: Ctx) -> bool:
    return _text(event) in (heard(ctx.settings.of(PointsConfig).redeem_keyword), "兑换") and _has_rewards(ctx)


def _has_rewards(ctx: Ctx) -> bool:
    return bool(ctx.settings.of(PointsConfig).rewards)


def _redeems(event: KfMessageReceived, ctx: Ctx) -> bool:
    return REDEEM.fullmatch(_text(event)) is not None and _has_rewards(ctx)


def _answers_redemption(event: KfMessageReceived, ctx: Ctx) -> bool:
    return _text(event) in (CONFIRM, CANCEL) and _has_rewards(ctx)


def _tells_birthday(event: KfMessageReceived, ctx: Ctx) -> bool:
    return parse_birthday(_text(event)) is not None


@router.on(KfMessageReceived, when=_asks_points)
async def tell_points(event: KfMessageReceived, ctx: Ctx) -> None:
    """Balance, level, rights and what the next level needs."""
    assert ctx.customer is not None
    await reply_all(ctx, [balance_say(await standing(ctx, ctx.customer)), *await birthday_question(ctx, ctx.customer)])


@router.on(KfMessageReceived, when=_asks_rewards)
async def list_rewards(event: KfMessageReceived, ctx: Ctx) -> None:
    """What the customer's points can buy now."""
    assert ctx.customer is not None
    await reply_all(ctx, [await catalogue_say(ctx, ctx.customer)])


@router.on(KfMessageReceived, when=_redeems)
async def ask_to_confirm(event: KfMessageReceived, ctx: Ctx) -> None:
    """"兑换 <名称>": checked, then a confirmation is asked for; nothing is taken yet."""
    assert ctx.customer is not None
    match = REDEEM.fullmatch(_text(event))
    assert match is not None
    await reply_all(ctx, [await ask_to_redeem(ctx, ctx.customer, match[1], event.open_kfid)])


@router.on(KfMessageReceived, when=_answers_redemption)
async def confirm_or_cancel(event: KfMessageReceived, ctx: Ctx) -> None:
    assert ctx.customer is not None
    if _text(event) == CONFIRM:
        await reply_all(ctx, [await confirm_redemption(ctx, ctx.customer)])
    else:
        await reply_all(ctx, [await cancel_redemption(ctx, ctx.customer)])


@router.on(KfMessageReceived, when=_tells_birthday)
async def remember_birthday(event: KfMessageReceived, ctx: Ctx) -> None:
    """"我的生日是3月5日": kept for the birthday greeting (kept too while none is configured, as an order's is)."""
    assert ctx.customer is not None
    await reply_all(ctx, [await birthday_said(ctx, ctx.customer, _text(event))])
