"""Points and levels in the customer's chat: "我的积分", "积分兑换", "兑换 <名称>", "确认兑换" /
"取消兑换", and "我的生日是3月5日". A reward is also asked for in the customer's own words: "我想换柚子小样礼包",
"换小样", "换第一个" (the catalogue's order as just listed), "确定兑换"."""

from __future__ import annotations

import re
from typing import Awaitable, Callable

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.points.asking import (
    asks_expiry,
    asks_history,
    asks_redemptions,
    expiry_say,
    history_say,
    redemptions_say,
)
from handlers.points.birthdays import birthday_perk, birthday_question, birthday_said, parse_birthday
from handlers.points.config import PointsConfig
from handlers.points.rewards import (
    CHEAPEST_PLACE,
    ask_to_redeem,
    cancel_redemption,
    catalogue_say,
    confirm_redemption,
    listed,
)
from handlers.points.service import balance_say, levels_say, standing
from handlers.replies.voice import Say, reply_all
from handlers.services import Ctx
from persona.heard import heard
from storage.models import Customer

router = Router("points")

REDEEM = re.compile(r"兑换\s*(\S.{0,40})")
# "我想换柚子小样礼包", "要换第一个", "用积分换个小样": 换 (换货, 换个颜色) only with a reward's name or a place
IN_WORDS = re.compile(r"(?:我)?(?:想|要|想要|可以|能)?(?:用积分)?(?:兑换|换)(?:一个|一份|个|份)?\s*(\S.{0,40}?)"
                      r"(?:吧|吗|可以吗|行吗|好了)?")
# what the points buy, asked in the customer's own words: "积分能换点啥", "能换什么", "有什么可以兑换的", "能兑换哪些";
# "能换货吗", "这个能换吗" name no reward list
CATALOGUE_ASKED = re.compile(r"(?:(?:我的?)?(?:积分|这些分|分)?(?:现在|还|都)?(?:能|可以)(?:兑换|兑|换)(?:点|些)?"
                             r"(?:啥|什么|哪些)(?:东西|礼品|礼物|奖品)?|"
                             r"(?:积分)?有(?:什么|啥|哪些)(?:能|可以)?(?:兑换|换)的(?:东西|礼品)?|"
                             # "积分换啥", "积分兑换些什么"
                             r"(?:我的?)?积分(?:兑换|兑|换)(?:点|些)?(?:啥|什么|哪些)(?:东西|礼品|礼物|奖品)?)(?:不|没|吗)?")
# the cheapest reward open to the customer, asked for in words: "换个最便宜的", "要积分最少的那个"
CHEAPEST = re.compile(r"(?:那个|那)?(?:最便宜|最少积分|积分最少|最低|最低那档|最低一档)的?(?:那个|那款|那档)?")
THAT = re.compile(r"^(?:那个|这个|那款|这款|那份|这份|那)(?=..)")  # "换那个小样": the reward named after it
ORDINAL = re.compile(r"(?:第([1-9一二三四五六七八九])|([1-9]))(?:个|款|种|份|样)?")  # never "换一个": exchange one
_NUMBERS = "一二三四五六七八九"
# The balance asked in the customer's own words: "我现在有多少积分", "积分还有多少", "帮我查下积分", "我积了多少分".
BALANCE = re.compile(r"(我|我的|我现在|我还|现在|帮我|请)?(查|查查|查一下|查下|看看|看一下)?(我的?)?(现在|还)?(有|剩)?"
                     r"(多少|几)(个)?积分|(我的?)?积分(现在|还)?(有|剩|是)?(多少|几)(个|分)?|"
                     r"(帮我|请)?(查|查查|查一下|查下|看看|看一下)(我的?)?积分|"
                     # points said as 分 by someone who has them: "我现在有多少分", "我还剩几分"
                     r"我(现在|还|目前)?(有|剩)(多少|几)(个)?分|"
                     # whether there are any: "我有积分吗", "我现在有没有积分" (sandbox 2026-12-06: the points FAQ)
                     r"我(现在|目前)?(有没有|有)积分|"
                     # earned: "我积了多少分", "我现在攒了多少积分了"
                     r"(我)?(现在|目前|一共|总共)?(积|攒|存|赚)(了)?(多少|几)(个)?(积)?分(了)?")
