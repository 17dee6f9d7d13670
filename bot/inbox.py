"""The inbound worker: turns persisted callbacks and kf entries into handler runs, exactly once.

Events are dispatched inside a transaction that also marks them done, so the handlers' writes,
their outbox rows and the "processed" marks commit together. Up to EVENTS_PER_TRANSACTION
events in a row share one transaction (a commit and a claim check per event cost as much as the
handler itself). If any of them fails, the shared transaction is rolled back whole and each of
its events runs again in its own transaction: the failing one is retried with backoff (after
MAX_ATTEMPTS it is parked as failed), the others are processed normally.

A shared transaction reads the members of its events in one statement, and the customers of each
group of EVENTS_BEFORE_YIELD events in one (inserting those seen for the first time in one more,
with the fields their own event would give them) as the group starts; the handlers then find
them without a statement each. A transaction ends early only between groups, so it never leaves
a customer behind whose event did not run.

kf_msg_or_event notices only say "pull now": the notices of a kf account in a claimed batch share
one pull (cursor-based, newest token), which runs beside the batch's other events and on after it:
a pull waits 50 ms or more for WeCom, and in a burst of customer messages every batch has notices.

Earliest deadline first: events carrying a 20-second welcome code are claimed before all others,
and those stored while a batch is at work are claimed and handled before its next transaction of
other events (`_codes_first`), so a backlog of kf questions or staff commands never delays a welcome
by more than one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Config
from bot.context import ContextFactory
from bot.dispatcher import Dispatcher
from bot.errors import MalformedCallback
from bot.instance import Instance
from bot.kf import KfPuller
from bot.logs import clip
from bot.metrics import Metrics
from bot.middlewares import customer_of, identify, likely_new, reads_tags, staff_of
from bot.wecom.events import Event, KfNotified, parse_callback, parse_kf_entry
from bot.workers import CountedWakeup, run_loop
from storage.models import InboundEvent, InboundStatus
from storage.queues import InboundRepo, for_update
from storage.repos import CustomerRepo, Repos, StaffRepo, TagRepo
from storage.written import track as track_writes

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# On SQLite a shared transaction holds the one connection the callback intake needs for its acks
# and the delivery worker for its claims and outcomes, so after each EVENTS_BEFORE_YIELD events a
# shared transaction ends early whenever one of them waits (`yield_to`: Intake.acks_waiting,
# DeliveryWorker.needs_db); when nobody waits, up to EVENTS_PER_TRANSACTION share a commit.
# Yielding after every event measured far worse: under a steady stream of callbacks somebody always
# waits, every event paid its own commit, and a welcome burst fell from 100 % to 31 % (bench/README.md).
EVENTS_PER_TRANSACTION = 20
EVENTS_BEFORE_YIELD = 5
# A welcome code stored while a batch is at work is taken before the batch's next transaction of other
# events once it has waited this long: taken at once, every code (50 a second in the mixed flood at 200
# events/s) cost a claim of its own and cut the transaction of other events at its next group, and the
# bot's CPU per event rose by about a fifth (bench/README.md, perf26); a fifth of a second gathers them.
CODES_AFTER_S = 0.2


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    source: str
    kind: str
    payload: dict[str, Any]
    received_at: datetime
    attempts: int
    urgent: bool = False  # carries a 20-second code still alive (a deadline): never makes way for acks


def decode(source: str, payload: dict[str, Any]) -> Event:
    return parse_kf_entry(payload) if source == "kf" else parse_callback(payload)


def _notices_by_account(decoded: list[tuple[Claimed, Event | MalformedCallback]]
                        ) -> dict[str, list[tuple[Claimed, KfNotified]]]:
    """The batch's kf_msg_or_event notices per kf account, oldest first."""
    notices: dict[str, list[tuple[Claimed, KfNotified]]] = {}
    for row, event in decoded:
        if isinstance(event, KfNotified):
            notices.setdefault(event.open_kfid, []).append((row, event))
    return notices


