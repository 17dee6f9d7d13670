"""Staff commands about one customer: /whois, /tag, /untag, /vip, /assign, /optout."""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import Context
from bot.errors import CommandError
from handlers.commands.lookup import describe, find_customer, find_staff, find_tag, unknown_tag
from handlers.commands.registry import expect, switch
from handlers.escalation.routing import local
from handlers.escalation.rules import is_vip
from storage.models import Customer, Tag

STAFF_TAG_GROUP = "员工标签"  # where "/tag 客户 +新标签" creates a tag


@dataclass(frozen=True, slots=True)
class CustomerArgs:
    customer: str
    rest: tuple[str, ...] = ()


def _audit(ctx: Context, action: str, customer: Customer, **detail: object) -> None:
    assert ctx.staff is not None
    ctx.repos.audit.record(actor=ctx.staff.userid, action=action, target=customer.external_userid, detail=detail,
                           now=ctx.clock.now())


def _who(customer: Customer) -> str:
    return customer.name or customer.remark or customer.external_userid


# --- /whois ---------------------------------------------------------------------------------------


def parse_whois(args: list[str]) -> CustomerArgs:
    return CustomerArgs(expect(args, 1, 1)[0])


async def run_whois(ctx: Context, args: CustomerArgs) -> str:
    c = await find_customer(ctx, args.customer)
    tags = [t.name for t in await ctx.repos.tags.of_customer(c.id)]
    vip = is_vip(c, tags, ctx.settings.escalation)
    advisor = await ctx.repos.staff.find(c.advisor_userid) if c.advisor_userid else None
    ticket = await ctx.repos.tickets.find_open(c.id)
    lines = [describe(c),
             f"VIP：{'是' if vip else '否'}" + (f" · 等级：{c.level}" if c.level else ""),
             f"专属顾问：{(advisor.name or advisor.userid) if advisor else c.advisor_userid or '未分配'}",
             f"标签：{'、'.join(tags) if tags else '无'}",
             f"来源渠道：{c.channel or '未知'} · 状态：{'已流失' if c.status == 'lost' else '正常'}"
             f" · 营销推送：{'已退订' if c.opted_out else '接收'}",
             f"首次接触：{local(ctx, c.first_seen_at):%Y-%m-%d}"
             + (f" · 最近消息：{local(ctx, c.last_inbound_at):%m-%d %H:%M}" if c.last_inbound_at else "")]
    if ticket is not None:
        lines.append(f"未结工单：#{ticket.id}（{'排队中' if ticket.status == 'queued' else ticket.advisor_userid}）")
    return "\n".join(lines)


# --- /tag and /untag ------------------------------------------------------------------------------


def parse_tags(args: list[str]) -> CustomerArgs:
    expect(args, 2)
    return CustomerArgs(args[0], tuple(dict.fromkeys(args[1:])))


async def run_tag(ctx: Context, args: CustomerArgs) -> str:
    customer = await find_customer(ctx, args.customer)
    now, source = ctx.clock.now(), f"staff:{ctx.staff.userid if ctx.staff else ''}"
    wanted: list[tuple[str, Tag | None]] = []
    for word in args.rest:  # check every tag before writing any
        if word.startswith("+") and len(word) > 1:
            wanted.append((word[1:], await find_tag(ctx, word[1:])))
        else:
            tag = await find_tag(ctx, word)
            if tag is None:
                raise await unknown_tag(ctx, word)
            wanted.append((word, tag))
    added, had, corp_ids = [], [], []
    for name, tag in wanted:
        if tag is None:
            tag = await ctx.repos.tags.ensure(STAFF_TAG_GROUP, name, now=now)
        if await ctx.repos.tags.attach(customer.id, tag, source=source, now=now):
            added.append(tag.name)
            if tag.corp_tag_id:
                corp_ids.append(tag.corp_tag_id)
        else:
            had.append(tag.name)
    if corp_ids and customer.owner_userid:  # keep the WeCom client's tags in step with ours
        ctx.outbox.mark_tag(customer.owner_userid, customer, add=corp_ids)
    _audit(ctx, "customer.tag", customer, added=added)
    reply = f"已给 {_who(customer)} 打上：{'、'.join(added)}" if added else f"{_who(customer)} 本来就有这些标签"
    return reply + (f"（原本已有：{'、'.join(had)}）" if added and had else "")


async def run_untag(ctx: Context, args: CustomerArgs) -> str:
    customer = await find_customer(ctx, args.customer)
    current = {t.id: t for t in await ctx.repos.tags.of_customer(customer.id)}
    remove: list[Tag] = []
    for word in args.rest:
        tag = await find_tag(ctx, word)
        if tag is None:
            raise await unknown_tag(ctx, word)
        if tag.id not in current:
            names = "、".join(t.name for t in current.values()) or "无"
            raise CommandError(f"{_who(customer)} 没有标签「{tag.name}」（现有：{names}）。")
        remove.append(tag)
    for tag in remove:
        await ctx.repos.tags.detach(customer.id, tag)
    corp_ids = [t.corp_tag_id for t in remove if t.corp_tag_id]
    if corp_ids and customer.owner_userid:
        ctx.outbox.mark_tag(customer.owner_userid, customer, remove=corp_ids)
    _audit(ctx, "customer.untag", customer, removed=[t.name for t in remove])
    return f"已去掉 {_who(customer)} 的标签：{'、'.join(t.name for t in remove)}"


# --- /vip, /assign, /optout -----------------------------------------------------------------------


def parse_vip(args: list[str]) -> CustomerArgs:
    customer, value = expect(args, 2, 2)
    switch(value)
    return CustomerArgs(customer, (value,))


async def run_vip(ctx: Context, args: CustomerArgs) -> str:
    customer = await find_customer(ctx, args.customer)
    customer.is_vip = switch(args.rest[0])
    _audit(ctx, "customer.vip", customer, vip=customer.is_vip)
    tags = [t.name for t in await ctx.repos.tags.of_customer(customer.id)]
    still = not customer.is_vip and is_vip(customer, tags, ctx.settings.escalation)
    state = "设为 VIP" if customer.is_vip else "取消 VIP"
    return f"已将 {_who(customer)} {state}" + ("（但仍因标签、等级或名单被视为 VIP）" if still else "")


def parse_assign(args: list[str]) -> CustomerArgs:
    customer, advisor = expect(args, 2, 2)
    return CustomerArgs(customer, (advisor,))


async def run_assign(ctx: Context, args: CustomerArgs) -> str:
    customer = await find_customer(ctx, args.customer)
    advisor = await find_staff(ctx, args.rest[0])
    previous = customer.advisor_userid
    customer.advisor_userid = advisor.userid
    _audit(ctx, "customer.assign", customer, advisor=advisor.userid, previous=previous)
    return f"已将 {_who(customer)} 的专属顾问设为 {advisor.name or advisor.userid}（{advisor.userid}）"


def parse_optout(args: list[str]) -> CustomerArgs:
    return CustomerArgs(expect(args, 1, 1)[0])


async def run_optout(ctx: Context, args: CustomerArgs) -> str:
    customer = await find_customer(ctx, args.customer)
    if customer.opted_out:
        return f"{_who(customer)} 已经退订过营销推送了"
    customer.opted_out = True
    _audit(ctx, "opt_out", customer, by="staff")
    return f"已为 {_who(customer)} 退订营销推送（服务消息照常；客户回复“订阅”可恢复）"