# What a birthday brings, asked in the customer's own words: "生日有礼物吗", "过生日有什么福利", "会员生日有优惠吗"
# (sandbox 2026-12-06: a promise to ask a colleague, though the greeting is configured)
BIRTHDAY_PERK = re.compile(r"(?:会员|我)?(?:过)?生日(?:当天|那天|的时候)?(?:会)?"
                           r"(?:有|有没有|送|给|能领|可以领)(?:什么|啥|哪些)?(?:礼物|礼品|福利|优惠|惊喜|活动|好处|奖励|积分)(?:吗|嘛|么|不|没)?")
# How levels work, asked in the customer's own words: "怎么才能升级", "升到金柚要多少分", "有哪些等级", "等级怎么算的";
# "怎么成为会员" stays the knowledge base's (joining, not levels)
_NAMED = r"[^\s，,。？?]{1,6}"
LEVELS_ASKED = re.compile(rf"(?:我|那我)?(?:要|该|得)?(?:怎么|怎样|如何|咋)(?:样)?(?:才能|才可以|可以|能|才)?"
                          rf"(?:升级|升等级|升到?下一级|升到{_NAMED}|成为{_NAMED}会员|当上{_NAMED})|"
                          rf"(?:升级|升到?下一级|升到{_NAMED})(?:还)?(?:要|需要|得)(?:攒)?(?:多少|几)(?:个)?(?:积)?分|"
                          r"(?:会员)?等级(?:是)?(?:怎么|如何)(?:算|分|划分|升|定)(?:的)?|"
                          r"(?:你们)?(?:会员)?(?:有|都有)(?:哪些|什么|几个|几种)(?:会员)?等级|(?:会员)?等级(?:都)?有(?:哪些|几个|几种|什么)|"
                          r"(?:会员)?等级(?:都)?有(?:什么|啥)(?:区别|用|权益)")
# The customer's own level and what the next one needs, in their own words (sandbox trial, 2026-12-05: "我是啥等级"
# got a promise to ask a colleague, "我是什么会员啊" and "还差多少升级" the membership FAQ): answered as "我的积分".
# "我现在是金柚了吗" names a configured level (LEVEL_NAMED).
_LEVEL_WORD = r"(?:会员等级|会员级别|等级|级别|会员)"
LEVEL_MINE = re.compile(rf"(?:帮我|请)?(?:查|查查|查一下|查下|看看|看一下)?(?:我|我的)(?:现在|目前)?(?:的)?(?:会员)?"
                        r"(?:等级|级别)(?:现在)?(?:是|有)?(?:什么|啥|多少|几级|哪个|哪级)?|"
                        rf"我(?:现在|目前)?(?:是|算|属于)?(?:什么|啥|哪个|哪种|哪一级|哪级|几级|几星)(?:的)?{_LEVEL_WORD}|"
                        r"我(?:现在|目前)?(?:是|算)?几级(?:了|会员)?|"
                        rf"(?:我)?(?:现在)?(?:还|再)?(?:差|要|需要|得)(?:攒)?(?:多少|几)(?:个)?(?:积)?分?(?:才能|才可以|就能|就可以|可以|能)?"
                        rf"(?:升级|升一级|升到?下一级|升到?下个等级|升到?{_NAMED}|到{_NAMED})|"
                        rf"(?:离|距离)(?:下一级|下个等级|升级|{_NAMED})(?:还)?(?:差|要|需要|得)(?:攒)?(?:多少|几)(?:个)?(?:积)?分?|"
                        r"我(?:现在)?(?:升级|升级了)(?:了)?(?:吗|没|么|没有)")
