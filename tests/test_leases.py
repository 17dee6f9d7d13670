"""Leases of queued work: welcomes first, short leases that end with their deadline, retries planned
against it, and a lease held by a live process never taken (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.app import create_app
from bot.appkeys import INBOX, INSTANCE
from bot.clock import FakeClock, SystemClock
from bot.config import WorkerConfig
from bot.delivery import deadline_retry_at
from bot.instance import Instance
from emulator import Emulator, EmulatorConfig
from storage.models import InboundEvent, OutboxItem
from storage.queues import InboundRepo, KfCursorRepo, OutboxRepo
from tests.harness import make_config
from tests.waiting import wait_until

WORKER = WorkerConfig()  # the shipped lease settings


def row(api: str, now: datetime, *, kind: str = "reply", due_at: datetime | None = None,
        deadline: datetime | None = None) -> OutboxItem:
    return OutboxItem(api=api, payload={}, kind=kind, status="pending", attempts=0, due_at=due_at or now,
                      deadline=deadline, last_error="", created_at=now)


async def claim(sessions, instance: Instance | None, now: datetime, *, limit: int = 50) -> list[OutboxItem]:
    async with sessions.begin() as s:
        return await OutboxRepo(s).claim_due(
            now=now, lease_s=WORKER.lease_s, limit=limit, owner=instance.id if instance else None,
            deadline_lease_s=WORKER.deadline_lease_s, dead_after_s=WORKER.dead_after_s)


async def started(sessions, clock: FakeClock, name: str) -> Instance:
    instance = Instance(sessions, clock, WORKER, name)
    await instance.start()
    return instance


async def test_welcomes_are_claimed_before_a_backlog_earliest_deadline_first(sessions) -> None:
    clock = FakeClock(1_700_000_000)
    now = clock.now()
    async with sessions.begin() as s:
        for i in range(30):  # a backlog of pushes and answers, due for minutes already
            s.add(row("kf/send_msg", now, kind="push" if i % 2 else "answer", due_at=now - timedelta(minutes=5)))
        s.add(row("externalcontact/send_welcome_msg", now, kind="welcome", deadline=now + timedelta(seconds=18)))
        s.add(row("kf/send_msg_on_event", now, kind="welcome", deadline=now + timedelta(seconds=9)))
        s.add(row("externalcontact/send_welcome_msg", now, kind="welcome", deadline=now + timedelta(seconds=14)))

    batch = await claim(sessions, None, now, limit=5)

    assert [r.api for r in batch[:3]] == ["kf/send_msg_on_event", "externalcontact/send_welcome_msg",
                                          "externalcontact/send_welcome_msg"]
    assert [r.deadline for r in batch[:3]] == sorted(r.deadline for r in batch[:3] if r.deadline)
    assert [r.deadline for r in batch[3:]] == [None, None]  # then the backlog, oldest first


async def queued(sessions, now: datetime, *, kf_messages: int = 0, notices: tuple[int, float] = (0, 20),
                 welcomes: tuple[float, ...] = ()) -> None:
    """Stored callbacks: kf messages (no deadline), kf notices (count, seconds to their deadline) and
    welcomes (each its seconds to the deadline)."""
    async with sessions.begin() as s:
        repo = InboundRepo(s)
        for i in range(kf_messages):
            await repo.add_if_new(dedupe_key=f"kfmsg:{i}", source="kf", kind="kf_message", payload={}, now=now)
        for i in range(notices[0]):
            await repo.add_if_new(dedupe_key=f"notice:{i}", source="xml", kind="kf_notified", payload={}, now=now,
                                  deadline=now + timedelta(seconds=notices[1]))
        for i, seconds in enumerate(welcomes):
            await repo.add_if_new(dedupe_key=f"welcome:{i}", source="xml", kind="friend_added", payload={}, now=now,
                                  deadline=now + timedelta(seconds=seconds))


async def test_a_burst_of_kf_notices_leaves_the_claim_room_for_the_messages_they_announce(sessions) -> None:
    """In a burst every customer message brings a kf notice (claimed first: it may lead to a
    welcome_code); one pull serves all of an account's notices, so they take no room from the
    stored messages that carry the questions."""
    clock = FakeClock(1_700_000_000)
    now = clock.now()
    await queued(sessions, now, kf_messages=6, notices=(8, 20), welcomes=(15,))
    async with sessions.begin() as s:
        claimed = await InboundRepo(s).claim_due(now=now, lease_s=WORKER.lease_s, limit=5,
                                                 uncounted=("kf_notified",))
    kinds = [e.kind for e in claimed]
    assert kinds.count("kf_notified") == 8 and kinds.count("friend_added") == 1  # the urgent ones first
    assert kinds.count("kf_message") == 4  # the welcome took one place; the notices none


async def test_a_flood_of_kf_notices_never_crowds_a_welcome_out_of_the_claim(sessions) -> None:
    """Notices due sooner than a welcome (they came first) still leave it its place in the claim:
    in a mixed burst they outnumbered the welcomes and most welcomes' codes ran out waiting."""
    clock = FakeClock(1_700_000_000)
    now = clock.now()
    await queued(sessions, now, notices=(12, 5), welcomes=(15, 15, 15))
    async with sessions.begin() as s:
        claimed = await InboundRepo(s).claim_due(now=now, lease_s=WORKER.lease_s, limit=5,
                                                 uncounted=("kf_notified",))
    kinds = [e.kind for e in claimed]
    assert kinds.count("friend_added") == 3
    assert kinds.count("kf_notified") == 12


