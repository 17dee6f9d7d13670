"""Repositories: the only SQL outside storage/queues.py, grouped by feature; `Repos` binds them all
to one session for a handler's Context."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.queues import InboundRepo, KfCursorRepo, OutboxRepo
from storage.repos.community import (CampaignRepo, InterestRepo, KfWindowRepo, PointsRepo, ReferralRepo,
                                     TopicRepo)
from storage.repos.escalation import OPEN_TICKET, StaffPendingRepo, TicketRepo
from storage.repos.people import AuditRepo, CustomerRepo, GroupRepo, MessageRepo, StaffRepo, TagRepo
from storage.repos.persona import (GroupWelcomeRepo, PushCounts, PushLedger, PushRepo, RuleHitRepo, StageRepo,
                                   TagSyncRepo, UnansweredRepo)

__all__ = ["AuditRepo", "CampaignRepo", "CustomerRepo", "GroupRepo", "GroupWelcomeRepo", "InterestRepo",
           "KfWindowRepo", "MessageRepo", "OPEN_TICKET", "PointsRepo", "PushCounts", "PushLedger", "PushRepo",
           "ReferralRepo", "Repos", "RuleHitRepo", "StaffPendingRepo", "StaffRepo", "StageRepo", "TagRepo",
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
