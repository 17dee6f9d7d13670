"""Tickets: open one with context, route it, note the first response, close it and hand the chat
back to the persona. Every state change is written to audit_log as "ticket.<action>".

kf hand-over (kf.md §6): a bot-held session (state 0/1) moves to a named servicer with
service_state/trans → 3, or, when no named advisor can take it (`escalation.no_advisor =
"wecom_pool"`), to WeCom's reception pool (→ 2), where the servicers of the kf account pick it up
in the WeCom client (→ 3). From 3 the API may only move it to another servicer (3) or end it (4).
So "handing back" means ending the session: trans → 4 returns a msg_code that allows one
goodbye within 20 s (kf.md §5), which carries the persona's follow-up; the customer's next
message opens a new session (4 → 0) that the persona answers as usual.

What the customer hears about a move rides on the msg_code WeCom returns for it (kf.md §5), so it
is said only once WeCom accepted the move; handlers/escalation/transfers.py acts on the answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from bot.errors import CommandError
from bot.wecom import kf_window
from handlers.escalation.config import EscalationConfig, sla_by_level
from handlers.escalation.notify import customer_label, pool_headline, ticket_card
from handlers.escalation.routing import (
    display_name,
    local,
    member_label,
    next_opening,
    opening_words,
    pick_advisor,
)
from handlers.escalation.rules import Trigger, is_vip, service_level
from handlers.questions.wording import asked
from handlers.replies.config import FaqConfig
from handlers.services import Ctx
from storage.models import Customer, Staff, Ticket
from storage.repos.replies import HANDED, OPEN, FaqOfferRepo

QUEUED, POOLED, ASSIGNED, RESOLVED = "queued", "pooled", "assigned", "resolved"
ENDED_BY_PERSON = "kf_ended"  # ticket.context: resolving it ended a kf session a person held (holding.py)
HANDED_QUESTIONS = "questions"  # ticket.context: the queued questions handed over with the chat
POOL_AT = "pool_at"  # ticket.context: held out of hours, the chat goes to the reception pool at this time (UTC)
WAITING = (QUEUED, POOLED)  # nobody has the ticket yet: Wanzi's queue, or WeCom's reception pool
WAITING_WORDS = {QUEUED: "排队中", POOLED: "待接入池"}  # who has a waiting ticket, in staff replies
OPS_ROLES = ("operator", "admin")  # who hears about a chat waiting in the reception pool


def audit(ctx: Ctx, ticket: Ticket, action: str, *, actor: str = "system", **detail: Any) -> None:
    ctx.repos.audit.record(actor=actor, action=f"ticket.{action}", target=f"ticket:{ticket.id}", detail=detail,
                           now=ctx.clock.now())


async def customer_facts(ctx: Ctx, customer: Customer) -> tuple[list[str], bool]:
    """The customer's tag names and whether they are VIP."""
    tags = [t.name for t in await ctx.repos.tags.of_customer(customer.id)]
    return tags, is_vip(customer, tags, ctx.settings.of(EscalationConfig))


def sla_minutes(ctx: Ctx, level: str) -> int:
    config = ctx.settings.of(EscalationConfig)
    return sla_by_level(config).get(level, config.sla_minutes)


async def persona_line(ctx: Ctx, customer: Customer, key: str, **facts: Any) -> tuple[str, str]:
    """(text, template key with its variant) of one persona line for this customer."""
    last = await ctx.repos.messages.last_variant(customer.id, key)
    rendered = ctx.with_(customer=customer).render(key, last_variant=last, name=customer.name, **facts)
    return rendered.text, f"{key}#{rendered.variant}"


async def tell_customer(ctx: Ctx, ticket: Ticket, customer: Customer, key: str, **facts: Any) -> None:
    """A line from the persona in the ticket's kf chat. Contact friends have no API for a 1:1
    message outside the welcome, so they hear from their advisor in the WeCom client instead."""
    if not ticket.open_kfid:
        return
    text, template_key = await persona_line(ctx, customer, key, **facts)
    ctx.outbox.kf_send(ticket.open_kfid, customer, text, kind="answer", template_key=template_key)


