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
}
