"""Console actions: a form runs the same service function as the slash command, for the signed-in
member, in a savepoint. A CommandError is shown as the command shows it and nothing is written;
success is audited as `console:<userid>` and the outbox rows it queued leave at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping

from aiohttp import web
from multidict import MultiDictProxy

from bot.appkeys import CLOCK
from bot.console.frame import actor, context, signed_in, wake_delivery, writer
from bot.context import Context
from bot.errors import CommandError
from storage.repos import AuditRepo

Work = Callable[[Context[Any]], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Outcome:
    message: str = ""  # what the command would have answered
    error: str = ""  # the CommandError's text: nothing was written

    @property
    def ok(self) -> bool:
        return not self.error


async def act(request: web.Request, work: Work, *, action: str, target: str | Callable[[], str] = "",
              detail: Mapping[str, Any] | None = None) -> Outcome:
    """Run `work` with a Context whose staff is the signed-in member (as a slash command runs).
    `target` may be a function, read after `work` (which may learn it, e.g. a customer's id)."""
    now = request.config_dict[CLOCK].now()
    async with writer(request).begin() as session:
        ctx = context(request, session)
        member = await ctx.repos.staff.find(signed_in(request).userid)
        if member is None or not member.active:
            raise web.HTTPForbidden(text="你已不在员工名单里，不能再操作。")
        try:
            async with session.begin_nested():
                message = await work(ctx.with_(staff=member))
        except CommandError as exc:
            return Outcome(error=str(exc))
        name = target() if callable(target) else target
        AuditRepo(session).record(actor=actor(request), action=action, target=name[:128],
                                  detail=dict(detail or {}), now=now)
    wake_delivery(request)
    return Outcome(message=message)


Form = Mapping[str, str]


async def form_of(request: web.Request, *, limit: int = 512) -> dict[str, str]:
    """The posted fields as stripped strings (the first value of each, at most `limit` characters;
    the inputs' maxlength says the same to a browser)."""
    posted: MultiDictProxy[Any] = await request.post()
    return {k: str(posted.get(k, "")).strip()[:limit] for k in posted.keys() if k != "csrf"}


def values(form: Form | None, **defaults: str) -> dict[str, str]:
    """A form's fields: what was posted (shown again after an error), else the defaults."""
    return {k: (form or {}).get(k, v) for k, v in defaults.items()}
