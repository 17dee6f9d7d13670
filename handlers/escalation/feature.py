"""Escalation to a human advisor: rules, tickets, routing, kf hand-over, the SLA watch, the staff
commands on tickets, the console's ticket queue and the service numbers in the digest.

The persona's reply handler asks `escalation_trigger` before answering and `escalate` hands over."""

from bot.config import Section
from bot.feature import Feature
from handlers.escalation import commands, console, digest, routes, servicers, sla
from handlers.escalation.config import EscalationConfig
from handlers.escalation.holding import hold_while_staffed
from handlers.escalation.transfers import TRANS, after_refused_transfer, after_transfer, send_notice

FEATURE = Feature(
    name="escalation",
    priority=90,
    routers=(routes.router,),
    commands=commands.COMMANDS,
    jobs=sla.jobs,
    followups={TRANS: (send_notice, after_transfer)},
    on_failure={TRANS: (after_refused_transfer,)},
    claim_checks=(hold_while_staffed,),  # no kf/send_msg while a person has the chat
    digest=(digest.ESCALATIONS,),
    console=console.PAGES,
    config=(Section("escalation", EscalationConfig),),
    preflight=(servicers.check_servicers,),
)