async def test_a_welcome_lease_is_short_and_never_outlives_the_deadline(sessions) -> None:
    clock = FakeClock(1_700_000_000)
    now = clock.now()
    async with sessions.begin() as s:
        s.add(row("externalcontact/send_welcome_msg", now, kind="welcome", deadline=now + timedelta(seconds=19)))
        s.add(row("kf/send_msg_on_event", now, kind="welcome", deadline=now + timedelta(seconds=2)))
        s.add(row("kf/send_msg", now))
    holder = await started(sessions, clock, "replica-a")

    batch = {r.api: r for r in await claim(sessions, holder, now)}

    for item in batch.values():
        assert item.lease_until is not None
        if item.deadline is not None:
            assert item.lease_until <= item.deadline
            assert item.lease_until - now <= timedelta(seconds=WORKER.deadline_call_s + WORKER.heartbeat_s)
    assert batch["kf/send_msg_on_event"].lease_until == now + timedelta(seconds=2)
    # The holder dies without a word (no restart, its heartbeat not yet stale): another replica
    # still gets the welcome well before its deadline, once its short lease has run out.
    other = await started(sessions, clock, "replica-b")
    clock.advance(WORKER.deadline_lease_s)
    taken = {r.api: r for r in await claim(sessions, other, clock.now())}
    assert sorted(taken) == ["externalcontact/send_welcome_msg", "kf/send_msg_on_event"]  # not the 60 s lease
    deadline = taken["externalcontact/send_welcome_msg"].deadline
    assert deadline is not None and clock.now() < deadline


def test_retries_of_a_welcome_are_planned_so_the_last_try_fits_before_the_deadline() -> None:
    start = FakeClock(1_700_000_000).now()
    deadline = start + timedelta(seconds=19)
    call_s = WORKER.deadline_call_s
    tries, now, attempts = [start], start, 1
    while (planned := deadline_retry_at(now, deadline, attempts, call_s=call_s, jitter=lambda: 0.5)) is not None:
        tries.append(planned)
        now, attempts = planned + timedelta(seconds=0.05), attempts + 1  # each try answers -1 in 50 ms

    offsets = [round((t - start).total_seconds(), 2) for t in tries]
    assert offsets[:5] == [0.0, 0.5, 1.55, 3.6, 7.65]  # 0.5 s after the first -1, the gap doubling
    assert all(t + timedelta(seconds=call_s) <= deadline for t in tries)  # each try has time for a whole call
    assert tries[-1] == deadline - timedelta(seconds=call_s)  # and the last uses the window to its end
    with_jitter = [deadline_retry_at(start, deadline, n, call_s=call_s, jitter=lambda: 1.0) for n in range(1, 12)]
    assert all(t is not None and t + timedelta(seconds=call_s) <= deadline for t in with_jitter)