LEVEL_NAMED = re.compile(rf"我(?:现在|已经)?(?:是不是|是|算|到|升到)(?:了)?({_NAMED}?)(?:会员)?了?(?:吗|没|么|没有)?")
# What a level brings, asked in the customer's own words: "会员有什么好处", "金柚有什么权益", "会员权益有哪些"
# (sandbox trial, 2026-12-05: a fragment of the membership FAQ). `who` must be a level's name, 会员 or 等级:
# "这个面霜有什么好处" is no level's.
RIGHTS_ASKED = re.compile(rf"(?P<who>{_NAMED})?(?:的)?(?:权益|好处|福利|特权)(?:都)?(?:有|是)?(?:什么|啥|哪些)|"
                          rf"(?P<whose>{_NAMED})(?:都)?有(?:什么|啥|哪些)(?:权益|好处|福利|特权|用)")
# "我是会员吗", "我是vip吗": where the customer stands
MEMBER_MINE = re.compile(r"我(?:现在|目前|已经)?(?:是|算)(?:不是)?(?:你们的?)?(?:会员|vip|VIP|老会员)(?:了)?"
                         r"(?:吗|么|嘛|没)?")
_PARTICLES = " \t。.!！?？~～呀啊呢哦吖嘛吧啦了"
_CLAUSES = re.compile(r"[\s，,、。？?！!～~]+")
CONFIRM, CANCEL = "确认兑换", "取消兑换"
# as `_settles` reads them: no leading "好的"/"算了", no trailing particles ("不兑换了" → "不兑换")
CONFIRMS = frozenset({CONFIRM, "确定兑换", "确认要兑换", "确定要兑换", "就兑换这个"})
CANCELS = frozenset({CANCEL, "不兑换", "先不兑换", "不要兑换", "还是不兑换", "不想兑换"})
_LEAD = re.compile(r"^(?:(?:好的|好滴|好|嗯嗯|嗯|行|可以|那|算了|ok|OK)[\s，,]*)+")  # "好的 确定兑换", "ok 那…"


def _text(event: KfMessageReceived) -> str:
    """What the readers match; 俺 is 我 in the north ("俺有多少积分")."""
    return heard(event.text.strip()).replace("俺", "我") if event.from_customer and event.msgtype == "text" else ""


def _asks_points(event: KfMessageReceived, ctx: Ctx) -> bool:
    text = _text(event)
    return bool(text) and (text == heard(ctx.settings.of(PointsConfig).query_keyword)
                           or any(BALANCE.fullmatch(form) is not None
                                  for form in (text.strip(_PARTICLES), _unled(text.strip(_PARTICLES))))
                           or _asks_own_level(text, ctx))


def _asks_own_level(text: str, ctx: Ctx) -> bool:
    """"我是什么会员", "还差多少升级", "我现在是金柚了吗": where the customer stands, while levels are configured."""
    config = ctx.settings.of(PointsConfig)
    said = _unled(text.strip(_PARTICLES))
    if not config.levels or not said:
        return False
    named = LEVEL_NAMED.fullmatch(said)
    return (LEVEL_MINE.fullmatch(said) is not None or MEMBER_MINE.fullmatch(said) is not None
            or (named is not None and config.level(named[1]) is not None))


def _asks_rights(said: str, config: PointsConfig) -> bool:
    match = RIGHTS_ASKED.fullmatch(said)
    if match is None:
        return False
    who = re.sub(r"(?:会员|等级|级)$", "", match["who"] or match["whose"] or "")
    return who in ("", "会员", "等级", "会员等级") or config.level(who) is not None


def _asks_rewards(event: KfMessageReceived, ctx: Ctx) -> bool:
    text = _text(event)
    said = text.strip(_PARTICLES)
    return _has_rewards(ctx) and bool(text) and (
        text in (heard(ctx.settings.of(PointsConfig).redeem_keyword), "兑换")
        or _catalogue(said) or _balance_and_catalogue(said))


def _catalogue(said: str) -> bool:
    """What the points buy, asked as it is or after a lead ("好的 能换啥")."""
    return any(CATALOGUE_ASKED.fullmatch(form) for form in (said, _unled(said)))


