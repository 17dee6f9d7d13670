"""The outbox delivery worker: claim due rows, call WeCom, record sent / retry / dead / expired.

No transaction spans an HTTP call: a short one claims rows (status 'sending' with a lease),
another records each outcome. A crash mid-send leaves the row 'sending' until its lease
runs out; then it is claimed again. A welcome whose code is past its 20 s deadline is never
sent: it ends 'expired' with the reason.

Post-delivery hook: when a row is marked sent with WeCom's answer in `result`, `after_sent(id,
api)` runs (bot.followups: e.g. show a new 「联系我」 QR code to the customer who asked for it).
It runs after the row is durably marked, so a failing follow-up never re-sends the call; the
features keep enough state to find undone follow-ups again (their sweep job).
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import WorkerConfig
from bot.errors import ApiError, TransportError, WanziError
from bot.metrics import Metrics
from bot.wecom.client import WeComClient
from storage.models import OutboxItem
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
}


def _backoff(attempts: int) -> float:
    return min(300.0, 2.0 * (2 ** max(0, attempts - 1))) * (0.5 + random.random())


class DeliveryWorker:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], client: WeComClient, clock: Clock,
                 config: WorkerConfig, metrics: Metrics | None = None) -> None:
        self.sessions = sessions
        self.client = client
        self.clock = clock
        self.config = config
        self.metrics = metrics
        self.wakeup = asyncio.Event()
        self.in_flight = 0
        self.after_sent: Callable[[int, str], Awaitable[None]] | None = None

    async def run_forever(self) -> None:
        while True:
            try:
                n = await self.deliver_due()
            except Exception:  # the loop must survive a DB blip; rows stay in the outbox
                log.exception("outbox delivery round failed")
                n = 0
            if n:
                continue
            self.wakeup.clear()
            try:
                await asyncio.wait_for(self.wakeup.wait(), self.config.poll_interval_s)
            except asyncio.TimeoutError:
                pass

    async def deliver_due(self) -> int:
        now = self.clock.now()
        async with self.sessions.begin() as session:
            batch = await OutboxRepo(session).claim_due(now=now, lease_s=self.config.lease_s,
                                                        limit=self.config.outbox_batch)
            claimed = [(i.id, i.api, dict(i.payload), i.deadline, i.attempts, i.customer_id) for i in batch]
        if not claimed:
            return 0
        # Rows for one customer go in order; different customers go in parallel.
        lanes: dict[Any, list[tuple]] = {}
        for row in claimed:
            lanes.setdefault(row[5] if row[5] is not None else ("row", row[0]), []).append(row)
        self.in_flight += len(claimed)
        try:
            await asyncio.gather(*(self._lane(rows) for rows in lanes.values()))
        finally:
            self.in_flight -= len(claimed)
        return len(claimed)

    async def _lane(self, rows: list[tuple]) -> None:
        for item_id, api, payload, deadline, attempts, _ in rows:
            await self._deliver(item_id, api, payload, deadline, attempts)

    async def _deliver(self, item_id: int, api: str, payload: dict[str, Any], deadline: datetime | None,
                       attempts: int) -> None:
        if deadline is not None and self.clock.now() >= deadline:
            await self._finish(item_id, status="expired", reason="deadline passed before delivery "
                                                                 f"(deadline {deadline.isoformat()})")
            return
        if api == "kf/send_msg" and "msgid" not in payload:
            payload["msgid"] = f"wz{item_id}"  # lets msg_send_fail events point back at this row
        try:
            result = await self.client.call(api, payload, deadline=deadline.timestamp() if deadline else None)
        except (ApiError, TransportError) as exc:
            await self._failed(item_id, api, exc, deadline, attempts)
            return
        except WanziError as exc:  # e.g. a ConfigError: no retry can fix it until an operator does
            await self._finish(item_id, status="dead", reason=f"not sendable: {exc}")
            return
        except Exception as exc:  # a bug must not strand the row in 'sending' for a whole lease
            log.exception("outbox delivery crashed", extra={"outbox_id": item_id, "api": api})
            await self._failed(item_id, api, TransportError(api, f"{type(exc).__name__}: {exc}"), deadline, attempts)
            return
        marked = await self._finish(item_id, status="sent", result=result)
        if self.metrics:
            self.metrics.outbox_sent.labels(api).inc()
        if marked and self.after_sent is not None:
            await self.after_sent(item_id, api)

    async def _failed(self, item_id: int, api: str, exc: ApiError | TransportError, deadline: datetime | None,
                      attempts: int) -> None:
        code = exc.errcode
        if code in ALREADY_DONE.get(api, ()):
            await self._finish(item_id, status="sent", errcode=code, reason=f"already delivered: {exc.errmsg}")
            return
        if code in PERMANENT_REASONS or not exc.retryable and not isinstance(exc, TransportError):
            reason = PERMANENT_REASONS.get(code, exc.errmsg)
            status = "expired" if deadline is not None and code == 41050 else "dead"
            await self._finish(item_id, status=status, errcode=code, reason=f"{code}: {reason}")
            return
        retry_at = self.clock.now() + timedelta(seconds=_backoff(attempts))
        if deadline is not None and retry_at >= deadline:
            await self._finish(item_id, status="expired", errcode=code,
                               reason=f"{code}: {exc.errmsg}; no retry possible before the deadline")
            return
        if attempts >= self.config.outbox_max_attempts:
            await self._finish(item_id, status="dead", errcode=code,
                               reason=f"{code}: {exc.errmsg}; gave up after {attempts} attempts")
            return
        async with self.sessions.begin() as session:
            item = await session.get(OutboxItem, item_id)
            if item is not None and item.status == "sending":
                item.status, item.due_at, item.lease_until = "pending", retry_at, None
                item.last_errcode, item.last_error = code, exc.errmsg[:500]

    async def _finish(self, item_id: int, *, status: str, result: dict[str, Any] | None = None,
                      errcode: int | None = None, reason: str = "") -> bool:
        """Record the outcome; False when the row was no longer ours (another worker finished it)."""
        async with self.sessions.begin() as session:
            item = await session.get(OutboxItem, item_id)
            if item is None or item.status != "sending":
                return False
            item.status, item.lease_until = status, None
            if status == "sent":
                item.sent_at = self.clock.now()
                item.result = result
            if errcode is not None:
                item.last_errcode = errcode
            if reason:
                item.last_error = reason[:500]
        if status != "sent":
            log.warning("outbox item not delivered", extra={"outbox_id": item_id, "status": status,
                                                            "errcode": errcode, "reason": reason})
        return True
