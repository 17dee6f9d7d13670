"""Handing a customer's message to the model instead of a canned fallback.

The handler runs inside the dispatch transaction, which on SQLite holds the database's write lock
(the callback intake needs it to acknowledge WeCom within 5 s), so it never waits for the model: it
queues the message with a deadline (now + llm.timeout_s) and the worker (worker.py) answers it,
with the model's words or, on any failure, the embedded answer, in one reply either way.
"""

from __future__ import annotations

from datetime import timedelta

from bot.llm import LlmConfig
from bot.wecom.events import KfMessageReceived
from handlers.services import Ctx
from storage.repos.llm import LlmReplyRepo


async def ask_model(ctx: Ctx, event: KfMessageReceived, text: str, *, kind: str, stage: str | None) -> bool:
    """Queue the message for the model; False when the embedded path must answer now (the backend
    is off, or a stage push is about to follow: the answer must leave before the push)."""
    config = ctx.settings.of(LlmConfig)
    customer = ctx.customer
    if not config.enabled or customer is None or not text or stage:
        return False
    now = ctx.clock.now()
    LlmReplyRepo(ctx.session).add(customer_id=customer.id, open_kfid=event.open_kfid, text=text, fallback=kind,
                                  deadline=now + timedelta(seconds=config.timeout_s), now=now)
    return True
