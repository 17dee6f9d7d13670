"""Anti-spam for pushes: caps per customer per day and week, quiet hours, opt-out, a global switch.

Only pushes (stage content, campaigns: OutboxItem.kind "push") pass this gate; direct answers
and welcomes never do. A push inside quiet hours is deferred to their end; one that would
break the daily cap moves to the next day with room; one that would break the weekly cap, or
cannot reach the customer at all, is dropped and recorded in `suppressed_push` with the reason,
so the digest can count "pushes suppressed". Days and weeks are local (persona.timezone), weeks
run Monday to Sunday.

Routes (documented in README "Anti-spam"): a customer chatting in WeChat Customer Service gets
pushes by kf/send_msg while the 48-hour window is open, keeping one of the 5 messages WeCom
allows per customer message free for an answer; a contact-way friend gets add_msg_template
chat_type single, which the owning staff member confirms in the WeCom client (the documented
path: customer-contact.md §10).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.outbox import PushAdmission
from bot.wecom import kf_window
from handlers.antispam.config import AntispamConfig
from handlers.services import Ctx
from persona.loader import parse_cadence
from persona.model import Cadence
from storage.models import Customer, OutboxItem, OutboxStatus
from storage.repos import PushCounts, PushRepo

log = logging.getLogger(__name__)

KF_PUSH_SLOTS = kf_window.MESSAGES - 1  # a push never takes the last slot: an answer must still fit
MAX_DEFER_DAYS = 8
CONTRADICTS = "contradicts"  # no phrasing of the content fits what the customer told us (油皮 vs 干皮 content)


@dataclass(frozen=True, slots=True)
class Admission:
    due_at: datetime | None  # when the push may leave; None = dropped
    reason: str = ""  # why it was dropped


class PushGate:
    """Decides when (or whether) a push may leave; pure policy plus counts (PushRepo or PushLedger)."""

    def __init__(self, cadence: Cadence, *, enabled: bool = True, tz: str = "Asia/Shanghai") -> None:
        self.cadence = cadence
        self.enabled = enabled
        self.tz = ZoneInfo(tz)

    @classmethod
    def from_config(cls, persona_cadence: Cadence, config: AntispamConfig, tz: str) -> PushGate:
        """The persona's cadence, with any caps or quiet hours the operator set in [antispam]."""
        if config.quiet_hours == "off":
            quiet = Cadence(quiet_start=None, quiet_end=None)
        elif config.quiet_hours:
            quiet = parse_cadence({"quiet_hours": config.quiet_hours}, "config", "antispam")
        else:
            quiet = persona_cadence
        cadence = Cadence(daily_cap=config.daily_cap or persona_cadence.daily_cap,
                          weekly_cap=config.weekly_cap or persona_cadence.weekly_cap,
                          quiet_start=quiet.quiet_start, quiet_end=quiet.quiet_end)
        return cls(cadence, enabled=config.enabled, tz=tz)

    def _quiet(self, t: time) -> bool:
        start, end = self.cadence.quiet_start, self.cadence.quiet_end
        if start is None or end is None or start == end:
            return False
        return start <= t < end if start < end else (t >= start or t < end)

    def release(self, when: datetime) -> datetime:
        """`when`, or the end of the quiet hours it falls in."""
        local = when.astimezone(self.tz)
        end = self.cadence.quiet_end
        if end is None or not self._quiet(local.time()):
            return when
        release = datetime.combine(local.date(), end, self.tz)
        if release <= local:
            release += timedelta(days=1)
        return release.astimezone(timezone.utc)

    def _day_start(self, when: datetime) -> datetime:
        return datetime.combine(when.astimezone(self.tz).date(), time(0), self.tz)

    async def admit(self, pushes: PushCounts, customer: Customer, *, now: datetime,
                    latest: datetime | None = None) -> Admission:
        """When this customer's next push may leave; `latest` is the last useful moment (kf window)."""
        if not self.enabled:
            return Admission(None, "switched_off")
        if customer.opted_out:
            return Admission(None, "opted_out")
        if customer.status == "lost":
            return Admission(None, "lost")
        daily, weekly = self.cadence.daily_cap, self.cadence.weekly_cap
        when = self.release(now)
        for _ in range(MAX_DEFER_DAYS):
            day = self._day_start(when)
            week = day - timedelta(days=day.weekday())
            this_week = await pushes.count_planned(customer.id, start=week, end=week + timedelta(days=7))
            if weekly <= 0 or this_week >= weekly:
                return Admission(None, "weekly_cap")
            if daily > 0 and await pushes.count_planned(customer.id, start=day, end=day + timedelta(days=1)) < daily:
                break
            when = self.release((day + timedelta(days=1)).astimezone(timezone.utc))
        else:
            return Admission(None, "daily_cap")
        if latest is not None and when > latest:
            return Admission(None, "kf_window")
        return Admission(when.astimezone(timezone.utc))


