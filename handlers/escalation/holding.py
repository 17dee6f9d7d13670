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

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.sql.elements import BindParameter

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
    chats = await _where_chats_are(ctx, {item.customer_id or 0 for item in sends})
    now, held = ctx.clock.now(), set()
    for item in sends:
        chat = chats.get(item.customer_id or 0)
        if chat is None or not (where := _person_has(chat, item)):
            continue
        held.add(item.id)
        closes = kf_window.closes_at(chat.last_inbound_at)
        item.lease_until, item.lease_owner = None, None
        if closes is None or now >= closes:
            item.status = OutboxStatus.EXPIRED
            item.last_error = f"{HELD} ({where}) until the 48 h window closed"
            continue
        item.status, item.due_at = OutboxStatus.PENDING, min(now + RECHECK, closes)
        item.attempts = max(0, item.attempts - 1)  # waiting is no attempt
        item.last_error = f"{HELD} ({where}); sent once the persona has it back"
    return [item for item in batch if item.id not in held] if held else batch


class _Open(NamedTuple):
    """The columns of a customer's open ticket the guard reads."""

    status: str
    kf_servicer: str
    context: dict[str, Any] | None
    kf_outbox_id: int | None


@dataclass(slots=True)
class _Chat:
    """What the guard knows of one customer's kf chat at the claim."""

    last_inbound_at: datetime | None
    ticket: _Open | None = None  # their open ticket, if any
    move: int | None = None  # first unanswered move of the chat (trans row id)
    ended: bool = False  # a person ended the session since the customer last wrote


# Core tables, aliased once at import, and the read built once with the customers as an expanding
# parameter: an ORM alias built per call (and the ORM's compile state per execution) cost more CPU
# than the three reads this one replaced (bench/holdguard.py), and building the statement per claim
# cost a good part of what running it does (bench/README.md, ninth session).
_OPENED, _CLOSED = Ticket.__table__.alias("opened"), Ticket.__table__.alias("closed")
_CUSTOMER, _OUTBOX = Customer.__table__, OutboxItem.__table__
_IDS: BindParameter[int] = bindparam("claimed_customers", expanding=True)


def _chats_read() -> Select[Any]:
    """Each customer of `_IDS` with their open ticket, the first pending move of their chat and the
    tickets closed since they last wrote."""
    opened, closed, customer, outbox = _OPENED.c, _CLOSED.c, _CUSTOMER.c, _OUTBOX.c
    moves = select(outbox.customer_id, func.min(outbox.id).label("first")).where(  # one pass, as a
        outbox.api == TRANS, outbox.customer_id.in_(_IDS),  # subquery per customer would rescan
        outbox.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])).group_by(outbox.customer_id).subquery()
    return (select(customer.id, customer.last_inbound_at, opened.id, opened.status, opened.kf_servicer,
                   opened.context, opened.kf_outbox_id, moves.c.first, closed.context)
            .select_from(_CUSTOMER)
            .outerjoin(_OPENED, and_(opened.customer_id == customer.id, opened.status != RESOLVED))
            .outerjoin(moves, moves.c.customer_id == customer.id)
            .outerjoin(_CLOSED, and_(closed.customer_id == customer.id, closed.resolved_at > customer.last_inbound_at))
            .where(customer.id.in_(_IDS)))


_CHATS = _chats_read()


async def _where_chats_are(ctx: Ctx, ids: set[int]) -> dict[int, _Chat]:
    """One read per claimed batch: each customer with their open ticket, the first pending move of
    their chat and the tickets closed since they last wrote (a customer with none of these is one
    row of NULLs: their rows go now)."""
    rows = await ctx.session.execute(_CHATS, {_IDS.key: sorted(ids)})
    chats: dict[int, _Chat] = {}
    for cid, last_inbound_at, ticket_id, status, servicer, context, outbox_id, first_move, ended in rows:
        chat = chats.setdefault(cid, _Chat(last_inbound_at, move=first_move))
        if ticket_id is not None:
            chat.ticket = _Open(status, servicer, context, outbox_id)
        chat.ended = chat.ended or bool((ended or {}).get(ENDED_BY_PERSON))  # ...ending a session a person held
    return chats


def _person_has(chat: _Chat, item: OutboxItem) -> str:
    """Where the chat is when `item` would reach WeCom, if not the persona's: "" when it may go.

    Rows go out per customer in order, so a row queued before the chat's first move (the answer
    before the hand-off) still reaches the persona's chat; one queued after it, or one that already
    waited, does not. A move whose answer is pending keeps later rows back (a hand-back to the
    persona included: the chat is a person's until WeCom accepted it). An ended chat takes
    kf/send_msg again once the customer writes."""
    ticket, move = chat.ticket, chat.move
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
    return "service_state 4, ended by a person" if chat.ended else ""