async def test_a_welcome_wecom_refuses_until_late_is_still_sent_in_time(wanzi, wecom, clock) -> None:
    """WeCom answers -1 for 15 of the code's 20 seconds; every friend still gets the welcome."""
    wecom.faults.inject("send_welcome_msg", errcode=-1, times=None)
    start = clock.now()
    friends = [f"wmLateWelcome{i:02d}" for i in range(12)]
    for ext in friends:
        await wecom.add_friend("zhang.wei", ext)
    await wanzi.drain()
    while True:
        async with wanzi.sessions() as s:
            due = await OutboxRepo(s).next_due_at()
        if due is None or due - start > timedelta(seconds=30):
            break
        clock.advance(max(0.0, (due - clock.now()).total_seconds()))
        if clock.now() - start >= timedelta(seconds=15):
            wecom.faults.clear()  # WeCom recovers
        await wanzi.drain()

    for ext in friends:
        assert len(wecom.customer_inbox(ext)) == 1, ext
    tries = wecom.calls("send_welcome_msg")
    last_start = 19 - WORKER.deadline_call_s  # the bot's deadline is 1 s inside WeCom's 20
    assert all(c.at - start.timestamp() <= last_start + 1e-3 for c in tries)  # each try had time for one call
    async with wanzi.sessions() as s:
        statuses = (await s.scalars(select(OutboxItem.status).where(OutboxItem.kind == "welcome"))).all()
    assert set(statuses) == {"sent"}


async def test_a_slow_batch_of_answers_does_not_hold_up_a_welcome(db_url) -> None:
    """The running workers (not drain()), on real time: WeCom takes 5 s to accept an answer; a friend
    who arrives meanwhile is welcomed without waiting for it."""
    wecom = Emulator(EmulatorConfig(callback_retry_delay=0.0, callback_timeout=5.0))
    await wecom.start()
    app = create_app(make_config(db_url, wecom.base_url), clock=SystemClock(), run_workers=True)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    wecom.connect(f"http://127.0.0.1:{runner.addresses[0][1]}/wecom/callback")
    try:
        wecom.faults.inject("kf/send_msg", delay=5.0)
        await wecom.customer_says("wmSlowAnswer01", "你好")
        # 20 s like the suite's other real-time waits: this one includes start-up (the sentence model's
        # examples are embedded when the process's memo does not hold them: 4 s ran out once in a full run)
        answer = await wait_until(lambda: next(iter(wecom.calls("kf/send_msg")), None), timeout=20.0)
        assert answer is not None and answer.response is None  # the answer's batch is out, waiting

        await wecom.add_friend("zhang.wei", "wmWelcomeNow01")
        welcome = await wait_until(lambda: next((c for c in wecom.calls("send_welcome_msg") if c.ok), None),
                                   timeout=4.0)

        assert welcome is not None
        assert answer.response is None  # still waiting for WeCom: the welcome did not queue behind it
    finally:
        await runner.cleanup()
        await wecom.stop()


