"""Staff commands /tag and /untag (local tags, mirrored to WeCom corp tags)."""

from __future__ import annotations

from typing import Sequence

from bot.commands import Command
from bot.errors import CommandError
from handlers.customers.commands import CustomerArgs, audit_customer, who
from handlers.services import Ctx
from handlers.staff.lookup import find_customer, find_tag, unknown_tag
from handlers.staff.parsing import expect
from handlers.tagging.config import TaggingConfig
from storage.models import Customer, Tag

STAFF_TAG_GROUP = "员工标签"  # where "/tag 客户 +新标签" creates a tag


def parse_tags(args: list[str]) -> CustomerArgs:
    expect(args, 2)
    return CustomerArgs(args[0], tuple(dict.fromkeys(args[1:])))


async def run_tag(ctx: Ctx, args: CustomerArgs) -> str:
    return await tag_customer(ctx, await find_customer(ctx, args.customer), args.rest)


async def tag_customer(ctx: Ctx, customer: Customer, words: Sequence[str]) -> str:
    """Give a customer tags ("名称", "组/名称", "+新标签"), mirrored to WeCom (/tag and the console)."""
    now, source = ctx.clock.now(), f"staff:{ctx.staff.userid if ctx.staff else ''}"
    wanted: list[tuple[str, Tag | None]] = []
    for word in words:  # check every tag before writing any
        if word.startswith("+") and len(word) > 1:
            wanted.append((word[1:], await find_tag(ctx, word[1:])))
        else:
            tag = await find_tag(ctx, word)
            if tag is None:
                raise await unknown_tag(ctx, word)
            wanted.append((word, tag))
    added, had, corp_ids = [], [], []
    mirror = ctx.settings.of(TaggingConfig).mirror and bool(customer.owner_userid)
    for name, tag in wanted:
        if tag is None:
            tag = await ctx.repos.tags.ensure(STAFF_TAG_GROUP, name, now=now)
        if await ctx.repos.tags.attach(customer.id, tag, source=source, now=now):
            added.append(tag.name)
            if tag.corp_tag_id:
                corp_ids.append(tag.corp_tag_id)
            elif mirror:  # not in WeCom yet: the mirror worker creates the corp tag once, then marks it
                ctx.repos.tag_sync.add("add", customer_id=customer.id, tag_id=tag.id, now=now)
        else:
            had.append(tag.name)
    if corp_ids and mirror:  # keep the WeCom client's tags in step with ours
        ctx.outbox.mark_tag(customer.owner_userid, customer, add=corp_ids)
    audit_customer(ctx, "customer.tag", customer, added=added)
    reply = f"已给 {who(customer)} 打上：{'、'.join(added)}" if added else f"{who(customer)} 本来就有这些标签"
    return reply + (f"（原本已有：{'、'.join(had)}）" if added and had else "")


async def run_untag(ctx: Ctx, args: CustomerArgs) -> str:
    return await untag_customer(ctx, await find_customer(ctx, args.customer), args.rest)


async def untag_customer(ctx: Ctx, customer: Customer, words: Sequence[str]) -> str:
    """Take tags off a customer, mirrored to WeCom (/untag and the console)."""
    current = {t.id: t for t in await ctx.repos.tags.of_customer(customer.id)}
    remove: list[Tag] = []
    for word in words:
        tag = await find_tag(ctx, word)
        if tag is None:
            raise await unknown_tag(ctx, word)
        if tag.id not in current:
            names = "、".join(t.name for t in current.values()) or "无"
            raise CommandError(f"{who(customer)} 没有标签「{tag.name}」（现有：{names}）。")
        remove.append(tag)
    for tag in remove:
        await ctx.repos.tags.detach(customer.id, tag)
    corp_ids = [t.corp_tag_id for t in remove if t.corp_tag_id]
    if corp_ids and customer.owner_userid:
        ctx.outbox.mark_tag(customer.owner_userid, customer, remove=corp_ids)
    audit_customer(ctx, "customer.untag", customer, removed=[t.name for t in remove])
    return f"已去掉 {who(customer)} 的标签：{'、'.join(t.name for t in remove)}"


# The console's customer page acts with these commands' roles (an advisor: for the customers they serve).
TAG = Command("/tag", "advisor", "/tag <客户> <标签...>", "给客户打标签（+新标签 表示新建）", parse_tags, run_tag,
              order=30)
UNTAG = Command("/untag", "advisor", "/untag <客户> <标签...>", "去掉客户的标签", parse_tags, run_untag, order=40)
COMMANDS = (TAG, UNTAG)