async def recent_lines(ctx: Ctx, customer: Customer) -> list[dict[str, str]]:
    """The customer's last `context_messages` messages as {who, at, text}, oldest first."""
    messages = await ctx.repos.messages.recent(customer.id, limit=ctx.settings.of(EscalationConfig).context_messages)
    persona = ctx.persona.profile.name
    lines = []
    for m in messages:
        who = "客户" if m.direction == "in" and not m.staff_userid else (m.staff_userid or persona)
        lines.append({"who": who, "at": f"{local(ctx, m.created_at):%H:%M}", "text": m.text[:300]})
    return lines


async def _snapshot(ctx: Ctx, customer: Customer, tags: list[str], vip: bool) -> dict[str, Any]:
    """What the advisor needs to answer without asking again: who, which tags, the last messages."""
    return {"name": customer.name, "remark": customer.remark, "level": customer.level, "vip": vip,
            "tags": tags, "source": customer.channel, "messages": await recent_lines(ctx, customer)}


async def _hand_over_questions(ctx: Ctx, customer: Customer, request: str, context: dict[str, Any]) -> str:
    """"转人工" after questions the persona queued for staff: the ticket is about those questions too (its
    headline names them: "算了 转人工（待回答：…）"), and they leave the queue, so nobody answers them
    twice; the person who takes the chat answers them there. Their ids stay in the ticket's
    context: a ticket closed without anyone answering gives them back to the queue (`resolve`)."""
    await _queue_the_offer(ctx, customer)
    waiting = await ctx.repos.unanswered.open_of(customer.id, limit=3)
    if not waiting:
        return request
    for q in waiting:
        q.status = HANDED
    context[HANDED_QUESTIONS] = [q.id for q in waiting]
    return f"{request}（待回答：{'；'.join(asked(q) for q in waiting)}）"


async def _queue_the_offer(ctx: Ctx, customer: Customer) -> None:
    """"转人工" right after a 猜你想问 ("你们的精华液有没有酒精" → "1. 孕妇可以用吗"): the question offered on is one
    the persona could not answer; it joins the queued ones (as "都不是" would have sent it), so the ticket is
    about it and a ticket closed without an answer gives it back to the queue like them."""
    now = ctx.clock.now()
    offers = FaqOfferRepo(ctx.session)
    window = timedelta(minutes=ctx.settings.of(FaqConfig).clarify_minutes)
    offer = await offers.find_open(customer.id, since=now - window)
    if offer is None:
        return
    await offers.settle_open(customer.id, "declined", now=now)
    ctx.repos.unanswered.add(customer.id, offer.question, now=now, best_faq=offer.options[0] if offer.options else "",
                             open_kfid=offer.open_kfid, context={"name": customer.name, "offered": list(offer.options)})
    await ctx.session.flush()


async def open_ticket(ctx: Ctx, customer: Customer, trigger: Trigger, question: str, *,
                      open_kfid: str, actor: str = "", route: bool = True) -> Ticket:
    """A new ticket with the context of the moment, routed at once (or queued) unless `route` is
    False (a servicer already took the chat)."""
    tags, vip = await customer_facts(ctx, customer)
    level = service_level(customer, vip, sla_by_level(ctx.settings.of(EscalationConfig)))
    context = await _snapshot(ctx, customer, tags, vip)
    if trigger.reason == "asked_for_human":
        question = await _hand_over_questions(ctx, customer, question, context)
    ticket = ctx.repos.tickets.add(Ticket(
        customer_id=customer.id, channel="kf" if open_kfid else "contact", open_kfid=open_kfid,
        reason=trigger.code, question=question[:2000], context=context,
        level=level, status=QUEUED, advisor_userid="", kf_servicer="", sla_stage=0,
        created_at=ctx.clock.now(), resolved_by="", note=""))
    await ctx.session.flush()
    audit(ctx, ticket, "opened", actor=actor or f"customer:{customer.id}", reason=trigger.code)
    if not route:
        return ticket
    staff = await pick_advisor(ctx, customer)
    if staff is not None:
        await assign(ctx, ticket, customer, staff, actor="system")
    else:
        await no_advisor(ctx, ticket, customer)
    return ticket


