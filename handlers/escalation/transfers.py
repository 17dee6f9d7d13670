"""What WeCom's answer to a kf session move (kf/service_state/trans) means for the ticket.

These run as outbox follow-ups in the transaction that records the answer (bot/followups.py):
accepted, the persona's notice goes out on the msg_code WeCom returned (kf.md §5) and operators
hear of a chat waiting in the reception pool; refused, the advisor is told at once in words (the
API, the errcode, what it means), and the ticket falls back to the no-advisor path: WeCom's
reception pool, or Wanzi's queue. The minute watch (sla.check_transfers) applies the same steps
to any answer whose follow-up did not run.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.escalation import notify
from handlers.escalation.routing import member_label
from handlers.escalation.tickets import (
    OPS_ROLES,
    POOLED,
    audit,
    no_advisor,
    queue,
    tell_operators,
)
from handlers.services import Ctx
from storage.models import Customer, OutboxItem, Ticket

TRANS = "kf/service_state/trans"


async def send_notice(ctx: Ctx, item: OutboxItem) -> None:
    """The text that waited on the row under "_then", sent with the msg_code of the answer: the
    goodbye of an ended session (20 s), or "X is coming" / "a colleague will answer here" for a
    chat that reached a person or the pool (kf.md §5). Without a code we may send nothing."""
    then = item.payload.get("_then") if isinstance(item.payload, dict) else None
    if not isinstance(then, dict) or then.get("api") != "kf/send_msg_on_event":
        return
    code = str((item.result or {}).get(str(then.get("code_from", ""))) or "")
    if not code:
        ctx.log.info("notice skipped: no msg_code in the answer", extra={"outbox_id": item.id})
        return
    customer = await ctx.session.get(Customer, item.customer_id) if item.customer_id is not None else None
    ctx.outbox.kf_send_on_event(code, str(then.get("text", "")), customer=customer, kind="answer",
                                deadline=ctx.clock.now() + timedelta(seconds=float(then.get("ttl_s", 19))),
                                template_key=str(then.get("template_key", "")))


async def after_transfer(ctx: Ctx, item: OutboxItem) -> None:
    ticket = await ctx.repos.tickets.find_by_transfer(item.id)
    if ticket is not None:
        await transfer_accepted(ctx, ticket, item)


async def after_refused_transfer(ctx: Ctx, item: OutboxItem) -> None:
    ticket = await ctx.repos.tickets.find_by_transfer(item.id)
    if ticket is not None:
        await transfer_refused(ctx, ticket, item)


async def transfer_accepted(ctx: Ctx, ticket: Ticket, row: OutboxItem) -> None:
    """The chat is where we asked; a pooled chat's ticket goes to operators and admins."""
    ticket.kf_outbox_id = None
    context = dict(ticket.context or {})
    if row.payload.get("service_state") == 2 and ticket.status == POOLED:
        customer = await ctx.repos.customers.get(ticket.customer_id)
        await tell_operators(ctx, ticket, customer, headline=str(context.get("pool_headline") or ""))
    if context.pop("claimed_by", None) is not None:
        ticket.context = context


async def transfer_refused(ctx: Ctx, ticket: Ticket, row: OutboxItem) -> None:
    """WeCom refused the move, so the chat is still where it was. Say so to the people concerned,
    in words, and get the customer to a person another way."""
    ticket.kf_outbox_id = None
    customer = await ctx.repos.customers.get(ticket.customer_id)
    payload = row.payload if isinstance(row.payload, dict) else {}
    servicer = str(payload.get("servicer_userid") or "")
    refusal = notify.refusal_words(payload, row.last_errcode, row.last_error,
                                   servicer=await member_label(ctx, servicer) if servicer else "-")
    context = dict(ticket.context or {})
    claimed_by = context.pop("claimed_by", None)
    agent = ctx.settings.wecom.agent_id
    if payload.get("service_state") == 2:  # the reception pool refused it: Wanzi's queue it is
        ticket.context = {**context, "pool_refused": True}
        audit(ctx, ticket, "pool_refused", errcode=row.last_errcode)
        for member in await ctx.repos.staff.list(roles=OPS_ROLES):
            ctx.outbox.app_text(agent, member.userid, notify.pool_failed(ticket, customer, refusal))
        await queue(ctx, ticket, customer)
        return
    advisor = str(payload.get("servicer_userid") or ticket.advisor_userid)
    refused = sorted({*context.get("refused", []), advisor})
    ticket.kf_servicer = str(context.get("kf_from") or "")
    ticket.context = {**context, "refused": refused}
    audit(ctx, ticket, "transfer_failed", advisor=advisor, errcode=row.last_errcode)
    if claimed_by == advisor and ticket.first_response_at is not None:
        ticket.first_response_at = None  # a claim whose chat never reached its claimer answered nobody
        audit(ctx, ticket, "first_response_withdrawn", actor=advisor)
    if ticket.kf_servicer:  # a re-route between people was refused: the chat stays with its holder
        then = f"会话仍由 {await member_label(ctx, ticket.kf_servicer)} 接待。"
    elif context.get("kf_from_pool"):  # it never left the reception pool
        ticket.status, ticket.advisor_userid = POOLED, ""
        then = "会话仍在微信客服待接入池中，接待人员可以在企业微信「微信客服」里接入。"
    else:
        ticket.advisor_userid = ""
        await no_advisor(ctx, ticket, customer, headline=f"没能转给 {await member_label(ctx, advisor)}：{refusal}")
        then = ("会话已改为放入微信客服待接入池，由有空的接待人员接入。" if ticket.status == POOLED
                else "工单改为排队，等其他在岗顾问接单。")
    ctx.outbox.app_text(agent, advisor, notify.transfer_failed(ticket, customer, refusal, then))
