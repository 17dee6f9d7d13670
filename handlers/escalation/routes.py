"""What happens in the kf chat while a person has it: a servicer's first reply (or picking the chat
up from the reception pool) meets the SLA, transfers and pick-ups move the ticket to whoever took
it, and a servicer ending the chat closes it."""

from __future__ import annotations

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived, KfSessionStatusChanged
from handlers.escalation.rules import Trigger
from handlers.escalation.tickets import ASSIGNED, audit, first_response, open_ticket, resolve
from handlers.greeting.routes import welcome_deadline
from handlers.services import Ctx

router = Router("escalation")

PICKED_UP, TRANSFERRED, ENDED, REOPENED = 1, 2, 3, 4  # session_status_change change_type (kf.md §3)


def _from_servicer(event: KfMessageReceived, _: Ctx) -> bool:
    return event.origin == 5


@router.on(KfMessageReceived, when=_from_servicer, block=False)
async def note_servicer_reply(event: KfMessageReceived, ctx: Ctx) -> None:
    """A human wrote in the chat from the WeCom client: the ticket has its first response."""
    if ctx.customer is None:
        return
    ticket = await ctx.repos.tickets.find_open(ctx.customer.id)
    if ticket is not None:
        first_response(ctx, ticket, by=event.servicer_userid or "servicer")


@router.on(KfSessionStatusChanged)
async def follow_session_change(event: KfSessionStatusChanged, ctx: Ctx) -> None:
    """Keep the ticket in step with what servicers do in the client."""
    customer = ctx.customer
    if customer is None:
        return
    ticket = await ctx.repos.tickets.find_open(customer.id)
    new, old = event.new_servicer_userid, event.old_servicer_userid
    if event.change_type == ENDED:
        if ticket is not None:
            # The end code allows one goodbye within 20 s, like a welcome code (kf.md §5).
            await resolve(ctx, ticket, customer, by=old or "servicer", note="客服在客户端结束会话",
                          end_code=event.msg_code, code_deadline=welcome_deadline(ctx, event.create_time))
        return
    if event.change_type not in (PICKED_UP, TRANSFERRED, REOPENED) or not new:
        return
    if ticket is None:
        # A servicer took the chat without a ticket (re-opened an ended chat, or picked it from
        # WeCom's own queue): open one so the persona stays silent and the work is on record.
        ticket = await open_ticket(ctx, customer, Trigger("servicer"), "", open_kfid=event.open_kfid, actor=new,
                                   route=False)
    previous = ticket.advisor_userid
    ticket.status, ticket.advisor_userid, ticket.kf_servicer, ticket.kf_outbox_id = ASSIGNED, new, new, None
    ticket.assigned_at = ticket.assigned_at or ctx.clock.now()
    audit(ctx, ticket, "kf_" + {PICKED_UP: "picked_up", TRANSFERRED: "transferred", REOPENED: "reopened"}[
        event.change_type], actor=new, previous=previous)
    if event.change_type in (PICKED_UP, REOPENED):
        # Picking the chat up from the reception pool is a person answering the customer (the
        # client shows them joining); re-opening means the servicer is writing to the customer.
        first_response(ctx, ticket, by=new)
