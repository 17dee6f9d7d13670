"""Pushes wait out quiet hours, respect daily and weekly caps, opt-out and the switch, and take the
route that can still reach the customer; whatever is dropped is recorded with its reason."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.appkeys import CONTEXTS
from handlers.antispam.config import AntispamConfig
from handlers.antispam.gate import PushGate, send_push
from persona import Cadence
from storage.models import Customer, OutboxItem, SuppressedPush
from storage.repos import CustomerRepo, PushLedger, PushRepo
from tests.harness import BotUnderTest, make_config

SHANGHAI = ZoneInfo("Asia/Shanghai")
CADENCE = Cadence(daily_cap=1, weekly_cap=2, quiet_start=time(22), quiet_end=time(8))
WED_10AM = datetime(2023, 11, 15, 10, 0, tzinfo=SHANGHAI)


Pair = tuple[PushRepo, Customer]


def local(dt: datetime | None) -> datetime | None:
    return dt.astimezone(SHANGHAI) if dt else None


@pytest.fixture
async def repo_and_customer(sessions) -> AsyncIterator[tuple[PushRepo, Customer]]:
    async with sessions.begin() as s:
        customer = await CustomerRepo(s).upsert("wmGate01", now=WED_10AM)
        yield PushRepo(s), customer


def planned(session, customer: Customer, due: datetime) -> None:
    session.add(OutboxItem(api="kf/send_msg", payload={}, kind="push", customer_id=customer.id, status="sent",
                           attempts=1, due_at=due, last_error="", created_at=due))


async def test_a_push_outside_quiet_hours_leaves_now(repo_and_customer: Pair) -> None:
    repo, customer = repo_and_customer
    admission = await PushGate(CADENCE).admit(repo, customer, now=WED_10AM)
    assert local(admission.due_at) == WED_10AM


@pytest.mark.parametrize("hour,expected", [(23, datetime(2023, 11, 16, 8, tzinfo=SHANGHAI)),
                                           (3, datetime(2023, 11, 15, 8, tzinfo=SHANGHAI))])
async def test_a_push_in_quiet_hours_waits_for_their_end(repo_and_customer: Pair, hour: int,
                                                         expected: datetime) -> None:
    repo, customer = repo_and_customer
    admission = await PushGate(CADENCE).admit(repo, customer, now=WED_10AM.replace(hour=hour))
    assert local(admission.due_at) == expected


async def test_the_daily_cap_moves_a_push_to_the_next_morning(repo_and_customer: Pair) -> None:
    repo, customer = repo_and_customer
    planned(repo.session, customer, WED_10AM - timedelta(hours=1))
    admission = await PushGate(CADENCE).admit(repo, customer, now=WED_10AM)
    assert local(admission.due_at) == datetime(2023, 11, 16, 8, tzinfo=SHANGHAI)


async def test_the_weekly_cap_drops_a_push(repo_and_customer: Pair) -> None:
    repo, customer = repo_and_customer
    planned(repo.session, customer, WED_10AM - timedelta(days=2))  # Monday
    planned(repo.session, customer, WED_10AM - timedelta(days=1))  # Tuesday
    admission = await PushGate(CADENCE).admit(repo, customer, now=WED_10AM)
    assert (admission.due_at, admission.reason) == (None, "weekly_cap")
    planned(repo.session, customer, WED_10AM - timedelta(days=3))  # last Sunday: another week
    next_monday = WED_10AM + timedelta(days=5)
    assert local((await PushGate(CADENCE).admit(repo, customer, now=next_monday)).due_at) == next_monday


@pytest.mark.parametrize("change,gate,reason", [
    ({"opted_out": True}, PushGate(CADENCE), "opted_out"),
    ({"status": "lost"}, PushGate(CADENCE), "lost"),
    ({}, PushGate(CADENCE, enabled=False), "switched_off"),
])
async def test_opt_out_lost_friends_and_the_switch_drop_pushes(repo_and_customer: Pair, change: dict[str, object],
                                                               gate: PushGate, reason: str) -> None:
    repo, customer = repo_and_customer
    for key, value in change.items():
        setattr(customer, key, value)
    admission = await gate.admit(repo, customer, now=WED_10AM)
    assert (admission.due_at, admission.reason) == (None, reason)


async def test_a_push_that_could_only_leave_after_its_window_is_dropped(repo_and_customer: Pair) -> None:
    repo, customer = repo_and_customer
    night = WED_10AM.replace(hour=23)
    admission = await PushGate(CADENCE).admit(repo, customer, now=night, latest=night + timedelta(hours=3))
    assert (admission.due_at, admission.reason) == (None, "kf_window")


def test_the_operator_can_tighten_the_personas_cadence() -> None:
    gate = PushGate.from_config(CADENCE, AntispamConfig(daily_cap=0, weekly_cap=1, quiet_hours="21:00-09:30"),
                                "Asia/Shanghai")
    assert gate.cadence == Cadence(daily_cap=1, weekly_cap=1, quiet_start=time(21), quiet_end=time(9, 30))
    assert local(gate.release(WED_10AM.replace(hour=9))) == WED_10AM.replace(hour=9, minute=30)
    never_quiet = PushGate.from_config(CADENCE, AntispamConfig(quiet_hours="off"), "Asia/Shanghai")
    assert never_quiet.release(WED_10AM.replace(hour=23)) == WED_10AM.replace(hour=23)


# --- routes, through the bot and the emulator ------------------------------------------------


@pytest.fixture
async def wanzi(db_url: str, wecom, clock) -> AsyncIterator[BotUnderTest]:
    clock.set(WED_10AM.timestamp())
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    yield bot
    await bot.stop()


async def push_stage(bot: BotUnderTest, external_userid: str) -> str:
    """What a scheduled campaign job would do: push the 种草期 content to one customer."""
    async with bot.sessions.begin() as s:
        ctx = bot.app[CONTEXTS](s)
        customer = await ctx.repos.customers.find(external_userid)
        assert customer is not None
        ctx = ctx.with_(customer=customer)
        outcome = await send_push(ctx, ctx.services.push_gate, customer, "stage.interested", name="", stage="种草期")
    await bot.drain()
    return outcome.status


async def suppressed(bot: BotUnderTest) -> list[str]:
    async with bot.sessions() as s:
        return [r.reason for r in (await s.scalars(select(SuppressedPush).order_by(SuppressedPush.id))).all()]


async def test_a_friend_who_never_wrote_in_kf_gets_a_mass_message_for_staff_to_confirm(wanzi, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmFriend01", state="expo")
    await wanzi.drain()
    assert await push_stage(wanzi, "wmFriend01") == "queued"
    (call,) = wecom.calls("externalcontact/add_msg_template")
    assert call.ok
    assert (call.body["chat_type"], call.body["sender"], call.body["external_userid"]) == (
        "single", "zhang.wei", ["wmFriend01"])
    assert wecom.confirm_group_msg(call.response["msgid"], "zhang.wei") == 1
    assert "保湿" in wecom.customer_inbox("wmFriend01")[-1]


async def test_a_kf_push_that_would_miss_the_48_hour_window_goes_to_friends_only(wanzi, wecom, clock) -> None:
    clock.set(WED_10AM.replace(hour=6).timestamp())  # they write at 06:00: the kf window closes Friday 06:00
    await wecom.add_friend("zhang.wei", "wmBoth01", state="expo")
    for ext in ("wmBoth01", "wmKfOnly01"):
        await wecom.customer_says(ext, "你好")
    await wanzi.drain()
    clock.set(WED_10AM.replace(day=16, hour=23).timestamp())  # Thursday 23:00: quiet until Friday 08:00
    assert await push_stage(wanzi, "wmKfOnly01") == "suppressed"
    assert await suppressed(wanzi) == ["kf_window"]
    assert await push_stage(wanzi, "wmBoth01") == "deferred"  # the friend still hears from us ...
    clock.set(WED_10AM.replace(day=17, hour=8).timestamp())
    await wanzi.drain()
    (call,) = wecom.calls("externalcontact/add_msg_template")  # ... as a mass message, Friday 08:00
    assert call.ok and call.body["external_userid"] == ["wmBoth01"]
    assert [c.body["touser"] for c in wecom.calls("kf/send_msg")] == ["wmBoth01", "wmKfOnly01"]  # the answers


@pytest.fixture
async def roomy_wanzi(db_url: str, wecom, clock) -> AsyncIterator[BotUnderTest]:
    """Caps far away, so only WeCom's own kf limit is in play."""
    clock.set(WED_10AM.timestamp())
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, antispam={"daily_cap": 10,
                                                                                "weekly_cap": 10}), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    yield bot
    await bot.stop()


