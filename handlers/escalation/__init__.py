"""Escalation to a human advisor: rules, tickets, routing, kf hand-over and the SLA watch.

The persona's chat handler calls `escalate_if_needed` before answering; staff commands call
the ticket operations in `tickets`; the scheduler runs `sla.watch_tickets` every minute.
"""

from handlers.escalation.api import escalate, escalate_if_needed, held_by_advisor, record_unanswered
from handlers.escalation.events import router
from handlers.escalation.followups import followups
from handlers.escalation.rules import Trigger, is_question
from handlers.escalation.sla import jobs

__all__ = ["Trigger", "escalate", "escalate_if_needed", "followups", "held_by_advisor", "is_question", "jobs",
           "record_unanswered", "router"]
