"""The entry points the persona's chat handler calls before it answers a customer."""

from __future__ import annotations

from bot.wecom.events import KfEntry
from handlers.escalation.config import EscalationConfig
from handlers.escalation.routing import display_name, local, next_opening, opening_words
from handlers.escalation.rules import Trigger, decide
from handlers.escalation.tickets import POOLED, WAITING, customer_facts, open_ticket, tell_customer
from handlers.services import Ctx
from storage.models import Customer, Ticket


async def held_by_advisor(ctx: Ctx) -> Ticket | None:
    """The open ticket whose advisor holds this customer's kf chat, or whose chat waits in WeCom's
    reception pool (where the API may not write, kf.md §4); the persona stays silent then."""
    if ctx.customer is None:
        return None
    ticket = await ctx.repos.tickets.find_open(ctx.customer.id)
    return ticket if ticket is not None and (ticket.kf_servicer or ticket.status == POOLED) else None


async def escalate(ctx: Ctx, *, reason: str, question: str) -> Ticket | None:
    """Hand the current customer's question to a person: open a ticket with context and route it.

    `reason` is a Trigger code ("asked_for_human", "sensitive:退款", "unanswered", ...). If the
    customer already has an open ticket, that one is returned and the persona says it is in hand.
    None when escalation is switched off or the context has no customer."""
    customer = ctx.customer
    if customer is None or not ctx.settings.of(EscalationConfig).enabled:
        return None
    existing = await ctx.repos.tickets.find_open(customer.id)
    if existing is not None:
        if not existing.kf_servicer:  # a person holding the chat answers it
            await _still_in_hand(ctx, existing, customer)
        return existing
    open_kfid = ctx.event.open_kfid if isinstance(ctx.event, KfEntry) else ""
    return await open_ticket(ctx, customer, Trigger.parse(reason), question, open_kfid=open_kfid)


async def _still_in_hand(ctx: Ctx, ticket: Ticket, customer: Customer) -> None:
    """Asked for a person again while the ticket is open: who has it, or, waiting out of hours, from when."""
    now_local = local(ctx)
    opening = next_opening(ctx.settings.of(EscalationConfig), now_local)
    if ticket.status in WAITING and opening > now_local:
        await tell_customer(ctx, ticket, customer, "escalation.queued_off_hours",
                            opens_at=opening_words(now_local, opening))
        return
    advisor = await ctx.repos.staff.find(ticket.advisor_userid) if ticket.advisor_userid else None
    await tell_customer(ctx, ticket, customer, "escalation.already_open",
                        advisor=display_name(advisor) if advisor else "顾问")


async def escalation_trigger(ctx: Ctx, text: str, *, can_answer: bool, small_talk: bool = False,
                             safety: str | None = None) -> Trigger | None:
    """Why this customer message must go to a person, or None (decides only; `escalate` acts).

    `can_answer`: the persona has a confident answer (an FAQ match above faq.threshold). The rules:
    asking for a person, a sensitive or safety topic, a VIP's question, or an unanswerable question
    from someone escalation.unanswered_escalates covers. Small talk ("你是机器人吗") goes to a
    person only when the customer asks for one or names a sensitive topic."""
    customer = ctx.customer
    if customer is None:
        return None
    _, vip = await customer_facts(ctx, customer)
    trigger = decide(text, vip=vip, can_answer=can_answer or small_talk, config=ctx.settings.of(EscalationConfig),
                     safety=safety)
    if trigger is not None and small_talk and trigger.reason not in ("asked_for_human", "sensitive"):
        return None
    return trigger

