"""The template keys Wanzi renders and the facts each may use; persona files are linted against it."""

from __future__ import annotations

COMMON = frozenset({"persona", "brand", "address", "signoff"})

# key -> facts the code supplies when rendering it
TEMPLATE_FACTS: dict[str, frozenset[str]] = {
    "greeting.new_friend": frozenset({"name", "staff", "channel"}),
    "greeting.kf_welcome": frozenset({"name", "scene"}),
    "reply.fallback": frozenset({"name"}),
    "reply.faq": frozenset({"name", "answer"}),
    "reply.opt_out": frozenset({"name"}),
    "reply.opt_in": frozenset({"name"}),
    "staff.help": frozenset({"staff", "commands"}),
    "staff.unknown_command": frozenset({"staff", "command"}),
    "staff.not_allowed": frozenset({"staff", "command", "role"}),
    # --- issue 5: escalation to human advisors (customer-facing, persona voice) ---------------
    "escalation.handoff": frozenset({"name", "advisor"}),  # an advisor is taking the chat over
    "escalation.queued": frozenset({"name"}),  # working hours, nobody free yet
    "escalation.queued_off_hours": frozenset({"name", "opens_at"}),  # out of hours: when they are back
    "escalation.already_open": frozenset({"name", "advisor"}),  # asked again while the ticket waits
    "escalation.follow_up": frozenset({"name", "advisor"}),  # the advisor closed the ticket
    # --- end issue 5 ---------------------------------------------------------------------------
}
