"""Contact and group bookkeeping: lost friends (for digests) and customer-group membership."""

from __future__ import annotations

from bot.dispatcher import Router
from bot.wecom.events import FriendLeft, FriendRemovedByStaff, GroupCreated, GroupDismissed, GroupUpdated
from handlers.services import Ctx

router = Router("contacts")


@router.on(FriendLeft, FriendRemovedByStaff)
async def mark_friend_lost(event: FriendLeft | FriendRemovedByStaff, ctx: Ctx) -> None:
    """Record who ended the relation and when; a transfer between staff is not a loss, nor is one
    member's friendship ending while another member's goes on (the customer stays theirs)."""
    customer = ctx.customer
    assert customer is not None
    if isinstance(event, FriendRemovedByStaff) and event.source == "DELETE_BY_TRANSFER":
        return
    still = await ctx.repos.customers.unfriend(customer, event.userid, now=ctx.clock.now())
    if still and customer.status != "lost":
        if customer.owner_userid not in still:  # tags are mirrored and promises kept through a friend
            customer.owner_userid = still[0]
        ctx.repos.audit.record(actor="customer" if isinstance(event, FriendLeft) else event.userid,
                               action="friend_member_left", target=customer.external_userid,
                               detail={"staff": event.userid, "kind": event.kind, "still": still},
                               now=ctx.clock.now())
        return
    customer.status = "lost"
    customer.lost_at = ctx.clock.now()
    customer.lost_by = "customer" if isinstance(event, FriendLeft) else event.userid
    ctx.repos.audit.record(actor=customer.lost_by, action="friend_lost", target=customer.external_userid,
                           detail={"staff": event.userid, "kind": event.kind}, now=ctx.clock.now())


@router.on(GroupCreated, GroupDismissed, GroupUpdated)
async def track_group(event: GroupCreated | GroupDismissed | GroupUpdated, ctx: Ctx) -> None:
    now = ctx.clock.now()
    group = await ctx.repos.groups.upsert(event.chat_id, now=now)
    if isinstance(event, GroupDismissed):
        group.status = "dismissed"
        return
    if not isinstance(event, GroupUpdated):
        return
    if event.cur_mem_ver:
        group.member_version = event.cur_mem_ver
    if event.update_detail == "add_member":
        for member in event.members:
            await ctx.repos.groups.join(group, member, scene=event.join_scene, now=now)
    elif event.update_detail == "del_member":
        for member in event.members:
            await ctx.repos.groups.leave(group, member, now=now)
