"""Repositories: the only SQL outside storage/queues.py, grouped by feature; `Repos` binds them all
to one session for a handler's Context."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.queues import InboundRepo, KfCursorRepo, OutboxRepo
from storage.repos.antispam import PushCounts, PushLedger, PushRepo
from storage.repos.checkin import CampaignRepo
from storage.repos.customers import CustomerRepo, GroupRepo
from storage.repos.escalation import OPEN_TICKET, StaffPendingRepo, TicketRepo
from storage.repos.greeting import GroupWelcomeRepo
from storage.repos.messages import KfWindowRepo, MessageRepo
from storage.repos.notes import CustomerNoteRepo
from storage.repos.points import PointsRepo
from storage.repos.referral import ReferralRepo
from storage.repos.replies import UnansweredRepo
from storage.repos.staff import AuditRepo, StaffRepo
from storage.repos.tagging import RuleHitRepo, StageRepo, TagRepo, TagSyncRepo
from storage.repos.topics import InterestRepo, TopicRepo

__all__ = ["AuditRepo", "CampaignRepo", "CustomerNoteRepo", "CustomerRepo", "GroupRepo", "GroupWelcomeRepo",
           "InterestRepo", "KfWindowRepo", "MessageRepo", "OPEN_TICKET", "PointsRepo", "PushCounts", "PushLedger",
           "PushRepo", "ReferralRepo", "Repos", "RuleHitRepo", "StaffPendingRepo", "StaffRepo", "StageRepo", "TagRepo",
           "TagSyncRepo", "TicketRepo", "TopicRepo", "UnansweredRepo"]


@dataclass(frozen=True, slots=True)
class Repos:
    """Every repository bound to one session, handed to handlers in their Context."""

    customers: CustomerRepo
    staff: StaffRepo
    tags: TagRepo
    groups: GroupRepo
    messages: MessageRepo
    audit: AuditRepo
    inbound: InboundRepo
    outbox: OutboxRepo
    kf_cursors: KfCursorRepo
    tag_sync: TagSyncRepo
    rule_hits: RuleHitRepo
    stages: StageRepo
    pushes: PushRepo
    unanswered: UnansweredRepo
    group_welcomes: GroupWelcomeRepo
    tickets: TicketRepo
    pending: StaffPendingRepo

    @classmethod
    def bind(cls, session: AsyncSession) -> Repos:
        return cls(CustomerRepo(session), StaffRepo(session), TagRepo(session), GroupRepo(session),
                   MessageRepo(session), AuditRepo(session), InboundRepo(session), OutboxRepo(session),
                   KfCursorRepo(session), TagSyncRepo(session), RuleHitRepo(session), StageRepo(session),
                   PushRepo(session), UnansweredRepo(session), GroupWelcomeRepo(session), TicketRepo(session),
                   StaffPendingRepo(session))
