""""退订"/"TD" stops marketing pushes (never service replies); "订阅" turns them back on, and from a
customer who never opted out gets a friendly "you already are"; an opted-out customer saying which pushes they
meant is told they are off. This route runs before every other
handler, so the words are never taken for a question."""

from __future__ import annotations

import re

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.escalation.rules import is_question
from handlers.services import Ctx
from persona.heard import heard

router = Router("antispam")

# The keyword alone, or said in a customer's own words ("我要退订", "别再给我发这些推送了", "以后别发消息给我",
# "不想收到你们的消息了"), as a whole clause of the message ("你们天天发活动消息好烦，别给我推了", "能不能别老给我
# 发广告了 烦死了", in 湘/川 words "莫再给我发那些活动咯": a complaint that asks to stop is an opt-out, not only an
# apology). Shipping words stay out ("别发货了" is about an order), so do shopping wishes ("别给我推荐太贵的": 推荐
# is no push), and so do questions ("怎么退订？": no clause is only the wish).
OPT_OUT = re.compile(
    r"(?:(?:我要|我想|帮我|请|麻烦|那就|那|我)?(?:退订|取消订阅|TD|td|Td)(?:吧|了|一下|啦|谢谢)?"
    r"|(?:你们)?(?:能不能|可不可以|能|可以|求求你们?|求你们?)?(?:请|麻烦)?(?:以后|今后)?(?:活动|消息|广告|这些|这种)?"
    r"(?:都|就|也)?(?:不要|别|不用|莫)再?(?:老是?|总是?|一直|天天|每天)?(?:给我)?(?:发|推|推送)"
    r"(?:(?:这些|这种|这类|那些)?(?:消息|广告|推送|营销|活动|活动消息|通知)(?:了|啦|咯)?|(?:这些|这种|那些)(?:了|啦|咯)?"
    r"|了|啦|咯|(?<=推送))"
    r"(?:哈|哦|吧|呀)?"
    r"(?:吗|嘛|么|好吗|好不好|行吗|行不行|可以吗)?"
    r"|(?:你们)?(?:请|麻烦)?(?:以后|今后)?(?:都|就|也)?(?:不要|别|不用)再?(?:发|推|推送)(?:消息|广告|推送|活动消息|活动|通知)?"
    r"给我(?:了|啦)?(?:哈|哦|吧|呀)?"
    r"|(?:帮我|请|麻烦)?(?:取消|关掉|关闭|停掉)(?:推送|营销消息|活动消息|广告|消息推送)(?:吧|了|一下|谢谢)?"
    r"|我?(?:不想|不要|不愿意)再?(?:收到|接收|看到|收)(?:你们的?)?(?:推送|广告|营销消息|营销|活动消息|消息)(?:了|啦)?"
    r")")
OPT_IN = re.compile(r"(?:算了|那|那就)?(?:还是|我要|帮我|重新)?(?:订阅|恢复订阅)(?:吧|一下|回来)?")
# ... and, from a customer who opted out, turning it back on in other words
BACK_ON = re.compile(r"(?:算了|那|那就)?(?:还是|我要|帮我|重新)?(?:给我)?(?:打开|开启|恢复|开回来|重新订阅)"
                     r"(?:推送|消息)?(?:吧|一下|回来)?"
                     r"|(?:算了|那|那就)?还是(?:给我)?(?:发|推|推送)(?:给我)?吧"
                     r"|(?:以后)?有(?:活动|优惠|新品)(?:的时候|的话)?(?:还是)?(?:再)?(?:告诉|通知|发给|叫)我(?:吧|哦|一声|一下)?")
# From a customer who opted out, which pushes they meant: "我说的是那种优惠推送", "就是那些活动消息", "对 广告那些":
# the opt-out confirmed, never a push's content (the coupon answer) in reply. Only said as what they meant: "在抖音
# 看到你们的广告 想买面霜" is a wish to buy, and a question ("推送怎么关的？") is neither.
PUSHES = re.compile(r"推送|广告|活动消息|活动通知|营销|群发|优惠信息|优惠消息|促销消息|福利消息")
MEANT = re.compile(r"^(?:对|嗯|嗯嗯|是的|对的|不是)?[，, ]*(?:(?:(?:我)?(?:是)?(?:说|指|讲)的(?:是)?|我是说|就是|是)"
                   r"|(?:那种|那些|这些|这种)?(?:优惠|活动|营销|促销|福利)?(?:推送|广告|消息|信息|通知)(?:那些|之类的|这种|啥的)?"
                   r"[啊呀哈哦吧]?$)")
