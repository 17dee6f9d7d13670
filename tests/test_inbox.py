"""The inbox worker runs several events per transaction; a handler that crashes on one of them
must cost only that event: the others are answered exactly once, the crashing one is retried
with backoff and finally parked with its error, and none of its writes are kept."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.appkeys import INBOX
from bot.inbox import EVENTS_BEFORE_YIELD, EVENTS_PER_TRANSACTION, MAX_ATTEMPTS
from bot.wecom.events import KfMessageReceived
from storage.models import Customer, InboundEvent, KfCursor, OutboxItem


async def test_a_crashing_handler_costs_only_its_own_event(wanzi, wecom, clock, monkeypatch) -> None:
    customers = [f"wmInbox{i}" for i in range(EVENTS_PER_TRANSACTION + 3)]  # a full shared batch and more
    inbox = wanzi.app[INBOX]
    real_feed = inbox.dispatcher.feed

    async def feed(event, ctx):
        if isinstance(event, KfMessageReceived) and event.external_userid == "wmInbox2":
            raise RuntimeError("handler bug")
        return await real_feed(event, ctx)

    monkeypatch.setattr(inbox.dispatcher, "feed", feed)
    for ext in customers:
        await wecom.customer_says(ext, "你好")
    await wanzi.drain()

    for ext in customers:
        assert len(wecom.customer_inbox(ext)) == (0 if ext == "wmInbox2" else 1), ext
    async with wanzi.sessions() as s:
        broken = await s.scalar(select(InboundEvent).where(InboundEvent.source == "kf",
                                                           InboundEvent.payload["external_userid"].as_string()
                                                           == "wmInbox2"))
        assert broken.status == "pending" and broken.attempts == 1 and "handler bug" in broken.error
        assert await s.scalar(select(func.count()).select_from(Customer)
                              .where(Customer.external_userid == "wmInbox2")) == 0  # its writes rolled back

    for _ in range(MAX_ATTEMPTS):
        clock.advance(301)  # past the longest backoff
        await wanzi.drain()
    async with wanzi.sessions() as s:
        broken = await s.get(InboundEvent, broken.id)
        assert broken.status == "failed" and "handler bug" in broken.error
        assert await s.scalar(select(func.count()).select_from(InboundEvent)
                              .where(InboundEvent.status == "pending")) == 0
    for ext in customers:
        assert len(wecom.customer_inbox(ext)) == (0 if ext == "wmInbox2" else 1), ext


async def test_a_burst_of_kf_notices_costs_one_pull(wanzi, wecom) -> None:
    """Six customers write at once: WeCom sends six kf_msg_or_event notices; one kf/sync_msg pull
    with the newest token fetches all six messages, and each customer is answered once."""
    customers = [f"wmKfBurst{i}" for i in range(6)]
    notices = [await wecom.customer_says(ext, "你好") for ext in customers]
    await wanzi.drain()
    syncs = wecom.calls("kf/sync_msg")
    assert [c.body.get("token") for c in syncs] == [notices[-1].fields["Token"]]
    for ext in customers:
        assert len(wecom.customer_inbox(ext)) == 1, ext
    async with wanzi.sessions() as s:
        rows = (await s.scalars(select(InboundEvent).where(InboundEvent.kind == "kf_notified"))).all()
    assert [r.status for r in rows] == ["done"] * len(customers)
    assert all(r.processed_at is not None and r.lease_until is None and r.lease_owner is None for r in rows)


async def test_a_failed_kf_pull_leaves_its_notices_pending_and_the_account_free(wanzi, wecom, clock) -> None:
    """The notices a pull answers are marked done in its last page's transaction, with the cursor:
    when WeCom fails the pull, they stay pending (nothing is lost), the account's pull lease is let go,
    and the next pull answers each customer once."""
    customers = [f"wmKfFail{i}" for i in range(3)]
    for ext in customers:
        await wecom.customer_says(ext, "你好")
    wecom.faults.inject("kf/sync_msg", errcode=-1, times=None)  # WeCom busy, past the client's retries
    await wanzi.app[INBOX].process_due()
    async with wanzi.sessions() as s:
        states = (await s.scalars(select(InboundEvent.status).where(InboundEvent.kind == "kf_notified"))).all()
        leases = (await s.scalars(select(KfCursor.lease_owner))).all()
        leased = (await s.scalars(select(KfCursor.lease_until))).all()
    assert states == ["pending"] * len(customers)
    assert all(owner is None for owner in leases) and all(until is None for until in leased)
    wecom.faults.clear()
    clock.advance(60)  # past the backoff
    await wanzi.drain()
    for ext in customers:
        assert len(wecom.customer_inbox(ext)) == 1, ext
    async with wanzi.sessions() as s:
        states = (await s.scalars(select(InboundEvent.status).where(InboundEvent.kind == "kf_notified"))).all()
    assert states == ["done"] * len(customers)


async def test_a_shared_transaction_ends_early_for_waiting_acks_and_loses_nothing(wanzi, wecom, monkeypatch) -> None:
    """While callbacks wait to be stored (SQLite: one connection), the inbox commits after
    EVENTS_BEFORE_YIELD events instead of holding the connection for a whole batch; every event is
    still answered once."""
    inbox = wanzi.app[INBOX]
    commits: list[int] = []
    real = inbox._dispatch_together

    async def counted(run):
        outcomes = await real(run)
        commits.append(len(outcomes))
        return outcomes

    monkeypatch.setattr(inbox, "_dispatch_together", counted)
    monkeypatch.setattr(inbox, "yield_to", lambda: True)  # acks always waiting
    customers = [f"wmYield{i}" for i in range(EVENTS_BEFORE_YIELD * 2 + 2)]
    for ext in customers:
        await wecom.customer_says(ext, "你好")
    await wanzi.drain()
    assert commits and max(commits) == EVENTS_BEFORE_YIELD  # never more while acks wait
    for ext in customers:
        assert len(wecom.customer_inbox(ext)) == 1, ext


async def test_a_slow_kf_pull_does_not_hold_up_the_rest_of_the_batch(wanzi, wecom, monkeypatch) -> None:
    """WeCom takes its time over kf/sync_msg (50 ms and more from mainland China); a staff command
    claimed in the same batch as the kf notice is answered meanwhile, and the customer is answered
    once the pull is back."""
    inbox = wanzi.app[INBOX]
    pulling, back = asyncio.Event(), asyncio.Event()
    real_pull = inbox.kf.pull

    async def slow_pull(open_kfid, token, notices=()):
        pulling.set()
        await back.wait()
        return await real_pull(open_kfid, token, notices)

    monkeypatch.setattr(inbox.kf, "pull", slow_pull)
    await wecom.customer_says("wmSlowPull", "你好")
    await wecom.staff_sends("zhang.wei", "/help")
    batch = asyncio.create_task(inbox.process_due())
    await asyncio.wait_for(pulling.wait(), 10)
    for _ in range(200):  # the staff member's answer is queued while the pull still waits for WeCom
        async with wanzi.sessions() as s:
            queued = await s.scalar(select(func.count()).select_from(OutboxItem)
                                    .where(OutboxItem.api == "message/send"))
        if queued:
            break
        await asyncio.sleep(0.05)
    assert queued == 1 and not batch.done()
    back.set()
    await batch
    await wanzi.drain()
    assert len(wecom.customer_inbox("wmSlowPull")) == 1
    assert len(wecom.staff_inbox("zhang.wei")) == 1


async def test_a_claim_that_took_every_due_event_is_not_followed_by_one_that_finds_nothing(wanzi, wecom,
                                                                                           monkeypatch) -> None:
    """The running inbox claimed again after every round with work, and in a steady stream that claim
    mostly found nothing; a callback stored (with its wake) is still taken at once, and an event that
    becomes due unannounced (another process's, a retry's) at the next poll."""
    import dataclasses

    from bot.wecom.events import KfNotified
    from storage.queues import InboundRepo, NewInbound
    from tests.waiting import wait_until

    claims: list[int] = []
    claim_due = InboundRepo.claim_due

    async def counted(self: InboundRepo, **kwargs) -> list[InboundEvent]:
        rows = await claim_due(self, **kwargs)
        claims.append(len(rows))
        return rows

    monkeypatch.setattr(InboundRepo, "claim_due", counted)
    inbox = wanzi.app[INBOX]
    inbox.config = dataclasses.replace(inbox.config, worker=dataclasses.replace(inbox.config.worker,
                                                                                poll_interval_s=1.5))

    async def done() -> int:
        async with wanzi.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(InboundEvent)
                                      .where(InboundEvent.status == "done")) or 0)

    running = asyncio.create_task(inbox.run_forever())
    try:
        assert await wait_until(lambda: claims == [0], timeout=5.0)  # the first round: nothing due
        await wecom.add_friend("zhang.wei", "wmDrainedInbox", state="")  # stored with a wake: taken at once
        assert await wait_until(lambda: claims == [0, 1], timeout=1.0)
        await asyncio.sleep(0.5)
        assert claims == [0, 1]  # no claim came back empty after it
        assert await done() == 1

        async with wanzi.sessions.begin() as s:  # stored without a wake: the poll finds it
            await InboundRepo(s).add_many([NewInbound("drained-unannounced", "kf", KfNotified.kind,
                                                      {"open_kfid": "wkNone", "token": "t"})], now=wanzi.clock.now())
        assert await wait_until(lambda: len(claims) == 3, timeout=5.0)
        assert claims[2] == 1  # taken by the next poll's claim
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_a_shared_transaction_that_fails_after_writing_its_welcomes_sends_each_once(wanzi, wecom,
                                                                                         monkeypatch) -> None:
    """New friends' welcomes, messages and outbox rows are written at the flush before the events are marked
    done (storage/newrows.py: one INSERT per table); when the transaction then fails, none of them is kept
    and the events, run again one by one, welcome each friend once."""
    from storage.models import Message
    from storage.queues import InboundRepo

    real = InboundRepo.finish
    failed: list[int] = []

    async def finish_then_fail(self, done):
        await self.session.flush()  # the rows written, as the statement's own autoflush does
        await real(self, done)
        if not failed:
            failed.append(len(done))
            raise RuntimeError("connection lost before the commit")

    monkeypatch.setattr(InboundRepo, "finish", finish_then_fail)
    friends = [f"wmOnce{i}" for i in range(5)]
    for ext in friends:
        await wecom.add_friend("zhang.wei", ext)
    await wanzi.drain()
    assert failed and failed[0] > 1  # a shared transaction failed after its rows were written
    sent = wecom.calls("externalcontact/send_welcome_msg")
    assert len(sent) == len({c.body["welcome_code"] for c in sent}) == len(friends)  # each friend's once
    async with wanzi.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxItem)
                              .where(OutboxItem.kind == "welcome")) == len(friends)
        assert await s.scalar(select(func.count()).select_from(Message).where(Message.kind == "welcome")) == len(
            friends)
        assert await s.scalar(select(func.count()).select_from(InboundEvent)
                              .where(InboundEvent.status != "done")) == 0
