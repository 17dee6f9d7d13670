"""The outbox delivery worker: claim due rows, call WeCom, record sent / retry / dead / expired.

No transaction spans an HTTP call: a short one claims rows (status 'sending' with a lease held
by this process, bot/instance.py), another records each outcome. Outcomes are group-committed:
those that arrive while one transaction runs share the next, and each lane waits for its row's
commit before its next call, so batching never widens the window in which a crash could repeat
a call. A crash mid-send leaves the row 'sending' until its lease runs out or the process is
known dead (its restart, or its silent heartbeat); then it is claimed again.

Each customer's rows go out in order: one claim sends them one after another, and a claim skips
customers whose row is still out. The running worker claims the next batch beside calls still out
once they have been out OVERLAP_AFTER_S (or when they all end), so a slow call holds up nobody
else's answer; rows out stay within the client's call slots plus one batch. A claim that took every
row due (fewer than a batch, no customer skipped) is not followed by another until something queues
rows (a commit wakes the worker) or the poll interval passes: a claim that sent a batch was
followed by one that found nothing whenever no rows had come meanwhile.

Deadline-bound rows (welcome codes: 20 s) come first and have their own loop, so no slow batch
of other rows holds them up. Each claim makes one short try (worker.deadline_call_s), under a
lease that ends with that try and never passes the deadline; after a transient error the next
try is planned against the deadline (0.5, 1.5, 3.5, 7.5 s ... after the first, the last one
starting early enough for one whole call). A welcome whose code is past its deadline is never
sent: it ends 'expired' with the reason.

Follow-ups: when a row is marked sent with WeCom's answer in `result`, the steps registered for
its API (bot.followups; e.g. show a new 「联系我」 QR code to the customer who asked for it, or
send the goodbye that an ended kf session's msg_code allows) run in the same transaction, each
in a savepoint, so a failing follow-up never undoes the mark nor re-sends the call. A row that
ends dead or expired runs the API's failure steps the same way (e.g. a refused kf transfer).
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import random
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Coroutine

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import WorkerConfig
from bot.errors import ApiError, TransportError, WanziError
from bot.followups import FollowUps
from bot.groupcommit import GroupCommit
from bot.instance import Instance
from bot.logs import clip
from bot.metrics import Metrics
from bot.wecom.client import WeComClient
from bot.workers import CountedWakeup, finish, run_loop, wait_for_event
from storage.models import OutboxItem, OutboxStatus
from storage.outcomes import Outcome, record_outcomes
from storage.queues import OutboxRepo

log = logging.getLogger(__name__)

# errcodes that mean "already done": the effect the row wanted exists, so it counts as sent
ALREADY_DONE = {"externalcontact/send_welcome_msg": {41051}}
# errcodes that a later attempt cannot fix
PERMANENT_REASONS = {
    41050: "welcome code invalid or expired",
    41051: "customer already welcomed or already chatting",
    84061: "not an external contact of this member",
    95001: "kf: over 5 messages since the customer's last message",
    95002: "kf: outside the 48 h window",
    95018: "kf: session state does not allow sending",
    95031: "kf: customer has not consulted within 48 h",
    40068: "invalid corp tag id",
}


# Runs in the claim's transaction; returns the claimed rows to send now (it deferred or cancelled the rest).
ClaimCheck = Callable[[AsyncSession, list[OutboxItem]], Awaitable[list[OutboxItem]]]


def _backoff(attempts: int) -> float:
    return float(min(300.0, 2.0 * (2 ** max(0, attempts - 1))) * (0.5 + random.random()))


DEADLINE_FIRST_RETRY_S = 0.5
# The main loop claims beside calls still out once they have been out this long (or when they all
# end sooner): a slow call holds nobody else up for more than this (nor one waiting for the client
# limiter's window at a full minute cap), while in a burst at WeCom's usual 50 ms the worker keeps one
# claim per batch. Claiming beside every round measured worse on SQLite (bench/README.md
# "Overlapping delivery"): the extra claims and outcome commits took the one connection from the inbox.
OVERLAP_AFTER_S = 1.0


def deadline_retry_at(now: datetime, deadline: datetime, attempts: int, *, call_s: float,
                      jitter: Callable[[], float] = random.random) -> datetime | None:
    """When to try a deadline-bound row again after `attempts` tries: 0.5 s after the first failure,
    the gap doubling each time (0.5, 1.5, 3.5, 7.5 s ... after a first try at 0 s), ±20 % jitter,
    and never later than `call_s` before the deadline, so the last try still has time for one whole
    call. None when no try fits any more."""
    latest = deadline - timedelta(seconds=call_s)
    if now >= latest:
        return None
    gap = DEADLINE_FIRST_RETRY_S * 2 ** max(0, attempts - 1) * (0.8 + 0.4 * jitter())
    return min(now + timedelta(seconds=gap), latest)


class _Lane(asyncio.Task[None]):
    """One customer's claimed rows being sent, in order."""

    def __init__(self, coro: Coroutine[Any, Any, None], *, rows: int) -> None:
        super().__init__(coro)
        self.rows = rows


