"""What the outbox row says after a call: WeCom's acceptance always sticks (the message is never sent
twice), a failure counts only while this process still holds the row, and a retry or a refusal is
written with its reason. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update

from bot.clock import SystemClock
from bot.config import WeComConfig, WorkerConfig
from bot.delivery import DeliveryWorker
from bot.errors import ApiError
from storage.models import OutboxItem
from storage.queues import OutboxRepo


@dataclass
class WeCom:
    """Answers each call with `answer` (or raises it); `meanwhile` runs first, while the call is out."""

    sessions: Any
    answer: dict[str, Any] | ApiError
    meanwhile: Any = None
    config: WeComConfig = field(default_factory=WeComConfig)
    calls: int = 0

    async def call(self, api: str, payload: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.calls += 1
        if self.meanwhile is not None:
            await self.meanwhile(self.sessions)
        if isinstance(self.answer, ApiError):
            raise self.answer
        return self.answer


async def queue_answer(sessions: Any) -> int:
    now = SystemClock().now()
    async with sessions.begin() as s:
        item = OutboxRepo(s).add(OutboxItem(api="kf/send_msg", payload={"touser": "wmOutcome", "msgtype": "text",
                                                                          "text": {"content": "您好"}},
                                            kind="reply", status="pending", attempts=0, due_at=now, last_error="",
                                            created_at=now))
        await s.flush()
        return item.id


async def another_replica_takes_it(sessions: Any) -> None:
    """The row's lease ran out mid-call and another process claimed it."""
    async with sessions.begin() as s:
        await s.execute(update(OutboxItem).values(lease_owner="other-replica", attempts=OutboxItem.attempts + 1))


async def row(sessions: Any, item_id: int) -> OutboxItem:
    async with sessions() as s:
        return await OutboxRepo(s).get(item_id)


async def deliver(sessions: Any, wecom: WeCom) -> None:
    worker = DeliveryWorker(sessions, wecom, SystemClock(), WorkerConfig())  # type: ignore[arg-type]
    await worker.deliver_due()


async def test_an_answer_wecom_accepted_is_recorded_sent_with_wecoms_reply(sessions) -> None:
    item_id = await queue_answer(sessions)
    await deliver(sessions, WeCom(sessions, {"errcode": 0, "errmsg": "ok", "msgid": "wecom-msg-1"}))
    sent = await row(sessions, item_id)
    assert (sent.status, sent.result, sent.lease_owner, sent.lease_until) == (
        "sent", {"errcode": 0, "errmsg": "ok", "msgid": "wecom-msg-1"}, None, None)
    assert sent.sent_at is not None


async def test_an_accepted_call_is_recorded_sent_even_after_another_replica_took_the_row(sessions) -> None:
    """Otherwise the other replica would send the customer the same message again."""
    item_id = await queue_answer(sessions)
    wecom = WeCom(sessions, {"errcode": 0, "msgid": "wecom-msg-2"}, meanwhile=another_replica_takes_it)
    await deliver(sessions, wecom)
    sent = await row(sessions, item_id)
    assert (sent.status, sent.result, sent.lease_owner) == ("sent", {"errcode": 0, "msgid": "wecom-msg-2"}, None)
    await deliver(sessions, wecom)  # nothing is due any more: no second call
    assert wecom.calls == 1


async def test_a_failed_call_leaves_a_row_another_replica_took_to_that_replica(sessions) -> None:
    item_id = await queue_answer(sessions)
    await deliver(sessions, WeCom(sessions, ApiError("kf/send_msg", -1, "system busy"),
                                  meanwhile=another_replica_takes_it))
    taken = await row(sessions, item_id)
    assert (taken.status, taken.lease_owner, taken.attempts, taken.last_errcode) == (
        "sending", "other-replica", 2, None)


async def test_a_busy_wecom_leaves_the_answer_queued_for_a_later_try_with_the_reason(sessions) -> None:
    item_id = await queue_answer(sessions)
    before = SystemClock().now()
    await deliver(sessions, WeCom(sessions, ApiError("kf/send_msg", -1, "system busy")))
    waiting = await row(sessions, item_id)
    assert (waiting.status, waiting.last_errcode, waiting.last_error, waiting.lease_owner) == (
        "pending", -1, "system busy", None)
    assert waiting.due_at > before


async def test_a_refused_answer_is_dead_with_wecoms_reason_and_never_retried(sessions) -> None:
    item_id = await queue_answer(sessions)
    wecom = WeCom(sessions, ApiError("kf/send_msg", 95002, "out of window"))
    await deliver(sessions, wecom)
    dead = await row(sessions, item_id)
    assert (dead.status, dead.last_errcode, dead.last_error) == ("dead", 95002, "95002: kf: outside the 48 h window")
    await deliver(sessions, wecom)
    assert wecom.calls == 1
