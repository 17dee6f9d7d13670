"""Parked orders meet their customer: a worker attaches orders whose buyer has become a customer
(a new friend or kf visitor with that external_userid, or a customer whose WeChat unionid the
profile reader learnt) and books what they earn. It is woken after every dispatched event, so an
order parked before its buyer added a member is attached right after the add."""

from __future__ import annotations

from typing import Sequence

from bot.feature import WorkerKit
from bot.workers import StepWorker, Worker
from handlers.orders.service import match_parked

BATCH = 100


def workers(kit: WorkerKit) -> Sequence[Worker]:
    return (StepWorker("orders-matching", lambda: match_due(kit), kit.config.worker.poll_interval_s,
                       wants=("customer", "shop_order")),)


async def match_due(kit: WorkerKit) -> int:
    async with kit.sessions.begin() as session:
        attached = await match_parked(kit.contexts(session), limit=BATCH)
    if attached:
        kit.on_outbox()
    return attached
