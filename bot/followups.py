"""Follow-ups: act on WeCom's answer to an outbox row once the delivery worker marked it sent.

Some calls are only useful for what they return: add_contact_way gives the QR code a customer
asked for, add_msg_template gives the task msgid whose delivery we read back later. Features
register `async (ctx, item) -> None` functions per API (handlers.all_followups); they run in one
transaction with a Context like jobs get, and may write and queue outbox rows.

Robustness: the row is marked sent *before* its follow-ups run, so a crash or a bug here can
never make WeCom receive the call twice. Each feature keeps its own "answer not applied yet"
state (e.g. a participant whose contact way is still `pending`) and a sweep job applies what a
follow-up missed; follow-ups are therefore written to be idempotent.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.context import Context
from storage.models import OutboxItem

log = logging.getLogger(__name__)

FollowUp = Callable[[Context, OutboxItem], Awaitable[None]]


class FollowUps:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], make_context: Callable[[AsyncSession], Context],
                 registry: Mapping[str, Sequence[FollowUp]], *, on_outbox: Callable[[], None] = lambda: None) -> None:
        self.sessions = sessions
        self.make_context = make_context
        self.registry = registry
        self.on_outbox = on_outbox

    async def after_sent(self, item_id: int, api: str) -> None:
        """Run the follow-ups registered for `api` on this delivered row."""
        steps = self.registry.get(api)
        if not steps:
            return
        try:
            async with self.sessions.begin() as session:
                item = await session.get(OutboxItem, item_id)
                if item is None or item.status != "sent":
                    return
                ctx = self.make_context(session)
                for step in steps:
                    await step(ctx, item)
        except Exception:
            # The delivery is already recorded; the feature's sweep job applies this answer later.
            log.exception("outbox follow-up failed", extra={"outbox_id": item_id, "api": api})
            return
        self.on_outbox()