def _balance_and_catalogue(said: str) -> bool:
    """"我现在有多少积分 能换啥": the catalogue's answer tells the balance too, in one reply (the midnight sandbox of
    2026-12-05: the points FAQ, then the balance, two messages and neither the rewards)."""
    clauses = [c.strip(_PARTICLES) for c in _CLAUSES.split(said)]
    clauses = [c for c in clauses if c]
    return (len(clauses) > 1 and any(_catalogue(c) for c in clauses)
            and all(_catalogue(c) or BALANCE.fullmatch(_unled(c)) for c in clauses))


def _unled(text: str) -> str:
    """Without a leading "好的", "那", "算了": "那换个最便宜的吧" is asked as "换个最便宜的"."""
    return _LEAD.sub("", text).strip(_PARTICLES)


def _asks_levels(event: KfMessageReceived, ctx: Ctx) -> bool:
    said = _text(event).strip(_PARTICLES)
    config = ctx.settings.of(PointsConfig)
    return bool(config.levels) and bool(said) and any(
        LEVELS_ASKED.fullmatch(form.strip(_PARTICLES)) or _asks_rights(form.strip(_PARTICLES), config)
        for form in (said, _unled(said)))


def _has_rewards(ctx: Ctx) -> bool:
    return bool(ctx.settings.of(PointsConfig).rewards)


def _redeems(event: KfMessageReceived, ctx: Ctx) -> bool:
    text = _text(event)
    return _has_rewards(ctx) and not asks_redemptions(text, _reward_names(ctx)) and (
        REDEEM.fullmatch(text) is not None or wanted(text, ctx) is not None)


def _asks_expiry(event: KfMessageReceived, ctx: Ctx) -> bool:
    return asks_expiry(_text(event))


def _asks_history(event: KfMessageReceived, ctx: Ctx) -> bool:
    return asks_history(_text(event))


def _asks_redemptions(event: KfMessageReceived, ctx: Ctx) -> bool:
    return _has_rewards(ctx) and asks_redemptions(_text(event), _reward_names(ctx))


def _reward_names(ctx: Ctx) -> list[str]:
    return [r.name for r in ctx.settings.of(PointsConfig).rewards]


def ordinal(text: str) -> int | None:
    """"第一个", "第2个", "1": the 0-based place in a list; None when it is no ordinal."""
    match = ORDINAL.fullmatch(text)
    if match is None:
        return None
    digit = match[1] or match[2]
    return int(digit) - 1 if digit.isdigit() else _NUMBERS.index(digit)


def wanted(text: str, ctx: Ctx) -> str | int | None:
    """The reward a message in the customer's own words asks for: a configured reward's name (a part of it
    is enough), a place in the catalogue ("第一个"), or CHEAPEST_PLACE ("换个最便宜的"); None when it asks for
    none ("我想换个颜色")."""
    match = IN_WORDS.fullmatch(_unled(text.strip(_PARTICLES)))
    if match is None:
        return None
    what = THAT.sub("", match[1].strip(_PARTICLES))
    place = ordinal(what)
    if place is not None:
        return place
    if CHEAPEST.fullmatch(what):
        return CHEAPEST_PLACE
    names = [r.name for r in ctx.settings.of(PointsConfig).rewards]
    return what if len(what) >= 2 and any(what in name or name in what for name in names) else None


def _answers_redemption(event: KfMessageReceived, ctx: Ctx) -> bool:
    return _settles(_text(event)) is not None and _has_rewards(ctx)


def _settles(text: str) -> str | None:
    said = _LEAD.sub("", re.sub(r"[\s，,。.!！~～]", "", text)).strip(_PARTICLES)
    return CONFIRM if said in CONFIRMS else CANCEL if said in CANCELS else None


def _tells_birthday(event: KfMessageReceived, ctx: Ctx) -> bool:
    return parse_birthday(_text(event)) is not None


def _asks_birthday_perk(event: KfMessageReceived, ctx: Ctx) -> bool:
    said = _unled(_text(event).strip(_PARTICLES))
    return ctx.settings.of(PointsConfig).birthday_greeting and bool(said) and BIRTHDAY_PERK.fullmatch(said) is not None


