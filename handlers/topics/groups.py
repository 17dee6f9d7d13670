"""Interest groups and the WeCom customer groups behind them.

WeCom tells us a group exists (change_external_chat) but not its name or owner; those come
from groupchat/get, and groups we never heard about come from groupchat/list (a nightly job).
Both answers are applied by follow-ups. A chat joins an interest group explicitly (config
`chats`, staff) or when its name contains the group's `chat_name_contains`.
"""

from __future__ import annotations

from datetime import timedelta

from bot.errors import CommandError
from handlers.services import Ctx
from storage.models import CustomerGroup, InterestChat, InterestGroup, OutboxItem
from storage.repos import InterestRepo

GROUP_DETAIL_DELAY = timedelta(seconds=3)


async def add_interest_group(ctx: Ctx, key: str, name: str, *, tag: str = "", chat_name_contains: str = "",
                             actor: str) -> InterestGroup:
    """Create an interest group (or update its name/tag/pattern)."""
    key = key.strip()
    if not key or len(key) > 32:
        raise CommandError("兴趣群标识需为 1-32 个字符，例如 skincare")
    repo = InterestRepo(ctx.session)
    group = await repo.find(key)
    if group is None:
        group = InterestGroup(key=key, name=name, tag=tag, chat_name_contains=chat_name_contains, status="active",
                              source=f"staff:{actor}", created_at=ctx.clock.now())
        ctx.session.add(group)
        await ctx.session.flush()
    else:
        group.name, group.tag, group.chat_name_contains = name, tag, chat_name_contains
    ctx.repos.audit.record(actor=actor, action="interest_group_saved", target=key, now=ctx.clock.now())
    await link_matching_chats(ctx, group)
    return group


async def interest_group(ctx: Ctx, key: str) -> InterestGroup:
    group = await InterestRepo(ctx.session).find(key)
    if group is None:
        keys = ", ".join(g.key for g in await InterestRepo(ctx.session).all()) or "（还没有）"
        raise CommandError(f"没有兴趣群 {key}；现有：{keys}")
    return group


async def link_chat(ctx: Ctx, group_key: str, chat_id: str, *, actor: str) -> InterestChat:
    """Put a customer group into an interest group and ask WeCom for its name and owner."""
    group = await interest_group(ctx, group_key)
    repo = InterestRepo(ctx.session)
    existing = await repo.link_of(chat_id)
    if existing is not None and existing.interest_group_id != group.id:
        raise CommandError(f"群 {chat_id} 已属于另一个兴趣群")
    link = await repo.link(group, chat_id, by=f"staff:{actor}", now=ctx.clock.now())
    chat = await ctx.repos.groups.find(chat_id)
    if chat is None or not chat.owner_userid:
        ctx.outbox.groupchat_get(chat_id)
    ctx.repos.audit.record(actor=actor, action="interest_chat_linked", target=chat_id,
                           detail={"group": group_key}, now=ctx.clock.now())
    return link


async def list_interest_groups(ctx: Ctx) -> list[tuple[InterestGroup, list[CustomerGroup | None]]]:
    repo = InterestRepo(ctx.session)
    return [(g, [chat for _, chat in await repo.chats(g.id)]) for g in await repo.all()]


async def link_matching_chats(ctx: Ctx, group: InterestGroup) -> None:
    """Link every known customer group whose name contains the interest group's pattern."""
    if not group.chat_name_contains:
        return
    for chat in await InterestRepo(ctx.session).chats_named_like(group.chat_name_contains):
        await auto_link(ctx, chat)


async def auto_link(ctx: Ctx, chat: CustomerGroup) -> None:
    """Link a customer group to the first interest group whose pattern its name contains."""
    repo = InterestRepo(ctx.session)
    if not chat.name or await repo.link_of(chat.chat_id) is not None:
        return
    for group in await repo.all():
        if group.chat_name_contains and group.chat_name_contains in chat.name:
            await repo.link(group, chat.chat_id, by="name", now=ctx.clock.now())
            return


def learn_group(ctx: Ctx, chat_id: str) -> None:
    """Ask WeCom for a group's name, owner and members (applied by `apply_groupchat_get`).

    WeCom updates group details asynchronously after a change event; its doc suggests waiting a
    moment before groupchat/get (customer-contact.md §2), hence the short delay."""
    ctx.outbox.groupchat_get(chat_id, due_at=ctx.clock.now() + GROUP_DETAIL_DELAY)


# --- follow-ups ------------------------------------------------------------------------------


async def apply_groupchat_get(ctx: Ctx, item: OutboxItem) -> None:
    """Store name and owner from groupchat/get, then link the chat by name if it matches."""
    data = (item.result or {}).get("group_chat") or {}
    chat_id = str(data.get("chat_id") or item.payload.get("chat_id") or "")
    if not chat_id:
        return
    now = ctx.clock.now()
    chat = await ctx.repos.groups.upsert(chat_id, now=now)
    chat.name = str(data.get("name") or chat.name)
    chat.owner_userid = str(data.get("owner") or chat.owner_userid)
    chat.member_version = str(data.get("member_version") or chat.member_version)
    present = await InterestRepo(ctx.session).active_members(chat.id)
    for member in data.get("member_list") or []:  # members who joined before we were listening
        userid = str(member.get("userid") or "")
        if member.get("type") == 2 and userid and userid not in present:
            # groupchat/get numbers join_scene 1/2/3, callbacks 0/3: keep only callback numbering
            await ctx.repos.groups.join(chat, userid, scene=None, now=now)
    await auto_link(ctx, chat)


async def apply_groupchat_list(ctx: Ctx, item: OutboxItem) -> None:
    """Ask for details of groups we do not know yet, and for the next page."""
    result = item.result or {}
    for entry in result.get("group_chat_list") or []:
        chat_id = str(entry.get("chat_id") or "")
        known = await ctx.repos.groups.find(chat_id) if chat_id else None
        if chat_id and (known is None or not known.owner_userid or not known.name):
            ctx.outbox.groupchat_get(chat_id)
    if result.get("next_cursor"):
        ctx.outbox.groupchat_list(cursor=str(result["next_cursor"]))