async def assign(ctx: Ctx, ticket: Ticket, customer: Customer, staff: Staff, *, actor: str,
                 headline: str = "", sla_stage: int = 0, notify: bool = True) -> None:
    """Give the ticket to `staff`: the customer hears who is coming, the kf chat moves to them,
    and they get the ticket card. The first-response clock restarts for the new owner."""
    now = ctx.clock.now()
    previous = ticket.advisor_userid
    from_pool = ticket.status == POOLED
    ticket.status, ticket.advisor_userid, ticket.assigned_at = ASSIGNED, staff.userid, now
    ticket.sla_stage = sla_stage
    ticket.due_at = now + timedelta(minutes=sla_minutes(ctx, ticket.level))
    if ticket.open_kfid and ticket.kf_servicer != staff.userid:
        notice = template_key = ""
        if not ticket.kf_servicer:  # the chat reaches a person for the first time: say who it is
            notice, template_key = await persona_line(ctx, customer, "escalation.handoff",
                                                      advisor=display_name(staff))
        item = ctx.outbox.kf_transfer(ticket.open_kfid, customer, state=3, servicer_userid=staff.userid,
                                      notice=notice, template_key=template_key)
        await ctx.session.flush()
        # Where the chat is until WeCom answers: a refusal leaves it there (transfers.py).
        ticket.context = {**(ticket.context or {}), "kf_from": ticket.kf_servicer, "kf_from_pool": from_pool}
        ticket.kf_servicer, ticket.kf_outbox_id = staff.userid, item.id
    if notify:
        ctx.outbox.app_markdown(ctx.settings.wecom.agent_id, staff.userid,
                                ticket_card(ctx, ticket, customer, headline=headline))
    audit(ctx, ticket, "assigned", actor=actor, advisor=staff.userid, previous=previous)


async def no_advisor(ctx: Ctx, ticket: Ticket, customer: Customer, *, headline: str = "") -> None:
    """No named advisor can take it: WeCom's reception pool for a kf chat the persona holds (unless
    configured otherwise, or WeCom refused the pool for this ticket), else Wanzi's own queue. Out of
    hours the pool waits for the opening (`pool_out_of_hours`): the persona keeps the chat till then."""
    config = ctx.settings.of(EscalationConfig)
    if config.no_advisor == "wecom_pool" and ticket.open_kfid and not ticket.kf_servicer \
            and not (ticket.context or {}).get("pool_refused"):
        now_local = local(ctx)
        opening = next_opening(config, now_local)
        if opening > now_local and config.pool_out_of_hours == "at_opening":
            await hold_for_opening(ctx, ticket, customer, opening, headline=headline)
        else:
            await to_pool(ctx, ticket, customer, headline=headline)
    else:
        await queue(ctx, ticket, customer)


async def hold_for_opening(ctx: Ctx, ticket: Ticket, customer: Customer, opening: datetime, *,
                           headline: str = "") -> None:
    """Out of hours: the ticket waits in Wanzi's queue and the chat stays with the persona, which tells the
    customer a colleague will answer here from the opening and meanwhile acknowledges what they add (a
    pooled chat would take no API message: silence all night). At the opening the ticket watch gives it to
    an on-duty advisor, else moves the chat to the pool (sla.route_queued)."""
    now_local = local(ctx)
    ticket.status, ticket.advisor_userid = QUEUED, ""
    ticket.due_at = opening + timedelta(minutes=sla_minutes(ctx, ticket.level))
    ticket.context = {**(ticket.context or {}), POOL_AT: opening.astimezone(timezone.utc).isoformat(),
                      "held_headline": headline}
    await tell_customer(ctx, ticket, customer, "escalation.pooled_off_hours",
                        opens_at=opening_words(now_local, opening))
    audit(ctx, ticket, "held_for_opening", opens_at=opening.isoformat())


def pool_due(ctx: Ctx, ticket: Ticket) -> bool:
    """A ticket held out of hours whose opening has come: its chat goes to the pool now."""
    at = (ticket.context or {}).get(POOL_AT)
    return bool(at) and ctx.clock.now() >= datetime.fromisoformat(str(at))


