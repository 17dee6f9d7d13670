"""Greeting new friends in the persona's voice: contacts inside WeCom's 20-second welcome window,
kf visitors through send_msg_on_event, customer groups through the corp's group welcome library."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.clock import utc
from bot.dispatcher import Router
from bot.outbox import WELCOME_TTL, fit_bytes
from bot.wecom.events import FriendAdded, GroupUpdated, KfSessionEntered
from handlers.greeting.config import ChannelConfig
from handlers.services import Ctx
from handlers.tagging.service import apply_channel

router = Router("greeting")

# Leave room for the delivery round trip: a call that starts at 19.9 s arrives too late.
SAFETY = timedelta(seconds=1)
GROUP_NICKNAME = "%NICKNAME%"  # WeCom replaces it with the joiner's nickname (doc 92366)


def welcome_deadline(ctx: Ctx, create_time: int) -> datetime:
    """The code lives 20 s from the event; trust WeCom's CreateTime unless our clocks disagree."""
    received = ctx.received_at or ctx.clock.now()
    created = utc(create_time) if create_time else received
    start = created if abs((received - created).total_seconds()) < 60 else received
    return min(start, received) + WELCOME_TTL - SAFETY


def channel_attachments(channel: ChannelConfig | None) -> list[dict[str, Any]]:
    """The channel's link and mini-program cards, in the shapes of customer-contact.md §7."""
    if channel is None:
        return []
    out: list[dict[str, Any]] = []
    if channel.link_url:
        link = {"title": fit_bytes(channel.link_title, 128), "url": channel.link_url}
        if channel.link_desc:
            link["desc"] = fit_bytes(channel.link_desc, 512)
        if channel.link_picurl:
            link["picurl"] = channel.link_picurl
        out.append({"msgtype": "link", "link": link})
    if channel.miniprogram_appid:
        out.append({"msgtype": "miniprogram", "miniprogram": {
            "title": fit_bytes(channel.miniprogram_title, 64), "pic_media_id": channel.miniprogram_pic_media_id,
            "appid": channel.miniprogram_appid, "page": channel.miniprogram_page}})
    return out


@router.on(FriendAdded)
async def greet_new_friend(event: FriendAdded, ctx: Ctx) -> None:
    """Welcome a new contact as the contact way's channel says (text, cards, tags, advisor, stage).

    No welcome_code (the admin configured a welcome, or the customer already chatted) means no
    call: WeCom would refuse it, so it is recorded as skipped instead.
    """
    customer = ctx.customer
    assert customer is not None
    if customer.status == "lost":  # they came back, maybe to another member, who now owns the contact
        customer.status, customer.lost_at, customer.lost_by = "active", None, ""
        customer.owner_userid = event.userid
    await ctx.repos.customers.befriend(customer, event.userid, now=ctx.clock.now())
    if event.state and not customer.channel:
        customer.channel = event.state
    channel = ctx.settings.tables(ChannelConfig).get(event.state) if event.state else None
    await apply_channel(ctx, customer, event.state)
    if not event.welcome_code:
        ctx.repos.audit.record(actor="system", action="welcome_skipped", target=event.external_userid,
                               detail={"reason": "no welcome_code", "state": event.state}, now=ctx.clock.now())
        return
    staff = await ctx.repos.staff.find(event.userid)
    last = await ctx.repos.messages.last_variant(customer.id, "greeting.new_friend")
    overlay = (channel.welcome if channel is not None and channel.welcome else event.state)
    rendered = ctx.render("greeting.new_friend", last_variant=last, overlay=overlay, name=customer.name,
                          staff=staff.name if staff is not None and staff.name else event.userid, channel=event.state)
    ctx.outbox.send_welcome(event.welcome_code, rendered.text, customer=customer,
                            deadline=welcome_deadline(ctx, event.create_time),
                            attachments=channel_attachments(channel),
                            template_key=f"greeting.new_friend#{rendered.variant}")


@router.on(KfSessionEntered)
async def greet_kf_visitor(event: KfSessionEntered, ctx: Ctx) -> None:
    """A customer opened the kf chat; WeCom hands a welcome_code only when a welcome is allowed."""
    customer = ctx.customer
    assert customer is not None
    if event.scene and not customer.channel:
        customer.channel = event.scene
        await apply_channel(ctx, customer, event.scene)
    if not event.welcome_code:
        return
    last = await ctx.repos.messages.last_variant(customer.id, "greeting.kf_welcome")
    rendered = ctx.render("greeting.kf_welcome", last_variant=last, name=customer.name, scene=event.scene)
    ctx.outbox.kf_send_on_event(event.welcome_code, rendered.text, customer=customer,
                                deadline=welcome_deadline(ctx, event.create_time),
                                template_key=f"greeting.kf_welcome#{rendered.variant}")


def _members_joined(event: GroupUpdated, _: Ctx) -> bool:
    return event.update_detail == "add_member"


@router.on(GroupUpdated, when=_members_joined, block=False)
async def keep_group_welcome_ready(event: GroupUpdated, ctx: Ctx) -> None:
    """Make sure the persona's 入群欢迎语 is in the corp's group welcome library.

    The documented group path for greeting joiners is the group welcome template
    (customer-contact.md §12): WeCom itself shows it, with %NICKNAME% filled in, the moment
    someone joins a group whose owner applied it in the client. Proposing a mass message per
    join instead (add_msg_template chat_type group) would need a staff confirmation every time
    and spend the group's monthly mass-message quota on hellos. So each join only checks that
    the current text is in the library, adding it once (and again only if the persona's text
    changes); contacts.track_group records the membership itself.
    """
    text = ctx.persona.render("greeting.group_welcome", seed="group", nickname=GROUP_NICKNAME).text
    if fit_bytes(text, 3000) in await ctx.repos.group_welcomes.texts():
        return
    ctx.outbox.group_welcome_template(text)
    ctx.repos.audit.record(actor="system", action="group_welcome_template_added", target=event.chat_id,
                           now=ctx.clock.now())
