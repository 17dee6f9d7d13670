"""Parked orders meet their customer: a worker attaches orders whose buyer has become a customer
(a new friend or kf visitor with that external_userid, or a customer whose WeChat unionid the
profile reader learnt) and books what they earn. It is woken after every dispatched event, so an
order parked before its buyer added a member is attached right after the add.

A customer new in this very event (a kf visitor's first message, a new friend) has their parked orders
attached before any handler answers (`attach_on_arrival`): an order posted a moment before "我积分多少" counts in
that answer, its level-up said first, never "0 分" and a level-up right after (reported in the sandbox, conv28).
"""

from __future__ import annotations

from typing import Sequence

from bot.dispatcher import Router
from bot.feature import WorkerKit
from bot.wecom.events import FriendAdded, KfMessageReceived, KfSessionEntered
from bot.workers import StepWorker, Worker
from handlers.orders.service import attach, match_parked
from handlers.services import Ctx
from storage.newcomers import is_newcomer, may_have_parked, parked_attached
from storage.repos.orders import OrderRepo

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


router = Router("orders-arrival")


def _new_customer(event: FriendAdded | KfMessageReceived | KfSessionEntered, ctx: Ctx) -> bool:
    """A customer created in this transaction for whom orders may be parked: their insert found some under
    their external_userid, or was not asked (`CustomerRepo.upsert`), or they have a unionid hash; and theirs
    were not attached by an earlier event of the transaction (storage/newcomers.py `may_have_parked`)."""
    return (ctx.customer is not None and is_newcomer(ctx.session, ctx.customer.id)
            and may_have_parked(ctx.session, ctx.customer))


@router.on(FriendAdded, KfMessageReceived, KfSessionEntered, when=_new_customer, block=False)
async def attach_on_arrival(event: FriendAdded | KfMessageReceived | KfSessionEntered, ctx: Ctx) -> None:
    """The parked orders of a customer created by this event, attached (and their points booked) before the
    handlers read them; one indexed read, for the newcomers whose insert found some (`_new_customer`).

    Told by the insert, this sees the orders parked when the customer's group was inserted, and the later events
    of the same transaction skip it once it ran. On SQLite nobody else writes meanwhile; on PostgreSQL an order
    another replica parks after that is attached by the matching worker once this transaction commits (as one
    parked after this read always was)."""
    assert ctx.customer is not None
    # the read needs no pending row: an autoflush here split the shared transaction's batched inserts
    # (`python -m bench.perevent kf`: 1.2 → 6.9 statements per kf event; with it off 2.2, this one read)
    with ctx.session.no_autoflush:
        parked = await OrderRepo(ctx.session).parked_of(ctx.customer)
    for row in parked:
        await attach(ctx, row, ctx.customer)
    parked_attached(ctx.session, ctx.customer.id)