@dataclass(frozen=True, slots=True)
class PushOutcome:
    status: str  # queued | deferred | suppressed
    reason: str = ""
    due_at: datetime | None = None
    item: OutboxItem | None = None


@dataclass(frozen=True, slots=True)
class PushPlan:
    """The gate's answer: an admission (route and due time), or why the push was suppressed."""

    admission: PushAdmission | None
    reason: str = ""

    @property
    def route(self) -> str | None:
        return self.admission.route if self.admission else None

    @property
    def due_at(self) -> datetime | None:
        return self.admission.due_at if self.admission else None


async def _routes(ctx: Ctx, counts: PushCounts, customer: Customer,
                  open_kfid: str) -> tuple[list[tuple[str, datetime | None]], str]:
    """Ways to reach the customer, best first, with the last useful send time; or why there is none."""
    now = ctx.clock.now()
    routes: list[tuple[str, datetime | None]] = []
    reason = "no_route"
    last = customer.last_inbound_at
    closes = kf_window.closes_at(last)
    if open_kfid and last is not None and closes is not None and now < closes:
        if await counts.kf_sends_since(customer.id, last) < KF_PUSH_SLOTS:
            routes.append(("kf", closes))
        else:
            reason = "kf_limit"
    if customer.owner_userid and customer.status == "active":
        routes.append(("contact", None))
    return routes, reason


async def plan_push(ctx: Ctx, gate: PushGate, customer: Customer, key: str, *, open_kfid: str = "",
                    kf_only: bool = False, counts: PushCounts | None = None) -> PushPlan:
    """Pick the route and due time the gate admits (caps, quiet hours, opt-out, switch), or record
    the suppression with its reason. Every push (stage content, reminders, broadcasts) comes here.

    A kf push that could only leave after the 48-hour window closes goes to a friend as a
    proposed mass message instead, unless `kf_only`. `counts` defaults to per-customer queries;
    a batch passes a PushLedger (and tells it about each push it queues)."""
    now = ctx.clock.now()
    open_kfid = open_kfid or ctx.settings.wecom.open_kfid
    counts = counts or ctx.repos.pushes
    routes, reason = await _routes(ctx, counts, customer, open_kfid)
    if kf_only:
        routes = [r for r in routes if r[0] == "kf"]
    for route, latest in routes:
        admission = await gate.admit(counts, customer, now=now, latest=latest)
        if admission.due_at is not None:
            return PushPlan(PushAdmission(customer.id, route, admission.due_at))
        reason = admission.reason
        if reason != "kf_window":
            break
    ctx.repos.pushes.suppress(customer.id, key, reason, now=now)
    ctx.log.info("push suppressed", extra={"customer_id": customer.id, "template": key, "reason": reason})
    return PushPlan(None, reason)


