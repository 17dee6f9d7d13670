"""The ticket watch, every minute: route queued tickets when someone is free, remind a late
advisor then re-route to a lead, notice failed kf transfers, and release chats whose kf
session has run out. Runs once per fire time across processes (bot.scheduler)."""

from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.scheduler import Job
from handlers.escalation import notify
from handlers.escalation.config import EscalationConfig
from handlers.escalation.routing import colleague, member_label, pick_advisor, pick_lead
from handlers.escalation.tickets import (
    POOL_AT,
    POOLED,
    QUEUED,
    WAITING,
    assign,
    audit,
    pool_due,
    recent_lines,
    to_pool,
)
from handlers.escalation.transfers import transfer_accepted, transfer_refused
from handlers.services import Ctx
from storage.models import Customer, OutboxItem, OutboxStatus, Ticket

KF_SESSION = timedelta(hours=48)  # a kf session ends 48 h after it began (kf.md §6)
REMINDED, REROUTED = 1, 2


def jobs(config: Config) -> list[Job]:
    # Cron, not an interval: it is computed from the (possibly fake) clock, not from start-up time.
    return [Job("escalation.watch_tickets", CronTrigger(minute="*", timezone=config.persona.timezone),
                watch_tickets, misfire_grace_s=300)]


async def watch_tickets(ctx: Ctx, fire_time: datetime) -> None:
    """One round of the watch; each step is safe to repeat."""
    if not ctx.settings.of(EscalationConfig).enabled:
        return
    await check_transfers(ctx)
    await route_queued(ctx)
    await enforce_sla(ctx)
    await release_lapsed_sessions(ctx)


async def route_queued(ctx: Ctx) -> int:
    """Give queued tickets to whoever can take them now (working hours, on duty); a kf chat held out of
    hours for the pool goes there once its opening has come and nobody took it. Returns how many."""
    routed = 0
    for ticket in await ctx.repos.tickets.open(status=QUEUED):
        customer = await ctx.repos.customers.get(ticket.customer_id)
        staff = await pick_advisor(ctx, customer, exclude=(ticket.context or {}).get("refused", ()))
        if staff is None and not pool_due(ctx, ticket):
            continue
        headline = ""
        if POOL_AT in (ticket.context or {}):  # held out of hours: the card shows what they added overnight too
            context = dict(ticket.context or {})
            context.pop(POOL_AT)
            headline = str(context.pop("held_headline", "") or "")
            ticket.context = {**context, "messages": await recent_lines(ctx, customer)}
        if staff is not None:
            await assign(ctx, ticket, customer, staff, actor="system")
        else:
            await to_pool(ctx, ticket, customer, headline=headline)
        routed += 1
    return routed


async def enforce_sla(ctx: Ctx) -> None:
    """First-response breach: remind the advisor; `reroute_after_minutes` later, hand it to a lead."""
    now, config = ctx.clock.now(), ctx.settings.of(EscalationConfig)
    for ticket in await ctx.repos.tickets.open():
        if ticket.first_response_at is not None or ticket.due_at is None or ticket.due_at > now:
            continue
        customer = await ctx.repos.customers.get(ticket.customer_id)
        agent = ctx.settings.wecom.agent_id
        if ticket.status in WAITING:
            if ticket.sla_stage < REROUTED:
                lead = await pick_lead(ctx, besides="")
                if lead is not None:
                    ctx.outbox.app_text(agent, lead.userid, notify.queue_breach(ctx, ticket, customer,
                                                                              pooled=ticket.status == POOLED))
                ticket.sla_stage = REROUTED
                audit(ctx, ticket, "queue_breach", lead=lead.userid if lead else "")
        elif ticket.sla_stage == 0:
            ctx.outbox.app_text(agent, ticket.advisor_userid,
                                notify.reminder(ctx, ticket, customer, config.reroute_after_minutes))
            ticket.sla_stage = REMINDED
            audit(ctx, ticket, "reminded", advisor=ticket.advisor_userid)
        elif ticket.sla_stage == REMINDED and now >= ticket.due_at + timedelta(minutes=config.reroute_after_minutes):
            await _reroute(ctx, ticket, customer)


async def _reroute(ctx: Ctx, ticket: Ticket, customer: Customer) -> None:
    late = ticket.advisor_userid
    lead = await pick_lead(ctx, besides=late)
    if lead is None:
        ticket.sla_stage = REROUTED
        audit(ctx, ticket, "reroute_failed", reason="no lead configured")
        return
    minutes = ctx.settings.of(EscalationConfig).reroute_after_minutes
    await assign(ctx, ticket, customer, lead, actor="system", sla_stage=REROUTED,
                 headline=f"原顾问 {await member_label(ctx, late)} 超时未响应（提醒后 {minutes} 分钟），已转给你")
    ctx.outbox.app_text(ctx.settings.wecom.agent_id, late, notify.handed_over(ticket, customer, colleague(lead)))
    audit(ctx, ticket, "rerouted", previous=late, advisor=lead.userid)


async def check_transfers(ctx: Ctx) -> None:
    """WeCom's answer to a kf transfer is acted on when it arrives (transfers.py, as delivery
    follow-ups); this sweep applies the same steps to any answer whose follow-up did not run."""
    for ticket in await ctx.repos.tickets.open():
        if ticket.kf_outbox_id is None:
            continue
        row = await ctx.session.get(OutboxItem, ticket.kf_outbox_id)
        if row is None:
            ticket.kf_outbox_id = None
        elif row.status == OutboxStatus.SENT:
            await transfer_accepted(ctx, ticket, row)
        elif row.status in (OutboxStatus.DEAD, OutboxStatus.EXPIRED):
            await transfer_refused(ctx, ticket, row)


async def release_lapsed_sessions(ctx: Ctx) -> None:
    """Past 48 h the kf session is over whatever happened; the persona may answer a new one. A
    ticket whose chat lapsed in the reception pool waits in Wanzi's queue from then on."""
    now = ctx.clock.now()
    for ticket in await ctx.repos.tickets.open():
        if now - ticket.created_at < KF_SESSION:
            continue
        if ticket.kf_servicer:
            ticket.kf_servicer = ""
            audit(ctx, ticket, "kf_session_lapsed")
        elif ticket.status == POOLED:
            ticket.status = QUEUED
            audit(ctx, ticket, "kf_session_lapsed")
