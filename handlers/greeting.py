"""Greeting new friends in the persona's voice, inside WeCom's 20-second welcome window."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import utc
from bot.context import Context
from bot.dispatcher import Router
from bot.outbox import WELCOME_TTL
from bot.wecom.events import FriendAdded, KfSessionEntered

router = Router("greeting")

# Leave room for the delivery round trip: a call that starts at 19.9 s arrives too late.
SAFETY = timedelta(seconds=1)


def welcome_deadline(ctx: Context, create_time: int) -> datetime:
    """The code lives 20 s from the event; trust WeCom's CreateTime unless our clocks disagree."""
    received = ctx.received_at or ctx.clock.now()
    created = utc(create_time) if create_time else received
    start = created if abs((received - created).total_seconds()) < 60 else received
    return min(start, received) + WELCOME_TTL - SAFETY


@router.on(FriendAdded)
async def greet_new_friend(event: FriendAdded, ctx: Context) -> None:
    """Welcome a new contact, tailored to the contact way's State; no code, no call."""
    customer = ctx.customer
    assert customer is not None
    if event.state and not customer.channel:
        customer.channel = event.state
    if not event.welcome_code:
        ctx.repos.audit.record(actor="system", action="welcome_skipped", target=event.external_userid,
                               detail={"reason": "no welcome_code", "state": event.state}, now=ctx.clock.now())
        return
    last = await ctx.repos.messages.last_variant(customer.id, "greeting.new_friend")
    rendered = ctx.render("greeting.new_friend", last_variant=last, name=customer.name, staff=event.userid,
                          channel=event.state)
    ctx.outbox.send_welcome(event.welcome_code, rendered.text, customer=customer,
                            deadline=welcome_deadline(ctx, event.create_time),
                            template_key=f"greeting.new_friend#{rendered.variant}")


@router.on(KfSessionEntered)
async def greet_kf_visitor(event: KfSessionEntered, ctx: Context) -> None:
    """A customer opened the kf chat; WeCom hands a welcome_code only when a welcome is allowed."""
    customer = ctx.customer
    assert customer is not None
    if event.scene and not customer.channel:
        customer.channel = event.scene
    if not event.welcome_code:
        return
    last = await ctx.repos.messages.last_variant(customer.id, "greeting.kf_welcome")
    rendered = ctx.render("greeting.kf_welcome", last_variant=last, name=customer.name, scene=event.scene)
    ctx.outbox.kf_send_on_event(event.welcome_code, rendered.text, customer=customer,
                                deadline=welcome_deadline(ctx, event.create_time),
                                template_key=f"greeting.kf_welcome#{rendered.variant}")