async def send_push(ctx: Ctx, gate: PushGate, customer: Customer, key: str, *, open_kfid: str = "",
                    kf_only: bool = False, fits: Callable[[str], bool] | None = None, **facts: Any) -> PushOutcome:
    """Render a template in the persona's voice and queue it as a push, if the gate admits it.

    With `fits`, only phrasings it accepts may go out; when none does, the push is suppressed
    (reason "contradicts", recorded like the gate's reasons) before the gate is asked."""
    open_kfid = open_kfid or ctx.settings.wecom.open_kfid
    speaker = ctx.with_(customer=customer)
    if fits is not None and not speaker.fitting(key, fits, **facts):
        ctx.repos.pushes.suppress(customer.id, key, CONTRADICTS, now=ctx.clock.now())
        ctx.log.info("push suppressed", extra={"customer_id": customer.id, "template": key, "reason": CONTRADICTS})
        return PushOutcome("suppressed", CONTRADICTS)
    plan = await plan_push(ctx, gate, customer, key, open_kfid=open_kfid, kf_only=kf_only)
    admission = plan.admission
    if admission is None:
        return PushOutcome("suppressed", plan.reason)
    last = await ctx.repos.messages.last_variant(customer.id, key)
    rendered = speaker.render(key, last_variant=last, fits=fits, **facts)
    template_key = f"{key}#{rendered.variant}"
    if admission.route == "kf":
        item = ctx.outbox.push_kf(admission, open_kfid, customer, rendered.text, template_key=template_key)
    else:
        item = ctx.outbox.push_to_friends([admission], customer.owner_userid, [customer], rendered.text,
                                          template_key=template_key)
    status = "deferred" if admission.due_at > ctx.clock.now() else "queued"
    return PushOutcome(status, due_at=admission.due_at, item=item)


class _Before:
    """Push counts of what was queued before one outbox row: earlier pushes keep their place."""

    def __init__(self, repo: PushRepo, item_id: int) -> None:
        self.repo, self.item_id = repo, item_id

    async def count_planned(self, customer_id: int, *, start: datetime, end: datetime) -> int:
        return await self.repo.count_planned(customer_id, start=start, end=end, before=self.item_id)

    async def kf_sends_since(self, customer_id: int, since: datetime) -> int:
        return await self.repo.kf_sends_since(customer_id, since)


async def recheck_due_pushes(ctx: Ctx, batch: list[OutboxItem]) -> list[OutboxItem]:
    """At delivery, in the claim's transaction: a push may have waited hours, so the gate decides
    again. Whoever opted out or left meanwhile gets nothing; a push that now falls in quiet hours,
    or over a cap other pushes filled, waits for the gate's next time or is dropped with the reason.
    Returns the rows to send now."""
    pushes = [item for item in batch if item.kind == "push" and item.customer_id is not None]
    if not pushes:
        return batch
    gate, now, repo = ctx.services.push_gate, ctx.clock.now(), ctx.repos.pushes
    found = await ctx.session.scalars(select(Customer).where(Customer.id.in_({i.customer_id for i in pushes})))
    customers = {c.id: c for c in found.all()}
    held: set[int] = set()
    for item in pushes:
        customer = customers.get(item.customer_id or 0)
        if customer is None:
            continue
        latest = kf_window.closes_at(customer.last_inbound_at) if item.api == "kf/send_msg" else None
        admission = await gate.admit(_Before(repo, item.id), customer, now=now, latest=latest)
        if admission.due_at is not None and admission.due_at <= now:
            continue
        held.add(item.id)
        if admission.due_at is None:
            item.status, item.lease_until = OutboxStatus.CANCELLED, None
            item.last_error = f"push cancelled: {admission.reason}"
            repo.suppress(customer.id, item.api, admission.reason, now=now)
        else:  # back to the queue, without counting the claim as an attempt
            item.status, item.lease_until, item.due_at = OutboxStatus.PENDING, None, admission.due_at
            item.attempts = max(0, item.attempts - 1)
    return [item for item in batch if item.id not in held]
