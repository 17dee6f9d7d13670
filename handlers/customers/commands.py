"""Staff commands about one customer: /whois, /vip, /assign."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command
from bot.roles import member_words
from bot.wecom.markdown import plain
from handlers.escalation.config import EscalationConfig
from handlers.escalation.routing import colleague, local, member_label
from handlers.escalation.rules import is_vip
from handlers.escalation.tickets import WAITING_WORDS
from handlers.greeting.config import channel_name
from handlers.orders.profile import whois_line
from handlers.points.service import standing
from handlers.services import Ctx
from handlers.staff.lookup import describe, find_customer, find_staff
from handlers.staff.parsing import expect, quoted, switch
from storage.models import Customer

STATUS = {"active": "好友", "lost": "已流失"}


def status_label(customer: Customer) -> str:
    """好友 only for a WeCom friend: a customer who only wrote to 微信客服 was never added by anyone
    (/whois, the console and the sidebar say it alike)."""
    if customer.status == "active" and not customer.owner_userid:
        return "微信客服"
    return STATUS.get(customer.status, customer.status)


@dataclass(frozen=True, slots=True)
class CustomerArgs:
    customer: str
    rest: tuple[str, ...] = ()


def audit_customer(ctx: Ctx, action: str, customer: Customer, **detail: object) -> None:
    assert ctx.staff is not None
    ctx.repos.audit.record(actor=ctx.staff.userid, action=action, target=customer.external_userid, detail=detail,
                           now=ctx.clock.now())


def who(customer: Customer) -> str:
    return plain(customer.name or customer.remark or customer.external_userid, 40)


def parse_whois(args: list[str]) -> CustomerArgs:
    return CustomerArgs(expect(args, 1, 1)[0])


async def run_whois(ctx: Ctx, args: CustomerArgs) -> str:
    c = await find_customer(ctx, args.customer)
    tags = [t.name for t in await ctx.repos.tags.of_customer(c.id)]
    vip = is_vip(c, tags, ctx.settings.of(EscalationConfig))
    advisor = await ctx.repos.staff.find(c.advisor_userid) if c.advisor_userid else None
    ticket = await ctx.repos.tickets.find_open(c.id)
    current = await standing(ctx, c)  # the level the customer hears in "我的积分", also before any points
    lines = [await describe(ctx, c),
             f"VIP：{'是' if vip else '否'}" + (f" · 等级：{current.level.name}" if current.level else "")
             + f" · 积分：{current.balance}",
             f"专属顾问：{colleague(advisor) if advisor else c.advisor_userid or '未分配'}",
             f"标签：{'、'.join(plain(t, 30) for t in tags) if tags else '无'}",
             f"来源渠道：{plain(channel_name(ctx.settings, c.channel), 30) or '未知'} · 状态：{status_label(c)}"
             f" · 营销推送：{'已退订' if c.opted_out else '接收'}",
             f"首次接触：{local(ctx, c.first_seen_at):%Y-%m-%d}"
             + (f" · 最近消息：{local(ctx, c.last_inbound_at):%m-%d %H:%M}" if c.last_inbound_at else "")]
    lines.append(await whois_line(ctx, c))
    if ticket is not None:
        holder = WAITING_WORDS.get(ticket.status) or await member_label(ctx, ticket.advisor_userid)
        lines.append(f"未结工单：#{ticket.id}（{holder}）")
    return "\n".join(lines)


def parse_vip(args: list[str]) -> CustomerArgs:
    customer, value = expect(args, 2, 2)
    switch(value)
    return CustomerArgs(customer, (value,))


async def run_vip(ctx: Ctx, args: CustomerArgs) -> str:
    return await set_vip(ctx, await find_customer(ctx, args.customer), switch(args.rest[0]))


async def set_vip(ctx: Ctx, customer: Customer, on: bool) -> str:
    """Mark or unmark a customer as VIP (/vip and the console's customer page)."""
    customer.is_vip = on
    audit_customer(ctx, "customer.vip", customer, vip=customer.is_vip)
    tags = [t.name for t in await ctx.repos.tags.of_customer(customer.id)]
    still = not customer.is_vip and is_vip(customer, tags, ctx.settings.of(EscalationConfig))
    state = "设为 VIP" if customer.is_vip else "取消 VIP"
    return f"已将 {who(customer)} {state}" + ("（但仍因标签、等级或名单被视为 VIP）" if still else "")


def parse_assign(args: list[str]) -> CustomerArgs:
    customer, advisor = expect(args, 2, 2)
    return CustomerArgs(customer, (advisor,))


async def run_assign(ctx: Ctx, args: CustomerArgs) -> str:
    return await assign_advisor(ctx, await find_customer(ctx, args.customer), args.rest[0])


async def assign_advisor(ctx: Ctx, customer: Customer, member: str) -> str:
    """Make a member (userid or name) the customer's advisor (/assign and the console's customer page)."""
    advisor = await find_staff(ctx, member)
    previous = customer.advisor_userid
    customer.advisor_userid = advisor.userid
    audit_customer(ctx, "customer.assign", customer, advisor=advisor.userid, previous=previous)
    assert ctx.staff is not None
    told = ""
    if advisor.userid not in (previous, ctx.staff.userid):  # the new advisor hears it from us, not from the customer
        ctx.outbox.app_text(ctx.settings.wecom.agent_id, advisor.userid,
                            f"【新的专属客户】{colleague(ctx.staff)} 把 {who(customer)} 交给你做专属顾问，"
                            f"今后TA的转人工工单会先交给你。发送 /whois {quoted(who(customer))} 查看资料。")
        told = "，已通知TA"
    return f"已将 {who(customer)} 的专属顾问设为 {member_words(advisor.name, advisor.userid)}{told}"


# The console's customer page acts with these commands' roles.
VIP = Command("/vip", "operator", "/vip <客户> on|off", "设为或取消 VIP", parse_vip, run_vip, order=50)
ASSIGN = Command("/assign", "operator", "/assign <客户> <顾问>", "指定客户的专属顾问", parse_assign, run_assign,
                 order=60)
COMMANDS = (
    Command("/whois", "advisor", "/whois <客户>", "查看客户资料：VIP、顾问、标签、订单、未结工单", parse_whois,
            run_whois, order=20),
    VIP,
    ASSIGN,
)
