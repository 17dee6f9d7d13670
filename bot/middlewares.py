"""Middlewares every event passes: who is it (customer upsert / staff lookup) and a record of
what came in, before any feature sees it."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.dispatcher import Next
from bot.wecom.events import AppMessageReceived, ContactEvent, Event, FriendAdded, KfEntry, KfMessageReceived
from storage.models import Message
from storage.newrows import new_row


def customer_of(event: Event) -> tuple[str, dict[str, Any]] | None:
    """The customer `identify` upserts for this event: their external_userid and the fields a new
    row gets; None for events of no customer. The inbox reads them for a whole batch at once."""
    if isinstance(event, KfEntry) and event.external_userid:
        return event.external_userid, {}
    if isinstance(event, ContactEvent):
        return event.external_userid, {"owner_userid": event.userid}
    return None


def likely_new(event: Event) -> bool:
    """Whether the event's customer is most likely seen for the first time (a new friend): the inbox
    then inserts a group's customers before reading the few that existed (`CustomerRepo.prefetch`)."""
    return isinstance(event, FriendAdded)


def reads_tags(event: Event) -> bool:
    """Whether the event's handling reads its customer's tags (the rule book runs over every kf text
    a customer writes): the inbox reads them for a group of such events at once."""
    return isinstance(event, KfMessageReceived) and event.from_customer and event.msgtype == "text"


def staff_of(event: Event) -> str:
    """The member an event names (who wrote to the app, whose contact changed); "" for none."""
    if isinstance(event, AppMessageReceived):
        return event.from_user
    return event.userid if isinstance(event, ContactEvent) else ""


async def identify(event: Event, ctx: Context[Any], nxt: Next) -> None:
    """Attach the customer (created on first sight) or the staff member to the context."""
    who = customer_of(event)
    if who is not None:
        customer = await ctx.repos.customers.upsert(who[0], now=ctx.clock.now(), **who[1])
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
        ctx.repos.messages.add(new_row(Message, direction="in", channel="kf", customer_id=ctx.customer.id,
                                       staff_userid=event.servicer_userid, kind="chat",
                                       text=event.text or f"[{event.msgtype}]", template_key="",
                                       external_msgid=event.msgid, created_at=now))
    elif isinstance(event, AppMessageReceived):
        ctx.repos.messages.add(new_row(Message, direction="in", channel="app", customer_id=None,
                                       staff_userid=event.from_user, kind="chat",
                                       text=event.content or f"[{event.msg_type}]", template_key="",
                                       external_msgid=event.msg_id, created_at=now))
    await nxt(event, ctx)


DEFAULT_MIDDLEWARES = (identify, record_inbound)
