"""The running delivery worker does not make every customer wait for one slow call at WeCom: the
next answers go out while it is still out, and one customer's answers still arrive in order."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.clock import SystemClock
from bot.config import WeComConfig, WorkerConfig
from bot.delivery import DeliveryWorker
from storage.models import Customer, OutboxItem
from tests.waiting import wait_until


@dataclass
class SlowWeCom:
    """Takes the call for "slow" until released; answers every other one at once."""

    config: WeComConfig = field(default_factory=WeComConfig)
    calls: list[str] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def call(self, api: str, payload: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.calls.append(payload["text"]["content"])
        if payload["text"]["content"] == "slow":
            await self.release.wait()
        return {"errcode": 0, "msgid": "m"}


def answer(customer_id: int, text: str, now: datetime) -> OutboxItem:
    return OutboxItem(api="kf/send_msg", payload={"touser": str(customer_id), "msgtype": "text",
                                                  "text": {"content": text}},
                      kind="reply", status="pending", attempts=0, due_at=now, last_error="", created_at=now,
                      customer_id=customer_id)


async def customers_answered(sessions: Any, prefix: str, count: int, *, answered: int, now: datetime) -> list[Customer]:
    """`count` new customers, the first `answered` of them with an answer queued ("first <id>")."""
    async with sessions.begin() as s:
        customers = [Customer(external_userid=f"{prefix}{n:03d}", first_seen_at=now, last_seen_at=now)
                     for n in range(count)]
        s.add_all(customers)
        await s.flush()
        for c in customers[:answered]:
            s.add(answer(c.id, f"first {c.id}", now))
    return customers


async def test_a_slow_answer_holds_up_neither_other_customers_nor_the_order_of_its_own(sessions) -> None:
    clock = SystemClock()
    now = clock.now()
    async with sessions.begin() as s:
        a, b = (Customer(external_userid=f"wmOverlap{n}", first_seen_at=now, last_seen_at=now) for n in "AB")
        s.add_all([a, b])
        await s.flush()
        s.add(answer(a.id, "slow", now))
    wecom = SlowWeCom()
    worker = DeliveryWorker(sessions, wecom, clock, WorkerConfig(poll_interval_s=0.05))  # type: ignore[arg-type]
    running = asyncio.create_task(worker.run_forever())
    try:
        assert await wait_until(lambda: wecom.calls == ["slow"], timeout=10.0)
        async with sessions.begin() as s:  # A writes again, then B: both answers are queued behind A's slow one
            s.add(answer(a.id, "A's second", clock.now()))
            s.add(answer(b.id, "B's first", clock.now()))
        worker.wakeup.set()

        # B is answered while A's first answer is still out at WeCom ...
        assert await wait_until(lambda: "B's first" in wecom.calls, timeout=10.0)
        await asyncio.sleep(0.3)
        assert wecom.calls == ["slow", "B's first"]  # ... and A's second never overtakes A's first
        wecom.release.set()
        assert await wait_until(lambda: len(wecom.calls) == 3, timeout=10.0)
        assert wecom.calls == ["slow", "B's first", "A's second"]

        async def all_sent() -> bool:
            async with sessions() as s:
                return set((await s.scalars(select(OutboxItem.status))).all()) == {"sent"}

        assert await wait_until(all_sent, timeout=10.0)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_claim_that_took_every_due_row_is_not_followed_by_one_that_finds_nothing(sessions, monkeypatch) -> None:
    """In a welcome burst every inbox commit woke the worker for a claim that sent its rows and a
    second that found nothing; rows queued with a wake still go out at once, and rows that become
    due unannounced (another process, a retry) at the next poll."""
    from storage.queues import OutboxRepo

    claims: list[int] = []
    claim_due = OutboxRepo.claim_due

    async def counted(self: OutboxRepo, **kwargs: Any) -> list[OutboxItem]:
        rows = await claim_due(self, **kwargs)
        claims.append(len(rows))
        return rows

    monkeypatch.setattr(OutboxRepo, "claim_due", counted)
    clock = SystemClock()
    now = clock.now()
    customers = await customers_answered(sessions, "wmDrained", 4, answered=3, now=now)
    wecom = SlowWeCom()
    worker = DeliveryWorker(sessions, wecom, clock, WorkerConfig(poll_interval_s=1.5))  # type: ignore[arg-type]
    running = asyncio.create_task(worker.run_forever())
    try:
        assert await wait_until(lambda: len(wecom.calls) == 3, timeout=10.0)
        await asyncio.sleep(0.5)
        assert claims == [3]  # the batch went out; no claim came back empty after it

        async with sessions.begin() as s:  # a commit that queued a row wakes the worker: it goes out at once
            s.add(answer(customers[3].id, "woken", clock.now()))
        worker.wakeup.set()
        assert await wait_until(lambda: "woken" in wecom.calls, timeout=1.0)

        async with sessions.begin() as s:  # queued without a wake: the poll finds it
            s.add(answer(customers[0].id, "unannounced", clock.now()))
        assert await wait_until(lambda: "unannounced" in wecom.calls, timeout=5.0)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_welcome_does_not_wait_while_the_main_loop_makes_way_for_acks(sessions) -> None:
    """While callbacks press, the main loop waits before its claim (up to 0.2 s each time); a welcome
    code lives 20 s, so the welcomes' own round sends it meanwhile."""
    from datetime import timedelta

    clock = SystemClock()
    acks_done = asyncio.Event()
    waits: list[float] = []

    async def make_way() -> None:  # callbacks keep pressing until the test says otherwise
        waits.append(clock.time())
        await acks_done.wait()

    async with sessions.begin() as s:
        friend = Customer(external_userid="wmWelcomedNow", first_seen_at=clock.now(), last_seen_at=clock.now())
        s.add(friend)
    wecom = SlowWeCom()
    worker = DeliveryWorker(sessions, wecom, clock, WorkerConfig(poll_interval_s=5.0),  # type: ignore[arg-type]
                            make_way=make_way)
    running = asyncio.create_task(worker.run_forever())
    try:
        assert await wait_until(lambda: waits, timeout=5.0)  # the main loop waits for the acks
        now = clock.now()
        async with sessions.begin() as s:
            s.add(OutboxItem(api="externalcontact/send_welcome_msg",
                             payload={"welcome_code": "wc1", "text": {"content": "欢迎"}}, kind="welcome",
                             status="pending", attempts=0, due_at=now, deadline=now + timedelta(seconds=19),
                             last_error="", created_at=now, customer_id=friend.id))
        worker.wakeup.set()
        assert await wait_until(lambda: wecom.calls == ["欢迎"], timeout=3.0)
        assert not acks_done.is_set()  # sent while the main loop was still making way
    finally:
        acks_done.set()
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_stopped_delivery_worker_leaves_nothing_running(sessions) -> None:
    """Stopping the worker (the bot shutting down) ends every task it started, also one caught inside a database
    call: its two loops ran under one `gather`, which ended at the first cancelled loop and left the other one
    closing its connection unawaited; the event loop's shutdown cancelled it again and the process hung (seen in
    this file's teardown). Stopped at many moments of claims and outcomes, it leaves no task behind."""
    clock = SystemClock()
    now = clock.now()
    await customers_answered(sessions, "wmStop", 30, answered=30, now=now)
    me = asyncio.current_task()
    for round_ in range(12):
        worker = DeliveryWorker(sessions, SlowWeCom(), clock, WorkerConfig(poll_interval_s=0.01))  # type: ignore[arg-type]
        running = asyncio.create_task(worker.run_forever())
        await asyncio.sleep(0.002 * round_)  # stopped at a different moment each round
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        left = [t for t in asyncio.all_tasks() if t is not me]
        assert left == [], (round_, left)
