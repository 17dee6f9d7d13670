"""Who the customer is: their WeChat name, and the remark the member who added them gave them.

Read from WeCom (customer-contact.md §5.2 externalcontact/get for friends, kf.md §7
kf/customer/batchget for WeChat Customer Service visitors) by this worker, like the tag mirror
owns its reads; handlers only mark the customer as due (`Customer.profile_due_at`): a new
friend 20 s after the add, once the welcome window is over, a kf visitor on their first message.
So a welcome never waits for a name (nor shares the outbox with the read), and a failed read
costs nothing but the name. Only the name and
the remark are kept (PIPL: no gender or avatar), and the unionid's SHA-256 only, which matches the
orders a shop reports by unionid (handlers/orders), never the unionid itself.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Sequence

from bot.dispatcher import Router
from bot.errors import ApiError, TransportError
from bot.feature import WorkerKit
from bot.outbox import WELCOME_TTL
from bot.wecom.events import FriendAdded, KfMessageReceived, KfSessionEntered
from bot.workers import StepWorker, Worker
from handlers.orders.parsing import unionid_hash
from handlers.services import Ctx
from storage.models import Customer
from storage.repos import CustomerRepo

log = logging.getLogger(__name__)
router = Router("customer-profiles")

NAME_CHARS = REMARK_CHARS = 128  # Customer.name / Customer.remark
BATCH = 100  # kf/customer/batchget takes at most 100 ids (kf.md §7)
LEASE_S = 120.0
RETRY = timedelta(minutes=10)  # WeCom unreachable or busy: read again later


def read_later(ctx: Ctx, customer: Customer) -> None:
    customer.profile_due_at = ctx.clock.now() + WELCOME_TTL


def read_now(ctx: Ctx, customer: Customer) -> None:
    customer.profile_due_at = ctx.clock.now()


@router.on(FriendAdded, block=False)
async def read_friend_profile(event: FriendAdded, ctx: Ctx) -> None:
    """Every add: the name may have changed since, and the member may have written a remark. Read
    once the welcome window is over, so a burst of new friends gets its welcomes first."""
    if ctx.customer is not None:
        read_later(ctx, ctx.customer)


def _nameless_customer_writes(event: KfMessageReceived, ctx: Ctx) -> bool:
    return event.from_customer and ctx.customer is not None and not ctx.customer.name


@router.on(KfMessageReceived, when=_nameless_customer_writes, block=False)
async def read_writer_nickname(event: KfMessageReceived, ctx: Ctx) -> None:
    """A kf customer's nickname, asked once: on their first message (their welcome, if any, was
    already answered to enter_session)."""
    assert ctx.customer is not None
    if await ctx.repos.messages.inbound_count(ctx.customer.id, at_most=2) == 1:
        read_now(ctx, ctx.customer)


@router.on(KfSessionEntered, block=False)
async def read_returning_visitor_nickname(event: KfSessionEntered, ctx: Ctx) -> None:
    """A visitor who wrote before and still has no name (their read failed, or they came before
    Wanzi read names) is asked again, once per visit."""
    customer = ctx.customer
    if customer is not None and not customer.name and await ctx.repos.messages.inbound_count(customer.id, at_most=1):
        read_later(ctx, customer)  # after this visit's welcome


def workers(kit: WorkerKit) -> Sequence[Worker]:
    return (StepWorker("customer-profiles", lambda: read_due_profiles(kit), kit.config.worker.poll_interval_s,
                       wants=("customer",)),)


async def read_due_profiles(kit: WorkerKit) -> int:
    """Read the names (and remarks) that are due; returns how many customers were handled."""
    async with kit.sessions.begin() as session:
        due = [(c.id, c.external_userid, c.owner_userid) for c in await CustomerRepo(session).claim_profile_reads(
            now=kit.clock.now(), lease_s=LEASE_S, limit=BATCH)]
    if not due:
        return 0
    found: dict[int, dict[str, str] | None] = {}  # customer id → fields to keep; None = read again later
    for customer_id, external_userid, owner in due:
        if owner:
            found[customer_id] = await _friend(kit, external_userid, owner)
    visitors = [(cid, ext) for cid, ext, owner in due if not owner]
    if visitors:
        found.update(await _visitors(kit, visitors))
    async with kit.sessions.begin() as session:  # one read for the batch, its updates flushed together
        for customer in await CustomerRepo(session).get_many([customer_id for customer_id, _, _ in due]):
            fields = found.get(customer.id, {})
            customer.profile_due_at = kit.clock.now() + RETRY if fields is None else None
            for key, value in (fields or {}).items():
                setattr(customer, key, value)
    return len(due)


async def _call(kit: WorkerKit, api: str, payload: dict[str, Any]) -> dict[str, Any] | None:
    """WeCom's answer; {} when it refused for good (nothing to read), None when it may work later."""
    try:
        return await kit.client.call(api, payload)
    except (ApiError, TransportError) as exc:
        log.warning("customer profile not read", extra={"api": api, "errcode": exc.errcode})
        return None if exc.retryable else {}


async def _friend(kit: WorkerKit, external_userid: str, owner: str) -> dict[str, str] | None:
    data = await _call(kit, "externalcontact/get", {"external_userid": external_userid})
    if data is None:
        return None
    fields: dict[str, str] = {}
    contact = data.get("external_contact") or {}
    name = str(contact.get("name") or "")
    if name:
        fields["name"] = name[:NAME_CHARS]
    if contact.get("unionid"):
        fields["unionid_hash"] = unionid_hash(str(contact["unionid"]))
    follows = [f for f in data.get("follow_user") or [] if isinstance(f, dict)]
    follow = next((f for f in follows if f.get("userid") == owner), None)
    if follow is not None:
        fields["remark"] = str(follow.get("remark") or "")[:REMARK_CHARS]
    return fields


async def _visitors(kit: WorkerKit, visitors: list[tuple[int, str]]) -> dict[int, dict[str, str] | None]:
    data = await _call(kit, "kf/customer/batchget", {"external_userid_list": [ext for _, ext in visitors],
                                                     "need_enter_session_context": 0})
    if data is None:
        return {cid: None for cid, _ in visitors}
    found = {str(c.get("external_userid")): c for c in data.get("customer_list") or [] if isinstance(c, dict)}
    out: dict[int, dict[str, str] | None] = {}
    for cid, ext in visitors:
        fields, visitor = {}, found.get(ext) or {}
        if visitor.get("nickname"):
            fields["name"] = str(visitor["nickname"])[:NAME_CHARS]
        if visitor.get("unionid"):
            fields["unionid_hash"] = unionid_hash(str(visitor["unionid"]))
        out[cid] = fields
    return out
