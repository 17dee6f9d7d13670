""""退订"/"TD" stops marketing pushes (never service replies); "订阅" turns them back on, and from a
customer who never opted out gets a friendly "you already are". This route runs before every other
handler, so the words are never taken for a question."""

from __future__ import annotations

import re

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.services import Ctx

router = Router("antispam")

OPT_OUT = re.compile(r"^\s*(退订|TD|td|Td|取消订阅)\s*$")
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