class DeliveryWorker:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], client: WeComClient, clock: Clock,
                 config: WorkerConfig, metrics: Metrics | None = None, followups: FollowUps | None = None,
                 on_claim: ClaimCheck | None = None, instance: Instance | None = None,
                 make_way: Callable[[], Awaitable[None]] | None = None) -> None:
        self.sessions = sessions
        self.client = client
        self.clock = clock
        self.config = config
        self.metrics = metrics
        self.deadline_wakeup = asyncio.Event()
        self.wakeup = CountedWakeup(self.deadline_wakeup)
        self.in_flight = 0
        self.followups = followups
        self.on_claim = on_claim  # e.g. the push gate's second look at pushes that waited
        self.instance = instance  # the lease holder; None: leases name no holder
        self._retries: list[datetime] = []  # planned tries of deadline-bound rows (a heap)
        self._main_lanes = 0  # lanes of the main loop out right now
        self._lanes: set[asyncio.Task[None]] = set()  # lanes being sent in the background (run_forever)
        self._busy: dict[int, int] = {}  # customer -> lanes of theirs out now: their next rows wait
        self._room = asyncio.Event()  # a lane finished: rows out went down
        self._idle = asyncio.Event()  # the main loop's last lane finished
        self._batches_done = 0  # claimed batches whose every lane finished
        self._last_claim = 0.0  # loop time of the main loop's last claim
        self._drained_at: int | None = None  # wakes counted when a claim took every due row (None: it did not)
        self._claimed_all = False  # the last claim found fewer due rows than a batch
        self._making_way = False  # the main loop waits for acks before its claim: welcomes go by their own round
        # Rows out at most: every call slot busy, and one more claimed batch queued behind them.
        self.most_out = client.config.max_concurrency + config.outbox_batch
        self._outcomes: GroupCommit[Outcome, None] = GroupCommit(self._record)
        self.db_waiting = 0  # claims and outcome commits waiting for (or holding) the database now
        self.make_way = make_way  # awaited before the main loop's claims: callbacks being acked go first

    @property
    def owner(self) -> str | None:
        return self.instance.id if self.instance is not None else None

    async def run_forever(self) -> None:
        loops = [asyncio.create_task(run_loop("delivery", self.deliver_overlapping, self.wakeup,
                                              self.config.poll_interval_s)),
                 asyncio.create_task(run_loop("delivery of deadline-bound rows", self.deliver_deadline_bound,
                                              self.deadline_wakeup, self._until_next_retry))]
        try:
            await asyncio.gather(*loops)
        finally:  # stopping: calls still out are cut off; their rows stay 'sending' until their lease ends
            await finish(*loops, *self._lanes)

    async def deliver_deadline_bound(self) -> int:
        """The deadline-bound rows' own round: while rows of the main loop are still out (it may be
        waiting for room, behind their slow calls), while the main loop makes way for acks (up to
        0.2 s: a welcome must not wait that), or when a planned retry falls due; otherwise the main
        loop, which claims them first anyway, is about to."""
        now = self.clock.now()
        if not self._main_lanes and not self._making_way and not (self._retries and self._retries[0] <= now):
            return 0
        return await self.deliver_due(deadline_bound_only=True)

    def _until_next_retry(self) -> float:
        """Seconds until the next planned try of a deadline-bound row, at most the poll interval."""
        now = self.clock.now()
        while self._retries and self._retries[0] <= now:
            heapq.heappop(self._retries)
        wait = self.config.poll_interval_s
        if self._retries:
            wait = min(wait, (self._retries[0] - now).total_seconds())
        return max(0.0, wait)

    def needs_db(self) -> bool:
        """True while a claim or an outcome commit waits for the database: on SQLite's one
        connection the inbox then ends its shared transaction early (bot/inbox.py)."""
        return self.db_waiting > 0

    async def deliver_due(self, *, deadline_bound_only: bool = False) -> int:
        """Claim one batch and send it; returns when every row of it has an outcome (tests, drain)."""
        lanes = await self._claim_and_start(deadline_bound_only=deadline_bound_only)
        try:
            await asyncio.gather(*lanes)
        except asyncio.CancelledError:
            await finish(*lanes)
            raise
        return sum(lane.rows for lane in lanes)

    async def deliver_overlapping(self) -> int:
        """The main loop's round: claim the next batch beside earlier ones' calls once they have been
        out OVERLAP_AFTER_S (or when they all end), so a slow call holds up no other customer's
        answer. Rows out stay within
        `most_out` (the client's call slots, plus one batch queued); a customer with a row out
        has their next rows wait for it (OutboxRepo.claim_due `busy`), so each customer's
        messages still go in order. Returns rows claimed, or batches finished meanwhile."""
        while self.in_flight > self.most_out - self.config.outbox_batch:
            self._room.clear()
            await self._room.wait()
        loop = asyncio.get_running_loop()
        if self._lanes:  # calls are out: claim beside them only once they have been out a while
            self._idle.clear()
            await wait_for_event(self._idle, self._last_claim + OVERLAP_AFTER_S - loop.time())
        if self._drained_at == self.wakeup.sets and loop.time() < self._last_claim + self.config.poll_interval_s:
            return 0  # the last claim took every due row and nothing was queued since: wait for a wake
        self._last_claim = loop.time()
        done = self._batches_done
        woken, skipped = self.wakeup.sets, bool(self._busy)
        # A claim while calls are out can wait its turn: only a claim with nothing out (and the
        # outcomes) make the inbox end its shared transaction early (needs_db).
        lanes = await self._claim_and_start(deadline_bound_only=False, urgent=not self._lanes)
        self._drained_at = woken if self._claimed_all and not skipped else None
        left = [len(lanes)]

        def finished(task: asyncio.Task[None]) -> None:
            self._lanes.discard(task)
            if not self._lanes:
                self._idle.set()
            if not task.cancelled() and task.exception() is not None:  # its rows stay 'sending' until their lease ends
                log.error("outbox lane failed", exc_info=task.exception())
            left[0] -= 1
            if not left[0]:  # the batch is done: its customers' next rows may be due
                self._batches_done += 1
                self.wakeup.set_alone()

        for lane in lanes:
            self._lanes.add(lane)
            lane.add_done_callback(finished)
        return sum(lane.rows for lane in lanes) or self._batches_done - done

    async def _claim_and_start(self, *, deadline_bound_only: bool, urgent: bool = True) -> list[_Lane]:
        """Claim due rows (none of a customer with a row out) and start one task per customer."""
        if self.make_way is not None and not deadline_bound_only:  # welcomes' own round never waits
            self._making_way = True
            asyncio.get_running_loop().call_soon(self._welcomes_meanwhile)
            try:
                await self.make_way()
            finally:
                self._making_way = False
        now, cfg = self.clock.now(), self.config
        self.db_waiting += urgent
        try:
            async with self.sessions.begin() as session:
                batch = await OutboxRepo(session).claim_due(
                    now=now, lease_s=cfg.lease_s, limit=cfg.outbox_batch, owner=self.owner,
                    deadline_lease_s=cfg.deadline_lease_s, dead_after_s=cfg.dead_after_s,
                    deadline_bound_only=deadline_bound_only, busy=list(self._busy))
                if not deadline_bound_only:  # the main loop's: every row due then (but those of `busy`)
                    self._claimed_all = len(batch) < cfg.outbox_batch
                if self.on_claim is not None:
                    batch = await self.on_claim(session, batch)
                claimed = [(i.id, i.api, dict(i.payload), i.deadline, i.attempts, i.customer_id) for i in batch]
        finally:
            self.db_waiting -= urgent
        # Rows for one customer go in order; different customers go in parallel.
        by_lane: dict[Any, list[tuple]] = {}
        for row in claimed:
            by_lane.setdefault(row[5] if row[5] is not None else ("row", row[0]), []).append(row)
        return [self._start(key, rows, main=not deadline_bound_only) for key, rows in by_lane.items()]

    def _welcomes_meanwhile(self) -> None:
        """Called once the main loop's wait for the acks began: if it is still waiting (callbacks
        press), the deadline-bound rows' own round claims the welcomes now instead of after it."""
        if self._making_way:
            self.deadline_wakeup.set()

    def _start(self, key: Any, rows: list[tuple], *, main: bool) -> _Lane:
        """Start sending one customer's rows; the bookkeeping is taken now (before any other claim
        can run) and given back when the task ends, however it ends."""
        held = {row[0] for row in rows}
        if self.instance is not None:
            self.instance.outbox |= held  # its heartbeat renews these leases while we work
        customer = key if isinstance(key, int) else None
        if customer is not None:
            self._busy[customer] = self._busy.get(customer, 0) + 1
        self.in_flight += len(rows)
        self._main_lanes += main

        def release(_: object) -> None:
            self.in_flight -= len(rows)
            self._main_lanes -= main
            if customer is not None:
                self._busy[customer] -= 1
                if not self._busy[customer]:
                    del self._busy[customer]
            if self.instance is not None:
                self.instance.outbox -= held
            self._room.set()

        task = _Lane(self._send_lane(rows), rows=len(rows))
        task.add_done_callback(release)
        return task

    async def _send_lane(self, rows: list[tuple]) -> None:
        for item_id, api, payload, deadline, attempts, _ in rows:
            await self._deliver(item_id, api, payload, deadline, attempts)

    async def _deliver(self, item_id: int, api: str, payload: dict[str, Any], deadline: datetime | None,
                       attempts: int) -> None:
        if deadline is not None and self.clock.now() >= deadline:
            await self._finish(item_id, api, status=OutboxStatus.EXPIRED, reason="deadline passed before delivery "
                                                                 f"(deadline {deadline.isoformat()})")
            return
        # "_"-prefixed keys are our notes for follow-ups (e.g. "_then"), not part of the call.
        payload = {k: v for k, v in payload.items() if not k.startswith("_")}
        if api == "kf/send_msg" and "msgid" not in payload:
            payload["msgid"] = f"wz{item_id}"  # lets msg_send_fail events point back at this row
        try:
            if deadline is None:
                result = await self.client.call(api, payload)
            else:  # one short try; the next is planned against the deadline (_failed)
                left = (deadline - self.clock.now()).total_seconds()
                result = await self.client.call(api, payload, deadline=deadline.timestamp(), retries=0,
                                                timeout_s=max(0.1, min(self.config.deadline_call_s, left)))
        except (ApiError, TransportError) as exc:
            await self._failed(item_id, api, exc, deadline, attempts)
            return
        except WanziError as exc:  # e.g. a ConfigError: no retry can fix it until an operator does
            await self._finish(item_id, api, status=OutboxStatus.DEAD, reason=f"not sendable: {exc}")
            return
        except Exception as exc:  # a bug must not strand the row in 'sending' for a whole lease
            log.exception("outbox delivery crashed", extra={"outbox_id": item_id, "api": api})
            await self._failed(item_id, api, TransportError(api, f"{type(exc).__name__}: {exc}"), deadline, attempts)
            return
        await self._finish(item_id, api, status=OutboxStatus.SENT, result=result)
        if self.metrics:
            self.metrics.outbox_sent_of(api).inc()

    async def _failed(self, item_id: int, api: str, exc: ApiError | TransportError, deadline: datetime | None,
                      attempts: int) -> None:
        code = exc.errcode
        if code in ALREADY_DONE.get(api, ()):
            await self._finish(item_id, api, status=OutboxStatus.SENT, errcode=code,
                               reason=f"already delivered: {exc.errmsg}")
            return
        if code in PERMANENT_REASONS or not exc.retryable and not isinstance(exc, TransportError):
            reason = PERMANENT_REASONS.get(code, exc.errmsg)
            status = OutboxStatus.EXPIRED if deadline is not None and code == 41050 else OutboxStatus.DEAD
            await self._finish(item_id, api, status=status, errcode=code, reason=f"{code}: {reason}")
            return
        if deadline is not None:  # bounded by the deadline, not by outbox_max_attempts
            planned = deadline_retry_at(self.clock.now(), deadline, attempts, call_s=self.config.deadline_call_s)
            if planned is None:
                await self._finish(item_id, api, status=OutboxStatus.EXPIRED, errcode=code,
                                   reason=f"{code}: {exc.errmsg}; no retry possible before the deadline")
                return
            heapq.heappush(self._retries, planned)
            await self._outcomes.submit(Outcome(item_id, OutboxStatus.PENDING, errcode=code, reason=exc.errmsg,
                                                retry_at=planned, api=api))
            return
        retry_at = self.clock.now() + timedelta(seconds=_backoff(attempts))
        if attempts >= self.config.outbox_max_attempts:
            await self._finish(item_id, api, status=OutboxStatus.DEAD, errcode=code,
                               reason=f"{code}: {exc.errmsg}; gave up after {attempts} attempts")
            return
        await self._outcomes.submit(Outcome(item_id, OutboxStatus.PENDING, errcode=code, reason=exc.errmsg,
                                            retry_at=retry_at, api=api))

    async def _finish(self, item_id: int, api: str, *, status: str, result: dict[str, Any] | None = None,
                      errcode: int | None = None, reason: str = "") -> None:
        """Record the outcome (a row no longer ours, another worker finished it, is left as it is)."""
        await self._outcomes.submit(Outcome(item_id, status, result, errcode, reason, api=api))
        if status != OutboxStatus.SENT:
            log.warning("outbox item not delivered", extra={"outbox_id": item_id, "api": api, "status": status,
                                                            "errcode": errcode, "reason": clip(reason)})
        if self.followups is not None and self.followups.has_steps(api):
            self.wakeup.set()  # a follow-up (of a sent or a refused row) may have queued rows

    async def _record(self, outcomes: list[Outcome]) -> list[None]:
        """One transaction for every outcome that arrived together.

        An outcome counts while this process still holds the row's lease. "Sent" counts even when it
        no longer does (the lease ran out at the deadline, or another process took the row): WeCom
        accepted the call, and a row that says otherwise would be re-sent or misreported.

        A sent row's follow-ups (bot.followups) run in this same transaction, each in a savepoint:
        what WeCom's answer unlocks is queued atomically with "sent", and a failing follow-up
        cannot undo the mark (so it can never cause the call to be made twice). Outcomes without
        follow-ups are written by Core UPDATEs without loading their rows (storage/outcomes.py)."""
        self.db_waiting += 1
        try:
            await self._record_in_one(outcomes)
        finally:
            self.db_waiting -= 1
        return [None] * len(outcomes)

    def _follows(self, outcome: Outcome) -> bool:
        """Whether steps follow this outcome (they need the row loaded)."""
        return self.followups is not None and self.followups.follows(outcome.api, outcome.status)

    async def _record_in_one(self, outcomes: list[Outcome]) -> None:
        followed = [o for o in outcomes if self._follows(o)]
        plain = [o for o in outcomes if not self._follows(o)] if followed else outcomes
        async with self.sessions.begin() as session:
            if plain:
                await record_outcomes(session, plain, owner=self.owner, now=self.clock.now())
            if followed and self.followups is not None:
                await self._record_followed(session, followed, self.followups)

    async def _record_followed(self, session: AsyncSession, outcomes: list[Outcome], followups: FollowUps) -> None:
        """Outcomes with follow-ups: their rows loaded, changed, and the steps run on them."""
        items = {item.id: item for item in await OutboxRepo(session).get_many([o.item_id for o in outcomes])}
        for outcome in outcomes:
            item = items.get(outcome.item_id)
            held = (item is not None and item.status == OutboxStatus.SENDING
                    and item.lease_owner == self.owner)
            accepted = outcome.status == OutboxStatus.SENT and item is not None and item.status != OutboxStatus.SENT
            if item is None or not (held or accepted):
                continue
            item.status, item.lease_until, item.lease_owner = outcome.status, None, None
            if outcome.retry_at is not None:
                item.due_at = outcome.retry_at
            if outcome.status == OutboxStatus.SENT:
                item.sent_at = self.clock.now()
                item.result = outcome.result
            if outcome.errcode is not None:
                item.last_errcode = outcome.errcode
            if outcome.reason:
                item.last_error = outcome.reason[:500]
            await followups.run(session, item)
