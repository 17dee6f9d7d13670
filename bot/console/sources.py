"""Where the console's escalation queue, campaigns and extra customer facts come from.

Each feature implements its protocol over its own repositories (handlers/escalation/console.py,
handlers/community/console.py) and `default_sources()` wires them. A source left out (a test, a
trimmed build) makes its page say so instead of showing an empty list that looks like "nothing
to do". Sources that act (claim, resolve) get a handler `Context` for the console's session from
the `context` factory, so they run the same functions as the staff commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Awaitable, Callable, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Customer

if TYPE_CHECKING:
    from bot.context import Context


@dataclass(frozen=True, slots=True)
class TicketView:
    id: int
    customer_name: str
    external_userid: str
    summary: str  # what the customer needs, short
    status: str  # open | claimed | resolved
    opened_at: datetime
    assignee: str = ""  # staff userid
    sla_due_at: datetime | None = None


class TicketSource(Protocol):
    """The escalation queue (issue 5). Claim/resolve run in the console's transaction."""

    async def queue(self, session: AsyncSession) -> list[TicketView]: ...

    async def claim(self, session: AsyncSession, ticket_id: int, staff: str) -> str: ...

    async def resolve(self, session: AsyncSession, ticket_id: int, staff: str) -> str: ...


@dataclass(frozen=True, slots=True)
class CampaignView:
    id: int
    name: str
    state: str  # draft | running | ended
    starts: datetime | None
    ends: datetime | None
    participants: int
    checkin_rate: float | None  # today's, 0..1


@dataclass(frozen=True, slots=True)
class LeaderRow:
    name: str
    score: float


@dataclass(frozen=True, slots=True)
class TopicView:
    name: str
    state: str
    posts: int


class CampaignSource(Protocol):
    """Check-in campaigns, their leaderboards and group topics (issue 4)."""

    async def campaigns(self, session: AsyncSession) -> list[CampaignView]: ...

    async def leaderboard(self, session: AsyncSession, campaign_id: int, limit: int = 10) -> list[LeaderRow]: ...

    async def topics(self, session: AsyncSession) -> list[TopicView]: ...


# (label, value) pairs shown on a customer's page, e.g. ("积分", "120").
CustomerFacts = Callable[[AsyncSession, Customer], Awaitable[list[tuple[str, str]]]]


@dataclass(frozen=True, slots=True)
class ConsoleSources:
    tickets: TicketSource | None = None
    campaigns: CampaignSource | None = None
    customer_facts: tuple[CustomerFacts, ...] = ()


def default_sources(context: Callable[[AsyncSession], Context]) -> ConsoleSources:
    """The sources this build of Wanzi has: the ticket queue, campaigns and topics, points."""
    from handlers.community.console import CommunityCampaigns, points_fact
    from handlers.escalation.console import EscalationTickets

    return ConsoleSources(tickets=EscalationTickets(context), campaigns=CommunityCampaigns(context),
                          customer_facts=(points_fact(context),))
