"""Router, filters and middlewares: one entry, `Dispatcher.feed(event, ctx)`, for callbacks,
kf entries, the scheduler and tests.

A handler is a plain `async def (event, ctx) -> None` registered on a feature's Router with
filters. Routes run in registration order; the first matching *blocking* route ends the
dispatch, non-blocking ones (observers such as tagging) run and let the event go on.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Iterable, Sequence

from bot.context import Context
from bot.wecom.events import AppMessageReceived, Event, KfEntry, KfMessageReceived

log = logging.getLogger(__name__)

Handler = Callable[[Event, Context], Awaitable[None]]
Predicate = Callable[[Event, Context], bool]
Next = Callable[[Event, Context], Awaitable[None]]
Middleware = Callable[[Event, Context, Next], Awaitable[None]]


def chat_kind(event: Event) -> str:
    """Where the event happened: kf (customer 1:1), app (staff), contact or group."""
    if isinstance(event, KfEntry):
        return "kf"
    if isinstance(event, AppMessageReceived):
        return "app"
    name = type(event).__name__
    if name.startswith("Group"):
        return "group"
    return "contact"


def event_text(event: Event) -> str:
    if isinstance(event, KfMessageReceived):
        return event.text
    if isinstance(event, AppMessageReceived):
        return event.content
    return ""


@dataclass(frozen=True, slots=True)
class Route:
    handler: Handler
    events: tuple[type[Event], ...]
    chat: str | None = None
    text: re.Pattern[str] | None = None
    roles: frozenset[str] | None = None
    when: Predicate | None = None
    block: bool = True

    def matches(self, event: Event, ctx: Context) -> bool:
        if self.events and not isinstance(event, self.events):
            return False
        if self.chat and chat_kind(event) != self.chat:
            return False
        if self.text is not None and not self.text.search(event_text(event)):
            return False
        if self.roles is not None and (ctx.staff is None or ctx.staff.role not in self.roles):
            return False
        return self.when is None or self.when(event, ctx)


@dataclass
class Router:
    name: str
    routes: list[Route] = field(default_factory=list)

    def on(self, *events: type[Event], chat: str | None = None, text: str | None = None,
           roles: Iterable[str] | None = None, when: Predicate | None = None,
           block: bool = True) -> Callable[[Handler], Handler]:
        """Register a handler for events of these types that pass every given filter."""
        pattern = re.compile(text) if text is not None else None
        role_set = frozenset(roles) if roles is not None else None

        def register(handler: Handler) -> Handler:
            self.routes.append(Route(handler, tuple(events), chat, pattern, role_set, when, block))
            return handler

        return register


class Dispatcher:
    def __init__(self, routers: Sequence[Router], middlewares: Sequence[Middleware] = ()) -> None:
        self.routers = list(routers)
        self.middlewares = list(middlewares)

    async def feed(self, event: Event, ctx: Context) -> list[str]:
        """Run middlewares then matching handlers; returns the names of the handlers that ran."""
        ran: list[str] = []

        async def route(ev: Event, c: Context) -> None:
            for router in self.routers:
                for r in router.routes:
                    if r.matches(ev, c):
                        ran.append(f"{router.name}.{r.handler.__name__}")
                        await r.handler(ev, c)
                        if r.block:
                            return

        call: Next = route
        for mw in reversed(self.middlewares):
            call = _wrap(mw, call)
        await call(event, ctx)
        return ran


def _wrap(mw: Middleware, nxt: Next) -> Next:
    async def run(event: Event, ctx: Context) -> None:
        await mw(event, ctx, nxt)

    return run
