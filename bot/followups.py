"""Follow-ups: act on WeCom's answer to an outbox row in the transaction that marks it sent.

Some calls are useful for what they return: add_contact_way gives the QR code a customer asked
for, add_msg_template the task msgid we read back later, kf/service_state/trans the msg_code that
allows one goodbye. Features register `async (ctx, item) -> None` steps per API
(`Feature.followups`); `item.result` holds WeCom's answer, and a step may write and queue
outbox rows through `ctx.outbox`.

Some calls matter when WeCom refuses them: a refused kf/service_state/trans means the customer is
not with the person we named. Steps registered for failures (`Feature.on_failure`) run the same
way in the transaction that marks the row dead or expired, with its errcode and reason on it, so
what the refusal calls for (tell staff, route elsewhere) happens at once, not at a later sweep.

Robustness: the steps run inside the delivery worker's "mark sent" (or "mark failed")
transaction, each in its own savepoint. What a step queues commits together with the mark; a
step that fails is rolled back alone and logged, and the mark stays, so the call is never made
twice. Features whose step may fail keep their own "answer not applied yet" state, which a sweep
job picks up.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from storage.models import OutboxItem, OutboxStatus

log = logging.getLogger(__name__)

FollowUp = Callable[[Any, OutboxItem], Awaitable[None]]  # (ctx: handlers.services.Ctx, the sent row)


class FollowUps:
    def __init__(self, make_context: Callable[[AsyncSession], Context[Any]],
                 registry: Mapping[str, Sequence[FollowUp]],
                 failures: Mapping[str, Sequence[FollowUp]] | None = None) -> None:
        self.make_context = make_context
        self.registry = registry
        self.failures = failures or {}

    def has_steps(self, api: str) -> bool:
        """Whether any step follows a row of this API (else no outcome of it can queue rows)."""
        return bool(self.registry.get(api) or self.failures.get(api))

    def follows(self, api: str, status: str) -> bool:
        """Whether any step follows a row of this API ending with this status (`run` would run one)."""
        if status == OutboxStatus.SENT:
            return bool(self.registry.get(api))
        return status in (OutboxStatus.DEAD, OutboxStatus.EXPIRED) and bool(self.failures.get(api))

    async def run(self, session: AsyncSession, item: OutboxItem) -> None:
        """Run the steps registered for this row's API and outcome (sent, or dead/expired); never raises."""
        if item.status == OutboxStatus.SENT:
            steps = self.registry.get(item.api)
        elif item.status in (OutboxStatus.DEAD, OutboxStatus.EXPIRED):
            steps = self.failures.get(item.api)
        else:
            return
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