async def test_a_kf_push_never_takes_the_last_of_the_five_messages(roomy_wanzi, wecom) -> None:
    await wecom.customer_says("wmBusy01", "你好")  # 1 answer
    await roomy_wanzi.drain()
    outcomes = [await push_stage(roomy_wanzi, "wmBusy01") for _ in range(4)]
    assert outcomes == ["queued", "queued", "queued", "suppressed"]
    assert await suppressed(roomy_wanzi) == ["kf_limit"]
    sends = [c for c in wecom.calls("kf/send_msg") if c.body["touser"] == "wmBusy01"]
    assert len(sends) == 4 and all(c.ok for c in sends)  # one slot left for the next answer


async def test_a_batch_ledger_decides_exactly_like_per_customer_queries(sessions) -> None:
    """Broadcasts plan 500 customers from one PushLedger; caps, dead rows and kf sends must count
    the same as PushRepo's queries, including pushes the batch itself has just queued."""
    histories: list[list[tuple[str, str, timedelta]]] = [
        [],
        [("kf/send_msg", "sent", -timedelta(hours=1))],  # today: daily cap reached
        [("kf/send_msg", "sent", -timedelta(days=2)), ("kf/send_msg", "sent", -timedelta(days=1))],  # weekly cap
        [("kf/send_msg", "dead", -timedelta(hours=1)), ("kf/send_msg", "cancelled", -timedelta(hours=2))],
        [("externalcontact/add_msg_template", "pending", timedelta(hours=20))],  # tomorrow is taken
        [("kf/send_msg", "sent", -timedelta(days=3))],  # last Sunday: another week
    ]
    async with sessions.begin() as s:
        customers = []
        for n, history in enumerate(histories):
            customer = await CustomerRepo(s).upsert(f"wmLedger{n}", now=WED_10AM)
            customers.append(customer)
            for api, status, offset in history:
                s.add(OutboxItem(api=api, payload={}, kind="push", customer_id=customer.id, status=status, attempts=1,
                                 due_at=WED_10AM + offset, last_error="",
                                 created_at=WED_10AM + min(offset, timedelta())))
        s.add(OutboxItem(api="kf/send_msg", payload={}, kind="reply", customer_id=customers[0].id, status="sent",
                         attempts=1, due_at=WED_10AM, last_error="", created_at=WED_10AM - timedelta(minutes=5)))
        repo, gate = PushRepo(s), PushGate(CADENCE)
        ledger = await PushLedger.load(s, [c.id for c in customers], since=WED_10AM - timedelta(days=7))
        since = WED_10AM - timedelta(hours=3)
        for round_ in range(3):  # each round queues what was admitted: later rounds see the earlier ones
            for customer in customers:
                expected = await gate.admit(repo, customer, now=WED_10AM)
                assert await gate.admit(ledger, customer, now=WED_10AM) == expected, (round_, customer.external_userid)
                assert await ledger.kf_sends_since(customer.id, since) == await repo.kf_sends_since(customer.id, since)
                if expected.due_at is not None:
                    item = OutboxItem(api="kf/send_msg", payload={}, kind="push", customer_id=customer.id,
                                      status="pending", attempts=0, due_at=expected.due_at, last_error="",
                                      created_at=WED_10AM)
                    s.add(item)
                    ledger.planned(item)
        decided = [await gate.admit(ledger, c, now=WED_10AM) for c in customers]
        assert [d.reason for d in decided] == ["weekly_cap"] * len(customers)  # two a week, everyone is full now
        with pytest.raises(ValueError):
            await ledger.count_planned(customers[0].id, start=WED_10AM - timedelta(days=8), end=WED_10AM)


