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
from zoneinfo import ZoneInfo

from handlers.antispam.config import AntispamConfig
from handlers.services import Ctx
from persona.loader import parse_cadence
from persona.model import Cadence
from storage.models import Customer, OutboxItem
from storage.repos import PushCounts

log = logging.getLogger(__name__)

KF_WINDOW = timedelta(hours=48)  # kf/send_msg only within 48 h of the customer's last message
KF_MESSAGES = 5  # ... and at most 5 messages per customer message (shared/wecom/kf.md §4)
KF_PUSH_SLOTS = KF_MESSAGES - 1  # a push never takes the last slot: an answer must still fit
KF_MARGIN = timedelta(minutes=5)  # do not schedule a kf push at the very edge of the window
MAX_DEFER_DAYS = 8


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
    """Where and when a push may go: route "kf" or "contact" with its due time, or None + reason."""

    route: str | None
    due_at: datetime | None = None
    reason: str = ""


async def _routes(ctx: Ctx, counts: PushCounts, customer: Customer,
                  open_kfid: str) -> tuple[list[tuple[str, datetime | None]], str]:
    """Ways to reach the customer, best first, with the last useful send time; or why there is none."""
    now = ctx.clock.now()
    routes: list[tuple[str, datetime | None]] = []
    reason = "no_route"
    last = customer.last_inbound_at
    if open_kfid and last is not None and now - last < KF_WINDOW:
        if await counts.kf_sends_since(customer.id, last) < KF_PUSH_SLOTS:
            routes.append(("kf", last + KF_WINDOW - KF_MARGIN))
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
            return PushPlan(route, admission.due_at)
        reason = admission.reason
        if reason != "kf_window":
            break
    ctx.repos.pushes.suppress(customer.id, key, reason, now=now)
    ctx.log.info("push suppressed", extra={"customer_id": customer.id, "template": key, "reason": reason})
    return PushPlan(None, reason=reason)


async def send_push(ctx: Ctx, gate: PushGate, customer: Customer, key: str, *, open_kfid: str = "",
                    kf_only: bool = False, **facts: object) -> PushOutcome:
    """Render a template in the persona's voice and queue it as a push, if the gate admits it."""
    open_kfid = open_kfid or ctx.settings.wecom.open_kfid
    plan = await plan_push(ctx, gate, customer, key, open_kfid=open_kfid, kf_only=kf_only)
    if plan.route is None or plan.due_at is None:
        return PushOutcome("suppressed", plan.reason)
    last = await ctx.repos.messages.last_variant(customer.id, key)
    rendered = ctx.with_(customer=customer).render(key, last_variant=last, **facts)
    template_key = f"{key}#{rendered.variant}"
    if plan.route == "kf":
        item = ctx.outbox.kf_send(open_kfid, customer, rendered.text, kind="push", template_key=template_key,
                                  due_at=plan.due_at)
    else:
        item = ctx.outbox.mass_single(customer.owner_userid, customer, rendered.text, template_key=template_key,
                                      due_at=plan.due_at)
    return PushOutcome("deferred" if plan.due_at > ctx.clock.now() else "queued", due_at=plan.due_at, item=item)