async def test_a_live_replicas_leases_are_never_taken(sessions) -> None:
    clock = FakeClock(1_700_000_000)
    now = clock.now()
    async with sessions.begin() as s:
        s.add(row("kf/send_msg", now))
        s.add(row("externalcontact/send_welcome_msg", now, kind="welcome", deadline=now + timedelta(seconds=19)))
        event_id = await InboundRepo(s).add_if_new(dedupe_key="msg:1", source="xml", kind="text", payload={},
                                                   now=now)
    a = await started(sessions, clock, "host-a:8080")
    b = await started(sessions, clock, "host-b:8080")
    held = await claim(sessions, a, now)
    a.outbox |= {r.id for r in held}
    async with sessions.begin() as s:
        (event,) = await InboundRepo(s).claim_due(now=now, lease_s=WORKER.lease_s, limit=10, owner=a.id,
                                                  dead_after_s=WORKER.dead_after_s)
        assert await KfCursorRepo(s).lease("wk1", now=now, lease_s=WORKER.lease_s, owner=a.id,
                                           dead_after_s=WORKER.dead_after_s) is not None
    a.inbound.add(event.id)
    a.kf.add("wk1")

    # A keeps working (slow WeCom, a long batch) and heartbeating, far past every lease length.
    welcome_expired = False
    while clock.now() - now < timedelta(seconds=2 * WORKER.lease_s):
        clock.advance(WORKER.heartbeat_s)
        await a.beat()
        await b.beat()
        taken = await claim(sessions, b, clock.now())
        if not welcome_expired and clock.now() >= now + timedelta(seconds=19):
            # past its deadline a welcome can only expire, so its lease ends there, even a live holder's
            assert [r.api for r in taken] == ["externalcontact/send_welcome_msg"]
            async with sessions.begin() as s:
                (await s.get(OutboxItem, taken[0].id)).status = "expired"
            welcome_expired = True
            continue
        assert taken == [], clock.now() - now
        async with sessions.begin() as s:
            assert await InboundRepo(s).claim_due(now=clock.now(), lease_s=WORKER.lease_s, limit=10, owner=b.id,
                                                  dead_after_s=WORKER.dead_after_s) == []
            assert await KfCursorRepo(s).lease("wk1", now=clock.now(), lease_s=WORKER.lease_s, owner=b.id,
                                               dead_after_s=WORKER.dead_after_s) is None

    # A falls silent: once its heartbeat is stale, B takes everything A held.
    clock.advance(WORKER.dead_after_s + WORKER.heartbeat_s)
    await b.beat()
    assert [r.api for r in await claim(sessions, b, clock.now())] == ["kf/send_msg"]
    async with sessions.begin() as s:
        assert [e.id for e in await InboundRepo(s).claim_due(
            now=clock.now(), lease_s=WORKER.lease_s, limit=10, owner=b.id,
            dead_after_s=WORKER.dead_after_s)] == [event_id]
        assert await KfCursorRepo(s).lease("wk1", now=clock.now(), lease_s=WORKER.lease_s, owner=b.id,
                                           dead_after_s=WORKER.dead_after_s) is not None


async def test_a_restarted_process_takes_its_dead_predecessors_work_at_once(sessions) -> None:
    clock = FakeClock(1_700_000_000)
    now = clock.now()
    async with sessions.begin() as s:
        s.add(row("kf/send_msg", now))
        s.add(row("externalcontact/send_welcome_msg", now, kind="welcome", deadline=now + timedelta(seconds=19)))
        await InboundRepo(s).add_if_new(dedupe_key="msg:2", source="xml", kind="text", payload={}, now=now)
    crashed = await started(sessions, clock, "host-a:8080")
    replica = await started(sessions, clock, "host-b:8080")
    assert len(await claim(sessions, crashed, now)) == 2
    async with sessions.begin() as s:
        assert len(await InboundRepo(s).claim_due(now=now, lease_s=WORKER.lease_s, limit=10, owner=crashed.id,
                                                  dead_after_s=WORKER.dead_after_s)) == 1
    clock.advance(1.5)  # SIGKILL; the same host and port start again a moment later

    restarted = await started(sessions, clock, "host-a:8080")

    assert sorted(r.api for r in await claim(sessions, restarted, clock.now())) == [
        "externalcontact/send_welcome_msg", "kf/send_msg"]
    async with sessions.begin() as s:
        assert len(await InboundRepo(s).claim_due(now=clock.now(), lease_s=WORKER.lease_s, limit=10,
                                                  owner=restarted.id, dead_after_s=WORKER.dead_after_s)) == 1
    assert replica.id != restarted.id  # a replica under another name was never declared dead


