"""Escalation tickets and staff confirmations waiting for an answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage import groupreads, newcomers
from storage.models import StaffPending, Ticket
from storage.txinfo import OPEN_TICKETS

OPEN_TICKET = ("queued", "pooled", "assigned")  # pooled: waiting in WeCom's reception pool


class TicketRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, ticket: Ticket) -> Ticket:
        self.session.add(ticket)
        return ticket

    async def get(self, ticket_id: int) -> Ticket:
        row = await self.session.get(Ticket, ticket_id)
        if row is None:
            raise LookupError(f"ticket {ticket_id} not found")
        return row

    async def find(self, ticket_id: int) -> Ticket | None:
        return await self.session.get(Ticket, ticket_id)

    async def find_open(self, customer_id: int) -> Ticket | None:
        """The customer's open ticket (at most one is kept open per customer). Read for the whole
        group of events the inbox prefetched, once per transaction (storage/groupreads.py)."""
        if newcomers.rows_of(self.session, Ticket, customer_id) == []:  # created in this transaction: none
            return None
        known = groupreads.known(self.session, OPEN_TICKETS)
        if customer_id not in known:
            wanted = groupreads.group(self.session, customer_id, known)
            stmt = (select(Ticket).where(Ticket.customer_id.in_(wanted), Ticket.status.in_(OPEN_TICKET))
                    .order_by(Ticket.id))
            found = {row.customer_id: row for row in (await self.session.scalars(stmt)).all()}  # the latest wins
            known.update({i: found.get(i) for i in wanted})
        opened = [t for t in groupreads.pending(self.session, Ticket, customer_id) if t.status in OPEN_TICKET]
        ticket = opened[-1] if opened else known[customer_id]
        return ticket if ticket is not None and ticket.status in OPEN_TICKET else None

    async def find_by_transfer(self, outbox_id: int) -> Ticket | None:
        """The open ticket waiting for WeCom's answer to this kf/service_state/trans row."""
        return await self.session.scalar(select(Ticket).where(Ticket.kf_outbox_id == outbox_id,
                                                              Ticket.status.in_(OPEN_TICKET)).limit(1))

    async def open(self, *, advisor: str | None = None, status: str | None = None) -> list[Ticket]:
        stmt = select(Ticket).where(Ticket.status.in_([status] if status else OPEN_TICKET))
        if advisor is not None:
            stmt = stmt.where(Ticket.advisor_userid == advisor)
        return list((await self.session.scalars(stmt.order_by(Ticket.id))).all())

    async def ended_chat_since(self, customer_id: int, since: datetime) -> bool:
        """Did a person hold the customer's kf chat and close it since `since`? Closing ends the
        kf session (kf.md §6): the API may not write until the customer writes again."""
        stmt = select(Ticket.id).where(Ticket.customer_id == customer_id, Ticket.open_kfid != "",
                                       Ticket.assigned_at.is_not(None), Ticket.resolved_at >= since).limit(1)
        return await self.session.scalar(stmt) is not None

    async def last_assigned(self, userids: list[str]) -> dict[str, datetime]:
        """When each advisor last got a ticket, for round-robin (least recently assigned first)."""
        stmt = (select(Ticket.advisor_userid, func.max(Ticket.assigned_at))
                .where(Ticket.advisor_userid.in_(userids), Ticket.assigned_at.is_not(None))
                .group_by(Ticket.advisor_userid))
        return {userid: at for userid, at in (await self.session.execute(stmt)).all() if at is not None}


class StaffPendingRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: StaffPending) -> StaffPending:
        self.session.add(row)
        return row

    async def latest(self, staff_userid: str, kind: str, *, now: datetime) -> StaffPending | None:
        """The member's newest unexpired pending item of this kind."""
        stmt = (select(StaffPending).where(StaffPending.staff_userid == staff_userid, StaffPending.kind == kind,
                                           StaffPending.status == "pending", StaffPending.expires_at > now)
                .order_by(StaffPending.id.desc()).limit(1))
        return await self.session.scalar(stmt)

    async def recent(self, kind: str, *, statuses: tuple[str, ...], limit: int) -> list[StaffPending]:
        """Everyone's latest items of this kind in these statuses, newest first (the console's lists)."""
        stmt = (select(StaffPending).where(StaffPending.kind == kind, StaffPending.status.in_(statuses))
                .order_by(StaffPending.id.desc()).limit(limit))
        return list((await self.session.scalars(stmt)).all())

    async def cancel_all(self, staff_userid: str, kind: str) -> None:
        stmt = select(StaffPending).where(StaffPending.staff_userid == staff_userid, StaffPending.kind == kind,
                                          StaffPending.status == "pending")
        for row in (await self.session.scalars(stmt)).all():
            row.status = "cancelled"


@event.listens_for(Session, "after_flush")
def _opened_tickets(session: Session, _context: Any) -> None:
    """A ticket this transaction opened is the customer's open ticket from now on."""
    known: dict[int, Ticket | None] | None = session.info.get(OPEN_TICKETS)
    if known:
        for row in sorted((r for r in session.new if isinstance(r, Ticket)), key=lambda r: r.id):
            if row.customer_id in known and row.status in OPEN_TICKET:
                known[row.customer_id] = row


groupreads.forget_on_bulk_writes(OPEN_TICKETS, "ticket", "customer")