class InboxWorker:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], dispatcher: Dispatcher, kf: KfPuller,
                 contexts: ContextFactory[Any], config: Config, metrics: Metrics | None = None,
                 on_outbox: Callable[[], None] = lambda: None,
                 on_commit: Callable[[frozenset[str]], None] | None = None, instance: Instance | None = None,
                 yield_to: Callable[[], bool] = lambda: False,
                 make_way: Callable[[], Awaitable[None]] | None = None,
                 lookahead: Callable[[Sequence[Event]], Awaitable[None]] | None = None) -> None:
        self.sessions = sessions
        self.dispatcher = dispatcher
        self.kf = kf
        self.context = contexts
        self.clock = contexts.clock
        self.config = config
        self.metrics = metrics
        self.on_outbox = on_outbox
        # after each handler transaction commits, with the tables it wrote (default: on_outbox());
        # the app wakes the delivery worker and the feature workers those tables concern
        self.on_commit = on_commit or (lambda _written: on_outbox())
        self.wakeup = CountedWakeup()
        self.in_flight = 0
        self._drained_at: int | None = None  # wakes counted when a claim took every due event (None: it did not)
        self._last_claim = float("-inf")  # loop time of the last claim
        self.instance = instance  # the lease holder; None: leases name no holder
        self.yield_to = yield_to  # True: end the shared transaction at the next event (acks or deliveries wait)
        self.make_way = make_way  # awaited between transactions: callbacks being acked go first (bot/priority.py)
        self.lookahead = lookahead  # before a run of events, outside its transaction (Feature.lookahead)
        self.codes_after_s = CODES_AFTER_S
        self._code_since: float | None = None  # when the first code stored since the last claim was (monotonic)
        self._taking_codes = False
        self._pulls: dict[str, asyncio.Task[None]] = {}  # the running pull of each kf account
        self._to_pull: dict[str, list[tuple[Claimed, KfNotified]]] = {}  # notices waiting for the next one

    def wake(self, code: bool = False) -> None:
        """Events were stored; `code`: one carries a 20-second welcome code, which the inbox takes
        between the transactions of the batch at work rather than after it (`_codes_first`)."""
        if code and self._code_since is None:
            self._code_since = time.monotonic()
        self.wakeup.set()

    async def run_forever(self) -> None:
        try:
            await run_loop("inbox", self.process_unless_drained, self.wakeup, self.config.worker.poll_interval_s)
        finally:  # a stop lets the running pulls end (their pages stored, their notices marked), as before
            for notices in self._to_pull.values():
                self._let_go([row for row, _ in notices])
            self._to_pull.clear()
            await asyncio.gather(*self._pulls.values(), return_exceptions=True)

    async def process_unless_drained(self) -> int:
        """The running loop's round: `process_due`, unless the last claim took every event due and
        nothing was queued since (no wake) within the poll interval. The loop claims again after
        every round with work, and in a steady stream most of those claims found nothing: a
        transaction of three empty reads each (bench/README.md, eleventh session). What becomes due
        without a wake (a retry's time, a lapsed lease, another replica's event) waits for the poll,
        as it did after the empty claim. The round's kf pulls run on after it (`_start_pulls`)."""
        loop = asyncio.get_running_loop()
        if self._drained_at == self.wakeup.sets and loop.time() < self._last_claim + self.config.worker.poll_interval_s:
            return 0
        return await self._claim_and_work(wait_pulls=False)

    async def process_due(self) -> int:
        """One claim of due events and their handling; it returns once the kf pulls it started (and
        any running for the same accounts) have ended too (tests, `drain`)."""
        return await self._claim_and_work(wait_pulls=True)

    async def _claim_and_work(self, *, wait_pulls: bool) -> int:
        worker = self.config.worker
        now = self.clock.now()
        self._last_claim, woken = asyncio.get_running_loop().time(), self.wakeup.sets
        self._code_since = None  # this claim takes the codes due now first
        async with self.sessions.begin() as session:
            repo = InboundRepo(session)
            rows = await repo.claim_due(
                now=now, lease_s=worker.lease_s, limit=worker.inbox_batch,
                owner=self.instance.id if self.instance is not None else None, dead_after_s=worker.dead_after_s,
                uncounted=(KfNotified.kind,))
            claimed = self._claimed(rows, now)
        self._drained_at = woken if repo.took_all else None
        await self._work(claimed)
        if wait_pulls and self._pulls:
            await asyncio.wait(list(self._pulls.values()))
        return len(claimed)

    def _claimed(self, rows: Sequence[InboundEvent], now: datetime) -> list[Claimed]:
        return [Claimed(r.id, r.source, r.kind, dict(r.payload), r.received_at, r.attempts,
                        r.deadline is not None and r.deadline > now) for r in rows]

    async def _work(self, claimed: list[Claimed]) -> None:
        """The claimed events: kf notices handed to their account's pull (which runs on), the rest
        handled in order."""
        held = {row.id for row in claimed}
        if self.instance is not None:
            self.instance.inbound |= held  # its heartbeat renews these leases while we work
        self.in_flight += len(claimed)
        pulled: set[int] = set()
        try:
            decoded: list[tuple[Claimed, Event | MalformedCallback]] = []
            for row in claimed:
                try:
                    decoded.append((row, decode(row.source, row.payload)))
                except MalformedCallback as exc:
                    decoded.append((row, exc))
            pulled = self._start_pulls(decoded)
            await self._process_rest(decoded)
        finally:
            self._let_go([row for row in claimed if row.id not in pulled])

    def _let_go(self, rows: Sequence[Claimed]) -> None:
        self.in_flight -= len(rows)
        if self.instance is not None:
            self.instance.inbound -= {row.id for row in rows}

    def _start_pulls(self, decoded: list[tuple[Claimed, Event | MalformedCallback]]) -> set[int]:
        """The kf notices, to their account's pull: one pull (cursor-based, newest token) fetches
        everything any of them announced. It runs beside the batch's other events and on after the
        batch (a pull waits 50 ms or more for WeCom, then stores pages of hundreds of entries: a batch
        that waited for it held back the next claim, and the welcomes in it; bench/README.md, perf26).
        Notices for an account whose pull is running wait for the next pull, which starts when it
        ends: a pull begun before a notice was stored may not have fetched what it announced."""
        taken: set[int] = set()
        for account, notices in _notices_by_account(decoded).items():
            self._to_pull.setdefault(account, []).extend(notices)
            taken.update(row.id for row, _ in notices)
            if account not in self._pulls:
                self._pulls[account] = asyncio.create_task(self._pull_account(account), name="kf pull")
        return taken

    async def _pull_account(self, account: str) -> None:
        try:
            while notices := self._to_pull.pop(account, None):
                try:
                    await self._pull_once(sorted(notices, key=lambda n: n[0].id))
                except Exception:  # their leases lapse and they are claimed again
                    log.exception("kf pull failed", extra={"notices": len(notices)})
                finally:
                    self._let_go([row for row, _ in notices])
        finally:
            del self._pulls[account]

    async def _codes_first(self, run: list[tuple[Claimed, Event]]) -> None:
        """Earliest deadline first: welcome codes stored since the last claim are claimed and handled
        before the next transaction of other events once the first of them has waited `codes_after_s`
        (one round of them per such transaction, so a flood of codes never stops the rest). Without it
        a welcome waited for the whole batch claimed before it (50 events, and in the mixed flood the
        batch's kf pulls): seconds behind a backlog of kf questions and staff commands (bench/README.md,
        perf26)."""
        if not self._codes_waiting(run):
            return
        self._taking_codes = True
        try:
            worker = self.config.worker
            now = self.clock.now()
            self._code_since = None
            async with self.sessions.begin() as session:
                rows = await InboundRepo(session).claim_urgent(
                    now=now, lease_s=worker.lease_s, limit=worker.inbox_batch,
                    owner=self.instance.id if self.instance is not None else None,
                    dead_after_s=worker.dead_after_s, uncounted=(KfNotified.kind,))
                claimed = self._claimed(rows, now)
            await self._work(claimed)
        finally:
            self._taking_codes = False

    def _codes_waiting(self, run: list[tuple[Claimed, Event]]) -> bool:
        """Welcome codes stored while a transaction of other events runs have waited `codes_after_s`: it
        ends at its next group."""
        return self._codes_due() and not self._taking_codes and not all(r.urgent for r, _ in run)

    def _codes_due(self) -> bool:
        since = self._code_since
        return since is not None and time.monotonic() - since >= self.codes_after_s

    async def _process_rest(self, decoded: list[tuple[Claimed, Event | MalformedCallback]]) -> None:
        """Every event of the batch but the kf notices, in order, consecutive ones sharing transactions."""
        run: list[tuple[Claimed, Event]] = []  # consecutive events that may share a transaction
        for row, event in decoded:
            if isinstance(event, MalformedCallback):
                await self._process_all(run)
                run = []
                await self._unreadable(row, event)
                continue
            if isinstance(event, KfNotified):  # pulled apart (process_due)
                continue
            run.append((row, event))
            if len(run) == EVENTS_PER_TRANSACTION:
                await self._process_all(run)
                run = []
        await self._process_all(run)

    async def _process_all(self, run: list[tuple[Claimed, Event]]) -> None:
        """Several events in one transaction (it may end early, `yield_to`: the rest follow in the
        next); on any failure, each event of the failed transaction again in its own."""
        if len(run) > 1 and self.lookahead is not None:
            await self.lookahead([event for _, event in run])
        while len(run) > 1:
            await self._codes_first(run)
            await self._make_way(run)
            try:
                outcomes = await self._dispatch_together(run)
            except Exception as exc:  # the failing event logs its own traceback when it runs alone
                log.info("shared transaction failed; events run one by one",
                         extra={"events": len(run), "error": f"{type(exc).__name__}: {exc}"[:200]})
                break
            for (row, _), outcome in zip(run, outcomes, strict=False):
                self._count(row.kind, outcome)
            run = run[len(outcomes):]
        for row, event in run:
            await self._codes_first([(row, event)])
            await self._make_way([(row, event)])
            await self._process(row, event)

    async def _make_way(self, run: list[tuple[Claimed, Event]]) -> None:
        if self.make_way is not None and not any(row.urgent for row, _ in run):
            await self.make_way()

    async def _dispatch_together(self, run: list[tuple[Claimed, Event]]) -> list[str]:
        """The outcomes of the events it ran, a prefix of `run`: all of them, or fewer when acks or the
        delivery worker began waiting for the connection (the events it did not reach stay claimed, for the caller)."""
        async with self.sessions.begin() as session:
            written = track_writes(session)
            repo = InboundRepo(session)
            statuses = await repo.to_finish([r.id for r, _ in run])
            pending = {c.id for c, _ in run if statuses.get(c.id) == InboundStatus.PENDING}
            finished: list[tuple[int, datetime]] = []  # marked done together, before the commit
            prefetch = identify in self.dispatcher.middlewares
            if prefetch:  # the members of these events in one read
                await StaffRepo(session).prefetch([staff_of(e) for c, e in run if c.id in pending])
            outcomes: list[str] = []
            repos = Repos.bind(session)  # one set for the transaction's events: they keep no state of their own
            for claimed, event in run:
                if len(outcomes) % EVENTS_BEFORE_YIELD == 0:  # a group of events that surely runs whole
                    if outcomes and (self.yield_to() or self._codes_waiting(run)):
                        break
                    if prefetch:  # their customers in one read (and one insert), not one lookup each
                        group = run[len(outcomes):len(outcomes) + EVENTS_BEFORE_YIELD]
                        returning = await CustomerRepo(session).prefetch(
                            [who for c, e in group if c.id in pending and (who := customer_of(e)) is not None],
                            now=self.clock.now(), insert_first=all(likely_new(e) for _, e in group))
                        tagged = {who[0] for c, e in group
                                  if c.id in pending and reads_tags(e) and (who := customer_of(e)) is not None}
                        # the returning writers' tags in one read too (newcomers have none)
                        await TagRepo(session).prefetch_of([r.id for r in returning if r.external_userid in tagged])
                if claimed.id not in pending:
                    outcomes.append("skipped")  # another worker finished it while our lease lapsed
                    continue
                ran = await self.dispatcher.feed(event, self.context(session, event, received_at=claimed.received_at,
                                                                     repos=repos))
                finished.append((claimed.id, self.clock.now()))
                outcomes.append("done")
                if not ran:
                    log.info("event had no handler", extra={"event_id": claimed.id, "kind": event.kind})
            await repo.finish(finished)
        self.on_commit(frozenset(written))
        return outcomes

    def _count(self, kind: str, outcome: str) -> None:
        if self.metrics:
            self.metrics.events_processed_of(kind, outcome).inc()

    async def _unreadable(self, row: Claimed, exc: MalformedCallback) -> None:
        log.warning("stored event unreadable", extra={"event_id": row.id, "reason": clip(str(exc))})
        await self._park(row.id, str(exc))
        self._count(row.kind, "failed")

    async def _pull_once(self, notices: list[tuple[Claimed, KfNotified]]) -> None:
        """One kf/sync_msg pull (cursor-based, with the newest notice's token) fetches everything
        any of these notices announced, so a burst of customer messages costs one pull, not one each."""
        (row, newest), rest = notices[-1], [r for r, _ in notices[:-1]]
        outcome = await self._process(row, newest, covers=[r.id for r in rest])  # all marked done with the pull
        if not rest:
            return
        if outcome != "done":
            for other in rest:
                await self._reschedule(other.id, seconds=1.0, error=f"kf pull {outcome}", count=False)
        for other in rest:
            self._count(other.kind, outcome if outcome == "done" else "deferred")

    async def _process(self, row: Claimed, event: Event, covers: list[int] | None = None) -> str:
        """`covers`: for a kf notice, the other notices its pull answers (marked done with it)."""
        outcome = "done"
        event_id, kind, attempts = row.id, row.kind, row.attempts
        try:
            if isinstance(event, KfNotified):
                # the notices are marked done in the pull's last transaction (with the cursor)
                stored = await self.kf.pull(event.open_kfid, event.token, notices=[event_id, *(covers or [])])
                if stored is None:  # another pull is running; look again shortly
                    await self._reschedule(event_id, seconds=1.0, error="kf pull busy", count=False)
                    outcome = "deferred"
                    return outcome
                if stored:
                    self.wake(code=self.kf.take_codes())
            else:
                handled = await self._dispatch(event_id, event, row.received_at)
                outcome = "done" if handled else "skipped"
        except MalformedCallback as exc:  # a handler found a field it cannot read: retrying cannot help
            outcome = "failed"
            log.warning("stored event unreadable", extra={"event_id": event_id, "reason": clip(str(exc))})
            await self._park(event_id, str(exc))
        except Exception as exc:
            outcome = "retry"
            log.exception("event processing failed", extra={"event_id": event_id, "kind": kind})
            if attempts >= MAX_ATTEMPTS:
                outcome = "failed"
                await self._park(event_id, f"{type(exc).__name__}: {exc}")
            else:
                await self._reschedule(event_id, seconds=min(300.0, 2.0 ** attempts), error=repr(exc))
        finally:
            self._count(kind, outcome)
        return outcome

    async def _dispatch(self, event_id: int, event: Event, received_at: datetime) -> bool:
        async with self.sessions.begin() as session:
            written = track_writes(session)
            stmt = for_update(session, select(InboundEvent).where(InboundEvent.id == event_id))
            row = (await session.scalars(stmt)).first()
            if row is None or row.status != InboundStatus.PENDING:
                return False  # another worker finished it while our lease lapsed
            ctx = self.context(session, event, received_at=received_at)
            ran = await self.dispatcher.feed(event, ctx)
            row.status, row.processed_at, row.lease_until = InboundStatus.DONE, self.clock.now(), None
            row.lease_owner = None
            if not ran:
                log.info("event had no handler", extra={"event_id": event_id, "kind": event.kind})
        self.on_commit(frozenset(written))
        return True

    async def _reschedule(self, event_id: int, *, seconds: float, error: str, count: bool = True) -> None:
        async with self.sessions.begin() as session:
            row = await session.get(InboundEvent, event_id)
            if row is not None and row.status == InboundStatus.PENDING:
                row.due_at = self.clock.now() + timedelta(seconds=seconds)
                row.lease_until = row.lease_owner = None
                row.error = error[:500]
                if not count:
                    row.attempts = max(0, row.attempts - 1)

    async def _park(self, event_id: int, error: str) -> None:
        async with self.sessions.begin() as session:
            row = await session.get(InboundEvent, event_id)
            if row is not None:
                row.status, row.error, row.lease_until, row.lease_owner = InboundStatus.FAILED, error[:500], None, None
