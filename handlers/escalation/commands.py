"""Staff commands for escalation tickets and duty: /tickets, /claim, /resolve, /duty."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Command
from bot.errors import CommandError
from handlers.escalation import tickets as ops
from handlers.escalation.config import EscalationConfig
from handlers.escalation.notify import customer_label
from handlers.escalation.routing import hours_words, local, member_label, next_opening, opening_words
from handlers.escalation.rules import Trigger
from handlers.escalation.sla import route_queued
from handlers.services import Ctx
from handlers.staff.parsing import expect, switch, ticket_id
from storage.models import Customer, Staff, Ticket

SCOPES = {"mine": "我的和待接单的", "all": "全部", "queued": "排队中"}  # mine: also the waiting ones anyone may take
LIST_LIMIT = 20


def _staff(ctx: Ctx) -> Staff:
    assert ctx.staff is not None  # the runner only calls commands for known staff
    return ctx.staff


def _may_take_over(staff: Staff) -> bool:
    return staff.role in ops.TAKE_OVER_ROLES


# --- /tickets -------------------------------------------------------------------------------------


def parse_tickets(args: list[str]) -> str:
    scope = expect(args, 0, 1)[0].lower() if args else ""
    if scope and scope not in SCOPES:
        raise CommandError(f"「{args[0]}」不是可选范围（mine、all、queued）。")
    return scope


async def run_tickets(ctx: Ctx, scope: str) -> str:
    staff = _staff(ctx)
    scope = scope or ("all" if _may_take_over(staff) else "mine")
    rows = await ctx.repos.tickets.open()
    if scope == "queued":  # waiting for anyone: Wanzi's queue and WeCom's reception pool
        rows = [t for t in rows if t.status in ops.WAITING]
    elif scope == "mine":  # an advisor's own tickets plus the waiting ones anyone may claim
        rows = [t for t in rows if t.advisor_userid == staff.userid or t.status in ops.WAITING]
    if not rows:
        return f"没有未结工单（{SCOPES[scope]}）。"
    return "\n".join([f"未结工单（{SCOPES[scope]}，共 {len(rows)} 个）：", *await ticket_lines(ctx, rows)])


async def ticket_lines(ctx: Ctx, rows: list[Ticket]) -> list[str]:
    """One line a ticket (customer · why · who has it · opened), at most LIST_LIMIT and a count of the rest."""
    lines = []
    for t in rows[:LIST_LIMIT]:
        customer = await ctx.repos.customers.get(t.customer_id)
        who = ops.WAITING_WORDS.get(t.status) or await member_label(ctx, t.advisor_userid)
        late = " ⏰超时" if t.due_at and t.first_response_at is None and t.due_at <= ctx.clock.now() else ""
        lines.append(f"#{t.id} {customer_label(customer)} · {Trigger.parse(t.reason).label} · {who}"
                     f" · {local(ctx, t.created_at):%m-%d %H:%M}{late}")
    if len(rows) > LIST_LIMIT:
        lines.append(f"……还有 {len(rows) - LIST_LIMIT} 个，请在控制台查看")
    return lines


# --- /claim and /resolve --------------------------------------------------------------------------


def parse_claim(args: list[str]) -> int | None:
    """A ticket number; None (a bare /claim): which tickets wait to be claimed."""
    return ticket_id(args[0]) if expect(args, 0, 1) else None


async def run_claim(ctx: Ctx, number: int | None) -> str:
    if number is None:
        return await claimable(ctx)
    ticket, customer = await ops.claim_ticket(ctx, number, _staff(ctx))
    return f"{claimed(ticket, customer, _staff(ctx))}\n问题：{ticket.question or '（客服接入）'}" \
           f"\n处理完发送 /resolve {ticket.id} 备注"


def claimed(ticket: Ticket, customer: Customer, staff: Staff) -> str:
    """What a member who took a ticket reads, from /claim, the console or the sidebar (接单, one word for it)."""
    moved = "，微信客服会话正在转给你" if ticket.open_kfid and ticket.kf_servicer == staff.userid and \
        ticket.kf_outbox_id is not None else ""
    return f"已接单 #{ticket.id}（{customer_label(customer)} · {Trigger.parse(ticket.reason).label}）{moved}。"


async def claimable(ctx: Ctx) -> str:
    """A bare /claim: the tickets waiting for anyone (Wanzi's queue, WeCom's pool) and how to take one."""
    waiting = [t for t in await ctx.repos.tickets.open() if t.status in ops.WAITING]
    mine = len(await ctx.repos.tickets.open(advisor=_staff(ctx).userid))
    others = "；接手同事的工单也用 /claim 工单号（/tickets all 查看）" if _may_take_over(_staff(ctx)) else ""
    yours = f"你有 {mine} 个未结工单（/tickets mine 查看）。" if mine else ""
    if not waiting:
        return f"现在没有等待接单的工单。{yours}\n用法：/claim <工单号>{others}"
    return "\n".join([f"等待接单的工单（共 {len(waiting)} 个）：", *await ticket_lines(ctx, waiting),
                      f"回复 /claim 工单号 接单，例如 /claim {waiting[0].id}{others}。{yours}"])


@dataclass(frozen=True, slots=True)
class ResolveArgs:
    number: int
    note: str


def parse_resolve(args: list[str]) -> ResolveArgs:
    expect(args, 1)
    return ResolveArgs(ticket_id(args[0]), " ".join(args[1:]))


async def run_resolve(ctx: Ctx, args: ResolveArgs) -> str:
    found = await ctx.repos.tickets.find(args.number)
    pooled = found is not None and found.status == ops.POOLED
    ticket, customer, handed_back = await ops.resolve_ticket(ctx, args.number, _staff(ctx), note=args.note)
    back = "，会话已交还给小助手并由它跟进问候" if handed_back else ""
    if pooled:  # the API can neither end nor write to a queued chat (kf.md §4, §6)
        back = "。会话仍在微信客服待接入池中，请在企业微信「微信客服」里接入或结束它"
    return f"已结单 #{ticket.id}（{customer_label(customer)}）{back}。"


# --- /duty ----------------------------------------------------------------------------------------


def parse_duty(args: list[str]) -> bool | None:
    """on|off; None (a bare /duty): say whether the member is on duty, changing nothing."""
    return switch(args[0]) if expect(args, 0, 1) else None


def off_hours(ctx: Ctx) -> str:
    """Out of working hours, what being on duty means (routing.pick_advisor): only the customers whose
    own advisor you are reach you; the others are told a colleague answers from the opening and wait
    for it. "" in working hours."""
    config, now = ctx.settings.of(EscalationConfig), local(ctx)
    opening = next_opening(config, now)
    if opening <= now:
        return ""
    return (f"注意：现在是下班时间（工作时间：{hours_words(config)}），下班时间不轮流分配工单：只有你是专属顾问的客户"
            f"转人工会直接交给你；其他客户会被告知{opening_words(now, opening)} 上班后有同事回复，工单等到那时再分配。"
            f"想现在处理，发送 /claim 查看等待接单的工单。")


async def run_duty(ctx: Ctx, on: bool | None) -> str:
    staff = _staff(ctx)
    if on is None:
        mine = len(await ctx.repos.tickets.open(advisor=staff.userid))
        late = off_hours(ctx) if staff.on_duty else ""
        if not staff.on_duty:
            state = "你现在不在岗，不会被分配转人工工单；发送 /duty on 上岗。"
        else:  # out of hours the note below says which tickets reach you
            state = "你现在在岗" + ("" if late else "，会被分配转人工工单") + "；发送 /duty off 下岗。"
        return f"{state}你有 {mine} 个未结工单。" + (f"\n{late}" if late else "")
    staff.on_duty = on
    ctx.repos.audit.record(actor=staff.userid, action="staff.duty", target=staff.userid, detail={"on_duty": on},
                           now=ctx.clock.now())
    if on:
        routed = await route_queued(ctx)
        mine = len(await ctx.repos.tickets.open(advisor=staff.userid))
        pooled = len(await ctx.repos.tickets.open(status=ops.POOLED))  # WeCom's pool: taken in WeCom, not assigned here
        late = off_hours(ctx)
        return ("已上岗。" if late else "已上岗，开始接收转人工工单。") + \
            (f"刚从排队中分配了 {routed} 个工单；" if routed else "") + f"你现在有 {mine} 个未结工单。" + \
            (f"另有 {pooled} 个客户在微信客服待接入池等待：请在企业微信「微信客服」里接入（/tickets queued 查看）。"
             if pooled else "") + (f"\n{late}" if late else "")
    left = len(await ctx.repos.tickets.open(advisor=staff.userid))
    return "已下岗，不再接收新的转人工工单。" + (f"你还有 {left} 个未结工单，请记得处理或转交。" if left else "")


# The console's 在岗 switch acts with this command's role.
DUTY = Command("/duty", "advisor", "/duty [on|off]", "上岗或下岗（在岗才会被分配工单）；只发 /duty 查看是否在岗",
               parse_duty, run_duty, order=100)
COMMANDS = (
    Command("/tickets", "advisor", "/tickets [mine|all|queued]", "查看未结的转人工工单", parse_tickets, run_tickets,
            order=70),
    Command("/claim", "advisor", "/claim [工单号]", "接单：会话转给你，首响计时结束；只发 /claim 查看待接单的",
            parse_claim, run_claim, order=80),
    Command("/resolve", "advisor", "/resolve <工单号> [备注]", "结单：会话交还小助手并跟进问候", parse_resolve,
            run_resolve, order=90),
    DUTY,
)
