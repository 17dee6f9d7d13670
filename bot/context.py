"""The Context every handler, job and follow-up receives: who, where, storage, persona, the
features' services, and a way to reply. One ContextFactory (built once per app) makes them for the
inbox, the scheduler, delivery follow-ups, the console, broadcasts and tests alike."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Callable, Generic, Mapping, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Config
from bot.outbox import Outbox
from bot.wecom.events import AppMessageReceived, Event, KfEntry
from persona import Persona, Rendered
from storage.models import Customer, Staff
from storage.repos import Repos

S = TypeVar("S")
log = logging.getLogger("wanzi.handlers")


@dataclass(frozen=True, slots=True)
class Context(Generic[S]):
    session: AsyncSession
    repos: Repos
    outbox: Outbox
    persona: Persona
    clock: Clock
    settings: Config
    services: S  # the features' typed services (handlers.services.Services), built once per app
    log: logging.LoggerAdapter[logging.Logger]
    event: Event | None = None
    received_at: datetime | None = None  # when our callback endpoint accepted the event
    customer: Customer | None = None
    staff: Staff | None = None
    channel_overlays: Mapping[str, str] | None = None  # acquisition channel → persona [channels.<name>]

    def with_(self, **changes: Any) -> Context[S]:
        return replace(self, **changes)

    @property
    def local_now(self) -> datetime:
        return self.clock.now().astimezone(ZoneInfo(self.settings.persona.timezone))

    @property
    def local_hour(self) -> int:
        return self.local_now.hour

    @property
    def channel_override(self) -> str:
        """The persona overlay ([channels.<name>]) for the customer's acquisition channel."""
        channel = self.customer.channel if self.customer else ""
        return (self.channel_overlays or {}).get(channel, channel)

    def render(self, key: str, *, last_variant: int | None = None, overlay: str | None = None,
               slot: str | None = None, fits: Callable[[str], bool] | None = None, **facts: object) -> Rendered:
        """Render in the persona's voice, seeded per customer so phrasing varies between people;
        local time of day (or `slot`, see Persona.render), holidays and the customer's channel (or
        `overlay`) pick the texts; `fits` keeps only the phrasings it accepts."""
        seed = self.customer.external_userid if self.customer else (self.staff.userid if self.staff else "")
        local = self.local_now
        return self.persona.render(key, seed=f"{seed}|{self.clock.time() // 60:.0f}", last_variant=last_variant,
                                   hour=local.hour, on=local.date(), slot=slot, fits=fits,
                                   channel_override=self.channel_override if overlay is None else overlay, **facts)

    def fitting(self, key: str, fits: Callable[[str], bool], **facts: object) -> bool:
        """Whether `render` has a phrasing of `key` that `fits` accepts (same time, holiday, channel)."""
        local = self.local_now
        return self.persona.fitting(key, fits, hour=local.hour, on=local.date(), slot=None,
                                    channel_override=self.channel_override, **facts)

    async def reply(self, text: str, *, kind: str = "answer", template_key: str = "") -> None:
        """Answer whoever sent the current event, on the channel it came from."""
        event = self.event
        if isinstance(event, KfEntry):
            if self.customer is None:
                raise RuntimeError("kf reply without a customer in context")
            self.outbox.kf_send(event.open_kfid, self.customer, text, kind=kind, template_key=template_key)
        elif isinstance(event, AppMessageReceived):
            self.outbox.app_text(self.settings.wecom.agent_id, event.from_user, text, kind="notice")
        else:
            raise RuntimeError(f"cannot reply to {type(event).__name__}")

    async def say(self, key: str, *, kind: str = "answer", **facts: Any) -> Rendered:
        """Render a template (avoiding the customer's last phrasing of it) and reply with it."""
        last = None
        if self.customer is not None:
            last = await self.repos.messages.last_variant(self.customer.id, key)
        rendered = self.render(key, last_variant=last, **facts)
        await self.reply(rendered.text, kind=kind, template_key=f"{key}#{rendered.variant}")
        return rendered


class ContextFactory(Generic[S]):
    """Builds a Context for one session (and, for the inbox, one event)."""

    def __init__(self, *, persona: Persona, clock: Clock, config: Config, services: S,
                 channel_overlays: Mapping[str, str] | None = None) -> None:
        self.persona = persona
        self.clock = clock
        self.config = config
        self.services = services
        self.channel_overlays = dict(channel_overlays or {})

    def __call__(self, session: AsyncSession, event: Event | None = None, *,
                 received_at: datetime | None = None, repos: Repos | None = None) -> Context[S]:
        """`repos`: the session's repositories when the caller bound them already (`Repos.bind(session)`),
        e.g. once for all the events of one of the inbox's shared transactions: the repositories keep no
        state of their own (what a transaction read lives in the session), and binding 17 of them is about
        12 µs per event (bench/README.md, twenty-third slice)."""
        if repos is None:
            repos = Repos.bind(session)
        elif repos.customers.session is not session:
            raise ValueError("these repositories are bound to another session")
        return Context(session=session, repos=repos, outbox=Outbox(session, self.clock),
                       persona=self.persona, clock=self.clock, settings=self.config, services=self.services,
                       log=logging.LoggerAdapter(log, {"event_kind": event.kind if event else ""}),
                       event=event, received_at=received_at, channel_overlays=self.channel_overlays)
