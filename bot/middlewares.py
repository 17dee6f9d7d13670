"""Middlewares every event passes: who is it (customer upsert / staff lookup) and a record of
what came in, before any feature sees it."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.dispatcher import Next
from bot.wecom.events import AppMessageReceived, ContactEvent, Event, KfEntry, KfMessageReceived
from storage.models import Message


async def identify(event: Event, ctx: Context[Any], nxt: Next) -> None:
    """Attach the customer (created on first sight) or the staff member to the context."""
    now = ctx.clock.now()
    if isinstance(event, KfEntry) and event.external_userid:
        customer = await ctx.repos.customers.upsert(event.external_userid, now=now)
        ctx = ctx.with_(customer=customer)
    elif isinstance(event, ContactEvent):
        customer = await ctx.repos.customers.upsert(event.external_userid, now=now, owner_userid=event.userid)
        ctx = ctx.with_(customer=customer)
    elif isinstance(event, AppMessageReceived):
        staff = await ctx.repos.staff.find(event.from_user)
        ctx = ctx.with_(staff=staff if staff is not None and staff.active else None)  # removed from [staff]
    await nxt(event, ctx)


async def record_inbound(event: Event, ctx: Context[Any], nxt: Next) -> None:
    """Keep every inbound chat message (text only) for history and digests."""
    now = ctx.clock.now()
    if isinstance(event, KfMessageReceived) and ctx.customer is not None:
        if event.from_customer:
            ctx.customer.last_inbound_at = now
        ctx.repos.messages.add(Message(direction="in", channel="kf", customer_id=ctx.customer.id,
                                       staff_userid=event.servicer_userid, kind="chat",
                                       text=event.text or f"[{event.msgtype}]", template_key="",
                                       external_msgid=event.msgid, created_at=now))
    elif isinstance(event, AppMessageReceived):
        ctx.repos.messages.add(Message(direction="in", channel="app", customer_id=None, staff_userid=event.from_user,
                                       kind="chat", text=event.content or f"[{event.msg_type}]", template_key="",
                                       external_msgid=event.msg_id, created_at=now))
    await nxt(event, ctx)


DEFAULT_MIDDLEWARES = (identify, record_inbound)
