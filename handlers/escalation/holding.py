"""No kf/send_msg while a person has the chat: the one guard every feature's kf message passes.

WeCom accepts kf/send_msg only while the session is new (0) or the persona's (1); in the reception
pool (2), with a servicer (3) or once a person ended it (4, until the customer writes again) it
answers 95018 (kf.md §4, §6, doc 94698). Handlers may still queue a message then (a points answer,
a check-in confirmation, an /answer queued a moment before the hand-over, a reminder): at delivery,
in the claim's transaction, such a row goes back to the queue with the reason in `last_error` (the
console's outbox page shows it) and looks again every RECHECK, so it leaves once the chat is the
persona's again: after the hand-back, with the customer's next message. A row whose 48 h window
closes first ends expired, with its reason. Texts on an event's msg_code (kf/send_msg_on_event:
"X is coming", the goodbye) are allowed in those states and pass.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.wecom import kf_window
from handlers.escalation.tickets import ENDED_BY_PERSON, POOLED, RESOLVED
from handlers.escalation.transfers import TRANS
from handlers.services import Ctx
from storage.models import Customer, OutboxItem, OutboxStatus, Ticket

SEND = "kf/send_msg"
RECHECK = timedelta(minutes=1)  # a held row looks again this often (the hand-back also wakes it)
HELD = "held: the kf chat is with a person"  # last_error prefix of a held row


async def hold_while_staffed(ctx: Ctx, batch: list[OutboxItem]) -> list[OutboxItem]:
    """Claim check: the claimed kf/send_msg rows whose chat is in the pool or with a servicer (or
    is about to be, or is still being handed back) wait; the rest go now."""
    sends = [item for item in batch if item.api == SEND and item.customer_id is not None]
    if not sends:
        return batch
    ids = {item.customer_id for item in sends}
    tickets = {t.customer_id: t for t in (await ctx.session.scalars(
        select(Ticket).where(Ticket.customer_id.in_(ids), Ticket.status != RESOLVED))).all()}
    moving: dict[int, int] = {}  # customer → first unanswered move of their chat (trans row id)
    for cid, row_id in (await ctx.session.execute(
            select(OutboxItem.customer_id, OutboxItem.id).where(
                OutboxItem.api == TRANS, OutboxItem.customer_id.in_(ids),
                OutboxItem.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))).all():
        if cid is not None:
            moving[cid] = min(moving.get(cid, row_id), row_id)
    ended = {cid for cid, context in (await ctx.session.execute(  # closed since the customer last wrote
        select(Ticket.customer_id, Ticket.context).join(Customer, Customer.id == Ticket.customer_id).where(
            Ticket.customer_id.in_(ids), Ticket.resolved_at > Customer.last_inbound_at))).all()
        if (context or {}).get(ENDED_BY_PERSON)}  # ...ending a session a person held
    now, held = ctx.clock.now(), []
    for item in sends:
        cid = item.customer_id or 0
        where = _person_has(tickets.get(cid), moving.get(cid), cid in ended, item)
        if where:
            held.append((item, where))
    if not held:
        return batch
    customers = {c.id: c for c in (await ctx.session.scalars(
        select(Customer).where(Customer.id.in_({item.customer_id for item, _ in held})))).all()}
    for item, where in held:
        customer = customers.get(item.customer_id or 0)
        closes = kf_window.closes_at(customer.last_inbound_at if customer else None)
        item.lease_until, item.lease_owner = None, None
        if closes is None or now >= closes:
            item.status = OutboxStatus.EXPIRED
            item.last_error = f"{HELD} ({where}) until the 48 h window closed"
            continue
        item.status, item.due_at = OutboxStatus.PENDING, min(now + RECHECK, closes)
        item.attempts = max(0, item.attempts - 1)  # waiting is no attempt
        item.last_error = f"{HELD} ({where}); sent once the persona has it back"
    ids_held = {item.id for item, _ in held}
    return [item for item in batch if item.id not in ids_held]


def _person_has(ticket: Ticket | None, move: int | None, ended: bool, item: OutboxItem) -> str:
    """Where the chat is when `item` would reach WeCom, if not the persona's: "" when it may go.

    Rows go out per customer in order, so a row queued before the chat's first move (the answer
    before the hand-off) still reaches the persona's chat; one queued after it, or one that already
    waited, does not. A move whose answer is pending keeps later rows back (a hand-back to the
    persona included: the chat is a person's until WeCom accepted it). An ended chat takes
    kf/send_msg again once the customer writes."""
    waited = item.last_error.startswith(HELD)
    if ticket is not None and (ticket.kf_servicer or ticket.status == POOLED):
        context = ticket.context or {}
        first_move = ticket.kf_outbox_id is not None and not context.get("kf_from") \
            and not context.get("kf_from_pool")
        if first_move and not waited and item.id < (ticket.kf_outbox_id or 0):
            return ""
        return "service_state 2, reception pool" if ticket.status == POOLED and not ticket.kf_servicer \
            else f"service_state 3, {ticket.kf_servicer}"
    if move is not None and (waited or item.id > move):
        return "a move of the chat awaits WeCom's answer"
    return "service_state 4, ended by a person" if ended else ""