async def to_pool(ctx: Ctx, ticket: Ticket, customer: Customer, *, headline: str = "") -> None:
    """Move the kf chat to WeCom's reception pool (trans → 2), where the servicers of the account
    pick it up in the WeCom client. The customer hears, on the code WeCom returns for the move, that
    a colleague will answer in this chat (with the real opening time out of hours); operators and
    admins get the ticket once WeCom accepted it (transfers.py). The SLA clock runs from opening."""
    now_local = local(ctx)
    opening = next_opening(ctx.settings.of(EscalationConfig), now_local)
    ticket.status, ticket.advisor_userid = POOLED, ""
    ticket.due_at = opening + timedelta(minutes=sla_minutes(ctx, ticket.level))
    if opening > now_local:
        notice, template_key = await persona_line(ctx, customer, "escalation.pooled_off_hours",
                                                  opens_at=opening_words(now_local, opening))
    else:
        notice, template_key = await persona_line(ctx, customer, "escalation.pooled")
    item = ctx.outbox.kf_transfer(ticket.open_kfid, customer, state=2, notice=notice, template_key=template_key)
    await ctx.session.flush()
    ticket.context = {**(ticket.context or {}), "kf_from": "", "kf_from_pool": False,
                      "pool_headline": f"{headline}。{pool_headline()}" if headline else pool_headline()}
    ticket.kf_outbox_id = item.id
    audit(ctx, ticket, "pooled", opens_at=opening.isoformat())


async def tell_operators(ctx: Ctx, ticket: Ticket, customer: Customer, *, headline: str) -> None:
    """The ticket card to every operator and admin: the chat waits for whoever is free."""
    members = await ctx.repos.staff.list(roles=OPS_ROLES)
    if not members:
        ctx.log.warning("no operator or admin to tell about a ticket", extra={"ticket_id": ticket.id})
    for member in members:
        ctx.outbox.app_markdown(ctx.settings.wecom.agent_id, member.userid,
                                ticket_card(ctx, ticket, customer, headline=headline))


async def queue(ctx: Ctx, ticket: Ticket, customer: Customer) -> None:
    """Nobody can take it now: the customer gets a promise in the persona's voice, with the hour
    advisors are back when it is out of hours. The SLA clock starts when they are."""
    now_local = local(ctx)
    opening = next_opening(ctx.settings.of(EscalationConfig), now_local)
    ticket.status, ticket.advisor_userid = QUEUED, ""
    ticket.due_at = opening + timedelta(minutes=sla_minutes(ctx, ticket.level))
    if opening > now_local:
        await tell_customer(ctx, ticket, customer, "escalation.queued_off_hours",
                            opens_at=opening_words(now_local, opening))
    else:
        await tell_customer(ctx, ticket, customer, "escalation.queued")
    audit(ctx, ticket, "queued", opens_at=opening.isoformat())


async def _settle_handed_questions(ctx: Ctx, ticket: Ticket, *, by: str) -> None:
    """The questions handed over with the chat: settled by whoever answered in it, or back in the
    queue when nobody did (the persona's promise still stands)."""
    ids = (ticket.context or {}).get(HANDED_QUESTIONS)
    if not isinstance(ids, list) or not ids:
        return
    for q in await ctx.repos.unanswered.get_many([int(i) for i in ids]):
        if q.status != HANDED:
            continue
        if ticket.first_response_at is None:
            q.status = OPEN
        else:
            q.answered_at, q.answered_by = ctx.clock.now(), ticket.advisor_userid or by


def first_response(ctx: Ctx, ticket: Ticket, *, by: str) -> None:
    """The SLA is met: a human answered (kf origin 5), picked the chat up in the WeCom client, or
    claimed the ticket."""
    if ticket.first_response_at is None and ticket.status != RESOLVED:
        ticket.first_response_at = ctx.clock.now()
        audit(ctx, ticket, "first_response", actor=by)