async def test_each_replicas_client_takes_its_share_of_wecoms_caps(sessions) -> None:
    """WeCom's caps are per corp: with two live replicas each limiter allows half, and when one
    stops (or falls silent) the other takes the whole cap again at its next heartbeat."""
    from bot.wecom.client import RateLimiter

    clock = FakeClock(1_700_000_000)
    limiters = {name: RateLimiter(per_minute=10_000, per_hour=150_000) for name in ("a", "b", "c")}
    a = await started(sessions, clock, "host-a:8080")
    a.on_replicas = limiters["a"].share
    b = await started(sessions, clock, "host-b:8080")
    b.on_replicas = limiters["b"].share
    clock.advance(WORKER.heartbeat_s)
    await a.beat()
    await b.beat()
    assert a.replicas == b.replicas == 2
    assert limiters["a"].most_in(60) + limiters["b"].most_in(60) <= 10_000
    await b.stop()
    clock.advance(WORKER.heartbeat_s)
    await a.beat()
    assert a.replicas == 1 and limiters["a"].most_in(60) > 9_000
    c = await started(sessions, clock, "host-c:8080")  # a new replica counts itself and the live one
    assert c.replicas == 2
    clock.advance(WORKER.dead_after_s + WORKER.heartbeat_s)  # a falls silent, c heartbeats on
    await c.beat()
    assert c.replicas == 1


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_events_whose_leases_the_heartbeat_is_renewing_are_answered_at_once(wanzi, wecom, clock,
                                                                                  monkeypatch) -> None:
    """PostgreSQL row locks: the heartbeat renews a batch's leases just as the inbox finishes it.
    Every command is still answered in that round, not a whole lease later."""
    inbox, holder = wanzi.app[INBOX], wanzi.app[INSTANCE]
    real = inbox._process_all

    async def heartbeat_meanwhile(run):
        renewing, done = asyncio.Event(), asyncio.Event()

        async def beat() -> None:  # what Instance.beat does, its transaction held a moment longer
            async with wanzi.sessions.begin() as s:
                await InboundRepo(s).renew([r.id for r, _ in run], owner=holder.id, now=clock.now(),
                                           lease_s=WORKER.lease_s)
                renewing.set()
                await done.wait()

        task = asyncio.create_task(beat())
        await renewing.wait()
        asyncio.get_running_loop().call_later(0.2, done.set)
        try:
            return await real(run)
        finally:
            await task

    monkeypatch.setattr(inbox, "_process_all", lambda run: heartbeat_meanwhile(run) if run else real(run))
    staff = ["zhang.wei", "li.na", "wang.fang"]
    for userid in staff:  # three commands share a transaction; then one on its own
        await wecom.staff_sends(userid, "/help")
    await wanzi.drain()
    await wecom.staff_sends("chen.jing", "/help")
    await wanzi.drain()

    assert len([c for c in wecom.calls("message/send") if c.ok]) == 4
    async with wanzi.sessions() as s:
        assert set((await s.scalars(select(InboundEvent.status))).all()) == {"done"}


@pytest.mark.postgres
async def test_a_lock_released_mid_claim_never_puts_a_row_twice_in_the_claim(postgres_url: str) -> None:
    """Another replica holds the oldest row while a claim takes its first rows (SKIP LOCKED passes it
    by), then lets go before the claim fills up: the claim may take that row now, but never a row it
    already holds a second time (an OFFSET over the rows then sent one command's answer twice)."""
    import time

    import asyncpg
    from sqlalchemy import event

    from storage import db

    engine = db.create_engine(postgres_url)
    sessions = db.session_factory(engine)
    now = FakeClock(1_700_000_000).now()
    async with sessions.begin() as s:
        for i in range(10):
            await InboundRepo(s).add_if_new(dedupe_key=f"cmd:{i}", source="xml", kind="staff_text", payload={},
                                            now=now)
        first_id = (await s.scalars(select(InboundEvent.id).order_by(InboundEvent.id))).first()
    other = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg", "postgresql"))
    await other.execute(f"BEGIN; SELECT id FROM inbound_event WHERE id = {first_id} FOR UPDATE")
    # the other replica commits on the server a moment later, while the claim is between its statements
    letting_go = asyncio.create_task(other.execute("SELECT pg_sleep(0.3); COMMIT"))
    await asyncio.sleep(0.05)
    statements: list[str] = []

    def pause_after_the_first(_conn, _cursor, statement: str, *_args) -> None:
        statements.append(statement)
        if len(statements) == 1:
            time.sleep(0.6)  # the event loop is held on purpose: nothing else of this test runs meanwhile

    event.listen(engine.sync_engine, "after_cursor_execute", pause_after_the_first)
    try:
        async with sessions.begin() as s:
            claimed = await InboundRepo(s).claim_due(now=now, lease_s=WORKER.lease_s, limit=5)
        ids = [e.id for e in claimed]
        assert len(ids) == 5 and len(set(ids)) == 5  # five commands, each once
        assert first_id in ids  # the row let go is taken by the later statement
    finally:
        event.remove(engine.sync_engine, "after_cursor_execute", pause_after_the_first)
        await letting_go
        await other.close()
        await engine.dispose()