@router.on(KfMessageReceived, when=_asks_points)
async def tell_points(event: KfMessageReceived, ctx: Ctx) -> None:
    """Balance, level, rights and what the next level needs."""
    assert ctx.customer is not None
    await reply_all(ctx, [balance_say(await standing(ctx, ctx.customer)), *await birthday_question(ctx, ctx.customer)])


@router.on(KfMessageReceived, when=_asks_levels)
async def tell_levels(event: KfMessageReceived, ctx: Ctx) -> None:
    """How levels work, from the configured levels, and where the customer stands (sandbox trial, 2026-12-05:
    "怎么才能升级" right after the balance got a promise to ask a colleague)."""
    assert ctx.customer is not None
    await reply_all(ctx, [levels_say(ctx.settings, await standing(ctx, ctx.customer))])


async def _tell(ctx: Ctx, answer: Callable[[Ctx, Customer], Awaitable[Say]]) -> None:
    assert ctx.customer is not None
    await reply_all(ctx, [await answer(ctx, ctx.customer)])


@router.on(KfMessageReceived, when=_asks_expiry)
async def tell_expiry(event: KfMessageReceived, ctx: Ctx) -> None:
    """"积分会过期吗": the rule and when the customer's own oldest points lapse."""
    await _tell(ctx, expiry_say)


@router.on(KfMessageReceived, when=_asks_history)
async def tell_history(event: KfMessageReceived, ctx: Ctx) -> None:
    """"我的积分怎么少了": the balance and the latest changes."""
    await _tell(ctx, history_say)


@router.on(KfMessageReceived, when=_asks_redemptions)
async def tell_redemptions(event: KfMessageReceived, ctx: Ctx) -> None:
    """"兑换的东西什么时候寄": the latest redemption, waiting to be shipped or shipped."""
    await _tell(ctx, redemptions_say)


@router.on(KfMessageReceived, when=_asks_rewards)
async def list_rewards(event: KfMessageReceived, ctx: Ctx) -> None:
    """What the customer's points can buy now."""
    assert ctx.customer is not None
    await reply_all(ctx, [await catalogue_say(ctx, ctx.customer)])


@router.on(KfMessageReceived, when=_redeems)
async def ask_to_confirm(event: KfMessageReceived, ctx: Ctx) -> None:
    """"兑换 <名称>" or the customer's own words for it: checked, then a confirmation is asked for; nothing is
    taken yet. A place in the list ("换第一个") is the catalogue as "积分兑换" shows it to this customer."""
    assert ctx.customer is not None
    text = _text(event)
    match = REDEEM.fullmatch(text)
    what = wanted(text, ctx) if match is None or ordinal(match[1].strip(_PARTICLES)) is not None else match[1]
    assert what is not None
    name = await listed(ctx, ctx.customer, what) if isinstance(what, int) else what
    await reply_all(ctx, [await ask_to_redeem(ctx, ctx.customer, name, event.open_kfid)])


@router.on(KfMessageReceived, when=_answers_redemption)
async def confirm_or_cancel(event: KfMessageReceived, ctx: Ctx) -> None:
    assert ctx.customer is not None
    if _settles(_text(event)) == CONFIRM:
        await reply_all(ctx, [await confirm_redemption(ctx, ctx.customer)])
    else:
        await reply_all(ctx, [await cancel_redemption(ctx, ctx.customer)])


@router.on(KfMessageReceived, when=_asks_birthday_perk)
async def tell_birthday_perk(event: KfMessageReceived, ctx: Ctx) -> None:
    """"生日有礼物吗": the greeting the birthday brings, and the birthday asked when unknown (kept: said back)."""
    assert ctx.customer is not None
    await reply_all(ctx, [await birthday_perk(ctx, ctx.customer)])


@router.on(KfMessageReceived, when=_tells_birthday)
async def remember_birthday(event: KfMessageReceived, ctx: Ctx) -> None:
    """"我的生日是3月5日": kept for the birthday greeting (kept too while none is configured, as an order's is)."""
    assert ctx.customer is not None
    await reply_all(ctx, [await birthday_said(ctx, ctx.customer, _text(event))])
