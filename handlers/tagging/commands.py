"""Staff commands /tag and /untag (local tags, mirrored to WeCom corp tags by the tag mirror, as
rule tags are); the console's customer page uses the same functions."""

from __future__ import annotations

from typing import Sequence

from bot.commands import Command
from bot.errors import CommandError
from handlers.customers.commands import CustomerArgs, audit_customer, who
from handlers.services import Ctx
from handlers.staff.lookup import find_customer, find_tag, unknown_tag
from handlers.staff.parsing import expect
from handlers.tagging.service import mirror_tags
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
        if word in ("+", "＋"):  # "/tag 小美 +" or "+ 复购客户": the name is what is missing
            raise CommandError("「+」后面要紧跟新标签的名称，例如 +复购客户（中间不要空格）。")
        if word.startswith("+") and len(word) > 1:
            wanted.append((word[1:], await find_tag(ctx, word[1:])))
        else:
            tag = await find_tag(ctx, word)
            if tag is None:
                raise await unknown_tag(ctx, word)
            wanted.append((word, tag))
    added: list[Tag] = []
    had: list[str] = []
    for name, tag in wanted:
        if tag is None:
            tag = await ctx.repos.tags.ensure(STAFF_TAG_GROUP, name, now=now)
        if await ctx.repos.tags.attach(customer.id, tag, source=source, now=now):
            added.append(tag)
        else:
            had.append(tag.name)
    mirror_tags(ctx, customer, added=added)  # the WeCom client shows them too, as rule tags do
    names = [t.name for t in added]
    audit_customer(ctx, "customer.tag", customer, added=names)
    if not added:
        return f"{who(customer)} 本来就有这些标签（{'、'.join(had)}）"
    reply = f"已给 {who(customer)} 打上：{'、'.join(names)}"
    return reply + (f"（原本已有：{'、'.join(had)}）" if had else "")


async def run_untag(ctx: Ctx, args: CustomerArgs) -> str:
    return await untag_customer(ctx, await find_customer(ctx, args.customer), args.rest)


async def untag_customer(ctx: Ctx, customer: Customer, words: Sequence[str]) -> str:
    """Take tags off a customer, mirrored to WeCom (/untag and the console)."""
    current = {t.id: t for t in await ctx.repos.tags.of_customer(customer.id)}
    remove: list[Tag] = []
    for word in words:
        tag = await find_tag(ctx, word)
        if tag is None or tag.id not in current:  # what they have, not how to create a tag
            names = "、".join(t.name for t in current.values()) or "无"
            raise CommandError(f"{who(customer)} 没有标签「{tag.name if tag else word}」（现有：{names}）。")
        remove.append(tag)
    for tag in remove:
        await ctx.repos.tags.detach(customer.id, tag)
    mirror_tags(ctx, customer, removed=remove)
    audit_customer(ctx, "customer.untag", customer, removed=[t.name for t in remove])
    return f"已去掉 {who(customer)} 的标签：{'、'.join(t.name for t in remove)}"


# The console's customer page acts with these commands' roles (an advisor: for the customers they serve).
TAG = Command("/tag", "advisor", "/tag <客户> <标签...>", "给客户打标签（+新标签 表示新建）", parse_tags, run_tag,
              order=30)
UNTAG = Command("/untag", "advisor", "/untag <客户> <标签...>", "去掉客户的标签", parse_tags, run_untag, order=40)
COMMANDS = (TAG, UNTAG)
