"""The staff command type. Features list their commands on their FEATURE; the staff feature's
router runs them (role check, savepoint, audit) and `/help` lists them.

A parser turns the words after the command into arguments or raises CommandError (nothing is
looked up or written yet). A runner does the work inside a savepoint and returns the reply; any
CommandError it raises rolls its writes back, so a command applies fully or not at all.
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

    def allows(self, role: str) -> bool:
        return roles.allows(role, self.role)
