""""退订"/"TD" stops marketing pushes (never service replies); "订阅" turns them back on, and from a
customer who never opted out gets a friendly "you already are". This route runs before every other
handler, so the words are never taken for a question."""

from __future__ import annotations

import re

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.services import Ctx

router = Router("antispam")

# The keyword alone, or said in a customer's own words ("我要退订", "别再给我发广告了", "不想收到推送了").
# Shipping words stay out ("别发货了" is about an order), and so do questions ("怎么退订？").
OPT_OUT = re.compile(
    r"^\s*(?:(?:我要|我想|帮我|请|麻烦|那就|那|我)?(?:退订|取消订阅|TD|td|Td)(?:吧|了|一下|啦|谢谢)?"
    r"|(?:请|麻烦)?(?:以后|今后)?(?:不要|别|不用)再?(?:给我)?(?:发|推|推送)(?:消息|广告|推送|营销|这些|这种)(?:了|啦)?"
    r"|我?(?:不想|不要|不愿意)再?(?:收到|接收|看到|收)(?:你们的?)?(?:推送|广告|营销消息|营销)(?:了|啦)?"
    r")[\s。.!！~～]*$")
OPT_IN = re.compile(r"^\s*(订阅|恢复订阅)\s*$")


def _opts_out(event: KfMessageReceived, ctx: Ctx) -> bool:
    return event.from_customer and ctx.customer is not None and OPT_OUT.match(event.text) is not None


def _opts_back_in(event: KfMessageReceived, ctx: Ctx) -> bool:
    return (event.from_customer and ctx.customer is not None and ctx.customer.opted_out
            and OPT_IN.match(event.text) is not None)


def _already_in(event: KfMessageReceived, ctx: Ctx) -> bool:
    return (event.from_customer and ctx.customer is not None and not ctx.customer.opted_out
            and OPT_IN.match(event.text) is not None)


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