async def test_a_push_shared_by_many_friends_counts_toward_each_ones_cap(sessions) -> None:
    """A broadcast reaches friends through one add_msg_template row for up to 10,000 of them; each
    of them has had their push for the day all the same."""
    from bot.clock import FakeClock
    from bot.outbox import Outbox, PushAdmission

    async with sessions.begin() as s:
        friends = [await CustomerRepo(s).upsert(f"wmShared{i}", now=WED_10AM) for i in range(2)]
        bystander = await CustomerRepo(s).upsert("wmShared9", now=WED_10AM)
        await s.flush()
        admitted = [PushAdmission(f.id, "contact", WED_10AM) for f in friends]  # as the gate admits a broadcast
        Outbox(s, FakeClock(WED_10AM.timestamp())).push_to_friends(admitted, "li.na", friends, "新品上市啦")
        repo, gate = PushRepo(s), PushGate(CADENCE)
        ledger = await PushLedger.load(s, [c.id for c in (*friends, bystander)], since=WED_10AM - timedelta(days=7))
        for counts in (repo, ledger):
            for friend in friends:
                admission = await gate.admit(counts, friend, now=WED_10AM)
                assert local(admission.due_at) == datetime(2023, 11, 16, 8, tzinfo=SHANGHAI)  # tomorrow morning
            assert local((await gate.admit(counts, bystander, now=WED_10AM)).due_at) == WED_10AM
