"""Follow-ups: act on WeCom's answer to an outbox row in the transaction that marks it sent.

Some calls are useful for what they return: add_contact_way gives the QR code a customer asked
for, add_msg_template the task msgid we read back later, kf/service_state/trans the msg_code that
allows one goodbye. Features register `async (ctx, item) -> None` steps per API
(`Feature.followups`); `item.result` holds WeCom's answer, and a step may write and queue
outbox rows through `ctx.outbox`.

Robustness: the steps run inside the delivery worker's "mark sent" transaction, each in its own
savepoint. What a step queues commits together with "sent"; a step that fails is rolled back
alone and logged, and the row stays sent, so the call is never made twice. Features whose step
may fail keep their own "answer not applied yet" state, which a sweep job picks up.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from storage.models import OutboxItem

log = logging.getLogger(__name__)

FollowUp = Callable[[Any, OutboxItem], Awaitable[None]]  # (ctx: handlers.services.Ctx, the sent row)


class FollowUps:
    def __init__(self, make_context: Callable[[AsyncSession], Context[Any]],
                 registry: Mapping[str, Sequence[FollowUp]]) -> None:
        self.make_context = make_context
        self.registry = registry

    async def run(self, session: AsyncSession, item: OutboxItem) -> None:
        """Run the steps registered for this row's API; never raises."""
        steps = self.registry.get(item.api)
        if not steps:
            return
        ctx = self.make_context(session)
        for step in steps:
            try:
                async with session.begin_nested():
                    await step(ctx, item)
            except Exception:  # the delivery stays recorded; the feature's sweep applies it later
                log.exception("outbox follow-up failed", extra={"outbox_id": item.id, "api": item.api,
                                                                "step": getattr(step, "__name__", "")})
