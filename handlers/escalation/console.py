"""The console's escalation queue over the `ticket` table (bot/console/sources.TicketSource).

Claim and resolve run the same functions as /claim and /resolve, inside the console's
transaction: the kf chat moves to the member or back to the persona, the first-response clock
stops, and every step is audited as "ticket.<action>". The member is whoever logged in to the
console, by WeCom userid or by the name in the staff table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.sources import TicketView
from bot.context import Context
from bot.errors import CommandError
from handlers.escalation.notify import customer_label
from handlers.escalation.rules import Trigger
from handlers.escalation.tickets import claim_ticket, resolve_ticket
from storage.models import Customer, Staff, Ticket

ContextFactory = Callable[[AsyncSession], Context]
RESOLVED_SHOWN = timedelta(hours=24)  # recently closed tickets stay in the list for a day
LIMIT = 200


def view_of(ticket: Ticket, customer: Customer) -> TicketView:
    # Waiting for a human (queued, or routed but not yet answered) is what "open" means to staff.
    waiting = ticket.status == "queued" or (ticket.status == "assigned" and ticket.first_response_at is None)
    status = "resolved" if ticket.status == "resolved" else "open" if waiting else "claimed"
    question = " ".join(ticket.question.split())
    summary = Trigger.parse(ticket.reason).label + (f"：{question[:60]}" if question else "")
    return TicketView(id=ticket.id, customer_name=customer_label(customer), external_userid=customer.external_userid,
                      summary=summary, status=status, opened_at=ticket.created_at, assignee=ticket.advisor_userid,
                      sla_due_at=ticket.due_at if ticket.first_response_at is None else None)


class EscalationTickets:
    """Open tickets oldest first, then those closed in the last day."""

    def __init__(self, context: ContextFactory) -> None:
        self.context = context

    async def queue(self, session: AsyncSession) -> list[TicketView]:
        ctx = self.context(session)
        since = ctx.clock.now() - RESOLVED_SHOWN
        rows = (await session.execute(
            select(Ticket, Customer).join(Customer, Customer.id == Ticket.customer_id)
            .where((Ticket.status != "resolved") | (Ticket.resolved_at >= since))
            .order_by(Ticket.status == "resolved", Ticket.created_at).limit(LIMIT))).all()
        return [view_of(t, c) for t, c in rows]

    async def claim(self, session: AsyncSession, ticket_id: int, staff: str) -> str:
        ctx = self.context(session)
        member = await self._member(ctx, staff)
        if member is None:
            return f"「{staff}」不是已登记的员工，不能认领工单。"
        try:
            async with session.begin_nested():
                ticket, customer = await claim_ticket(ctx.with_(staff=member), ticket_id, member)
        except CommandError as exc:
            return str(exc)
        return f"已认领 #{ticket.id}（{customer_label(customer)}），微信客服会话转给 {member.userid}"

    async def resolve(self, session: AsyncSession, ticket_id: int, staff: str) -> str:
        ctx = self.context(session)
        member = await self._member(ctx, staff)
        if member is None:
            return f"「{staff}」不是已登记的员工，不能结单。"
        try:
            async with session.begin_nested():
                ticket, customer, handed_back = await resolve_ticket(ctx.with_(staff=member), ticket_id, member)
        except CommandError as exc:
            return str(exc)
        return f"已解决 #{ticket.id}（{customer_label(customer)}）" + ("，会话已交还小助手" if handed_back else "")

    @staticmethod
    async def _member(ctx: Context, login: str) -> Staff | None:
        found = await ctx.repos.staff.find(login)
        if found is not None:
            return found
        named = [s for s in await ctx.repos.staff.list() if s.name == login]
        return named[0] if len(named) == 1 else None
