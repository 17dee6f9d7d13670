"""The staff command type. Features list their commands on their FEATURE; the staff feature's
router runs them (role check, savepoint, audit) and `/help` lists them.

A parser turns the words after the command into arguments or raises CommandError (nothing is
looked up or written yet). A runner does the work inside a savepoint and returns the reply; any
CommandError it raises rolls its writes back, so a command applies fully or not at all.

A `read_only` command (e.g. /help) writes nothing and shows no customer's data: it runs without
the savepoint and leaves no audit row (three statements fewer each time; commands that show a
customer, like /whois, stay audited: who looked is part of the customer's data rights).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from bot import roles


class Markdown(str):
    """A command answer to send as WeCom markdown (the digest) rather than plain text."""


Parser = Callable[[list[str]], Any]
Runner = Callable[[Any, Any], Awaitable[str]]  # (ctx, parsed arguments) -> the answer


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # "/tag"
    role: str  # the least role that may run it: advisor < operator < admin
    usage: str  # one line, shown with every error
    summary: str
    parse: Parser
    run: Runner
    order: int = 100  # place in /help
    read_only: bool = False  # writes nothing, shows no customer: no savepoint, no audit row

    def allows(self, role: str) -> bool:
        return roles.allows(role, self.role)