# Whether the pushes still come, asked: "我还能收到活动消息吗", "以后还会收到推送吗", "我退订成功了吗", "推送关掉了没":
# answered with the customer's state (opted out or not), never a push's content.
STILL_COMING = re.compile(
    r"(?:我)?(?:现在|以后|之后|今后)?(?:还|还会|还能|会不会|还会不会|能不能|还能不能|是不是还)(?:收到|接到|收)(?:你们的?)?"
    r"(?:活动|优惠|营销|促销|福利)?(?:推送|广告|消息|通知|信息|活动消息)(?:吗|嘛|么|不|没|没有)?"
    r"|(?:我)?(?:已经)?(?:退订|取消订阅|关掉|关闭|关)(?:成功|好)?了(?:吗|没|没有|嘛)"
    r"|(?:推送|广告|活动消息|消息推送)(?:已经)?(?:关|关掉|关闭|退订|取消)(?:成功|好)?了(?:吗|没|没有|嘛)")
# Whether they may still ask us things, asked (after an opt-out, or anytime): "那我有问题还能来问吗",
# "退订了还能找你吗", "以后还能咨询吗" — yes, always (the sandbox of 2026-12-05 promised to ask a colleague).
STILL_ASK = re.compile(
    r"(?:那|那么)?(?:我)?(?:退订了|关了|取消了)?(?:以后|之后|今后)?(?:有(?:问题|事|事情|需要)(?:的话|的时候)?)?"
    r"(?:还|也|还是)(?:能|可以)(?:来)?(?:问|问你|问你们|找你|找你们|咨询|聊天|聊)(?:个问题|问题)?(?:吗|嘛|么|不|没|吧)?")
_CLAUSE = re.compile(r"[，,。.！!？?~～…\s]+")


def _said(pattern: re.Pattern[str], text: str) -> bool:
    """One clause of the message, as heard ("退訂"), is the wish itself (the other clauses may say why)."""
    return any(pattern.fullmatch(clause) for clause in _CLAUSE.split(heard(text)) if clause)


def _opts_out(event: KfMessageReceived, ctx: Ctx) -> bool:
    return event.from_customer and ctx.customer is not None and _said(OPT_OUT, event.text)


def _opts_back_in(event: KfMessageReceived, ctx: Ctx) -> bool:
    return (event.from_customer and ctx.customer is not None and ctx.customer.opted_out
            and (_said(OPT_IN, event.text) or _said(BACK_ON, event.text)))


def _already_in(event: KfMessageReceived, ctx: Ctx) -> bool:
    return (event.from_customer and ctx.customer is not None and not ctx.customer.opted_out
            and _said(OPT_IN, event.text))


def _names_the_pushes(event: KfMessageReceived, ctx: Ctx) -> bool:
    return (event.from_customer and ctx.customer is not None and ctx.customer.opted_out
            and PUSHES.search(said := heard(event.text).strip()) is not None and MEANT.search(said) is not None
            and not is_question(event.text))


def _asks_if_still_coming(event: KfMessageReceived, ctx: Ctx) -> bool:
    return event.from_customer and ctx.customer is not None and _said(STILL_COMING, event.text)


def _asks_if_still_welcome(event: KfMessageReceived, ctx: Ctx) -> bool:
    return event.from_customer and ctx.customer is not None and _said(STILL_ASK, event.text)


@router.on(when=_opts_out)
async def opt_out(event: KfMessageReceived, ctx: Ctx) -> None:
    assert ctx.customer is not None
    ctx.customer.opted_out = True
    ctx.repos.audit.record(actor=f"customer:{ctx.customer.id}", action="opt_out",
                           target=ctx.customer.external_userid, now=ctx.clock.now())
    await ctx.say("reply.opt_out", name=ctx.customer.name)


@router.on(when=_opts_back_in)
async def opt_in(event: KfMessageReceived, ctx: Ctx) -> None:
    assert ctx.customer is not None
    ctx.customer.opted_out = False
    ctx.repos.audit.record(actor=f"customer:{ctx.customer.id}", action="opt_in",
                           target=ctx.customer.external_userid, now=ctx.clock.now())
    await ctx.say("reply.opt_in", name=ctx.customer.name)


@router.on(when=_already_in)
async def already_subscribed(event: KfMessageReceived, ctx: Ctx) -> None:
    assert ctx.customer is not None
    await ctx.say("reply.already_subscribed", name=ctx.customer.name)


@router.on(when=_names_the_pushes)
async def still_opted_out(event: KfMessageReceived, ctx: Ctx) -> None:
    assert ctx.customer is not None
    await ctx.say("reply.opted_out_already", name=ctx.customer.name)


@router.on(when=_asks_if_still_coming)
async def tell_whether_pushes_come(event: KfMessageReceived, ctx: Ctx) -> None:
    """"我还能收到活动消息吗": off for one who opted out, on (and how to stop them) for the others."""
    assert ctx.customer is not None
    key = "reply.opted_out_already" if ctx.customer.opted_out else "reply.already_subscribed"
    await ctx.say(key, name=ctx.customer.name)


@router.on(when=_asks_if_still_welcome)
async def still_here(event: KfMessageReceived, ctx: Ctx) -> None:
    """"那我有问题还能来问吗": yes; an opt-out stops pushes, never answers."""
    assert ctx.customer is not None
    await ctx.say("reply.still_here", name=ctx.customer.name)