async def resolve(ctx: Ctx, ticket: Ticket, customer: Customer, *, by: str, note: str = "",
                  end_code: str = "", code_deadline: datetime | None = None) -> None:
    """Close the ticket and give the chat back to the persona, who follows up politely.

    `end_code` is the msg_code of a session the servicer already ended in the client; without
    it we end the session ourselves (trans → 4) and the goodbye rides on that call's msg_code.

    Only a ticket someone answered thanks its advisor; one closed without any answer gets a plain
    "ask me again if you still need help". A chat still in WeCom's reception pool cannot be ended
    nor written to by the API (kf.md §4, §6): it stays there for a servicer, and nothing is sent."""
    pooled = ticket.status == POOLED
    await _settle_handed_questions(ctx, ticket, by=by)
    ticket.status, ticket.resolved_at, ticket.resolved_by = RESOLVED, ctx.clock.now(), by
    ticket.note = note[:2000]
    if ticket.first_response_at is not None:
        advisor = display_name(await ctx.repos.staff.find(ticket.advisor_userid) if ticket.advisor_userid else None)
        text, template_key = await persona_line(ctx, customer, "escalation.follow_up", advisor=advisor)
    else:
        text, template_key = await persona_line(ctx, customer, "escalation.closed")
    if end_code or ticket.kf_servicer:  # the session ends (4): no kf/send_msg until the customer writes
        ticket.context = {**(ticket.context or {}), ENDED_BY_PERSON: True}
    if end_code:
        ctx.outbox.kf_send_on_event(end_code, text, customer=customer, deadline=code_deadline,
                                    kind="answer", template_key=template_key)
    elif ticket.kf_servicer:
        ctx.outbox.kf_transfer(ticket.open_kfid, customer, state=4, notice=text, template_key=template_key)
    elif ticket.open_kfid and not pooled and kf_window.is_open(customer.last_inbound_at, ctx.clock.now()):
        ctx.outbox.kf_send(ticket.open_kfid, customer, text, kind="answer", template_key=template_key)
    ticket.kf_servicer, ticket.kf_outbox_id = "", None
    audit(ctx, ticket, "resolved", actor=by, note=note[:200], **({"left_in_pool": True} if pooled else {}))


# --- claim and resolve by a member of staff (/claim, /resolve, the console's buttons) -------------

TAKE_OVER_ROLES = ("operator", "admin")  # may take another advisor's ticket


async def open_ticket_numbered(ctx: Ctx, number: int) -> Ticket:
    """Ticket #number if it is still open; CommandError with what staff should know otherwise."""
    ticket = await ctx.repos.tickets.find(number)
    if ticket is None:
        raise CommandError(f"没有工单 #{number}。发送 /tickets 查看未结工单。")
    if ticket.status == RESOLVED:
        at = local(ctx, ticket.resolved_at)
        by = await member_label(ctx, ticket.resolved_by)
        raise CommandError(f"工单 #{number} 已于 {at:%m-%d %H:%M} 由 {by} 结单。")
    return ticket


async def claim_ticket(ctx: Ctx, number: int, staff: Staff) -> tuple[Ticket, Customer]:
    """`staff` takes the ticket: the kf chat moves to them and the first-response clock stops."""
    ticket = await open_ticket_numbered(ctx, number)
    owner = ticket.advisor_userid
    if ticket.status == ASSIGNED and owner != staff.userid and staff.role not in TAKE_OVER_ROLES:
        raise CommandError(f"工单 #{number} 由 {await member_label(ctx, owner)} 负责；需要运营或管理员才能接手。")
    customer = await ctx.repos.customers.get(ticket.customer_id)
    moved = owner == staff.userid and not (ticket.open_kfid and ticket.kf_servicer != staff.userid)
    if ticket.status == ASSIGNED and moved and ticket.first_response_at is not None:  # a second /claim of one's own
        raise CommandError(f"工单 #{number}（{customer_label(customer)}）已经在你这里了，不用再接。"
                           f"处理完发送 /resolve {number} 备注。", usage=False)
    if not moved:
        await assign(ctx, ticket, customer, staff, actor=staff.userid, notify=False)
    answered = ticket.first_response_at is not None
    first_response(ctx, ticket, by=staff.userid)
    if ticket.kf_outbox_id is not None and not answered:  # if WeCom refuses the chat, the claim answered nobody
        ticket.context = {**(ticket.context or {}), "claimed_by": staff.userid}
    audit(ctx, ticket, "claimed", actor=staff.userid, previous=owner)
    return ticket, customer


async def resolve_ticket(ctx: Ctx, number: int, staff: Staff, *, note: str = "") -> tuple[Ticket, Customer, bool]:
    """Close the ticket for `staff`; True when the kf chat was handed back to the persona."""
    ticket = await open_ticket_numbered(ctx, number)
    if ticket.advisor_userid not in ("", staff.userid) and staff.role not in TAKE_OVER_ROLES:
        owner = await member_label(ctx, ticket.advisor_userid)
        raise CommandError(f"工单 #{number} 由 {owner} 负责，只有TA或运营、管理员可以结单。")
    customer = await ctx.repos.customers.get(ticket.customer_id)
    handed_back = bool(ticket.kf_servicer)
    await resolve(ctx, ticket, customer, by=staff.userid, note=note)
    return ticket, customer, handed_back
