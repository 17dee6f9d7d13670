"""[retention]: a daily run, once per fire time across replicas, clears processed raw callbacks and kf
entries after payload_days (keeping their hashed dedupe keys and what the digest counts), deletes
messages and 猜你想问 offers after message_days, and erases customers who left lost_friend_days ago and stayed away."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import config_from
from bot.appkeys import SCHEDULER
from bot.digest_metrics import Window
from bot.errors import ConfigError
from handlers.customers.digest import growth
from handlers.privacy.retention import JOB_NAME
from storage.models import AuditLog, Customer, FaqOffer, InboundEvent, Message
from storage.repos.replies import FaqOfferRepo
from tests import escalation_kit as kit
from tests.harness import BotUnderTest, make_config

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONG_AGO = datetime(2025, 1, 6, 10, 0, tzinfo=SHANGHAI)  # a Monday, 420 days before RUN
RUN = datetime(2026, 3, 2, 3, 30, tzinfo=SHANGHAI)  # the daily run (run_at 03:30)
LEFT, STILL_WRITES, STAYED = "wmLeft00001", "wmTalk00001", "wmStay00001"


@pytest.fixture
async def bot(db_url, wecom, clock):
    config = make_config(db_url, wecom.base_url, staff=kit.STAFF,
                         retention={"payload_days": 45, "message_days": 365, "lost_friend_days": 180})
    bot = await BotUnderTest.start(config, clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    yield bot
    await bot.stop()


async def customers(bot) -> dict[str, str]:
    async with bot.sessions() as s:
        return {c.external_userid: c.status for c in (await s.scalars(select(Customer))).all()}


async def new_friends(bot, day: date) -> int:
    async with bot.sessions() as s:
        count = (await growth(s, Window.of(day, SHANGHAI)))["growth.new_friends"]
        assert isinstance(count, int)
        return count


async def test_the_daily_run_clears_old_payloads_and_messages_and_erases_long_lost_friends(bot, wecom, clock):
    clock.set(LONG_AGO.timestamp())
    added = {}
    for ext in (LEFT, STILL_WRITES, STAYED):
        added[ext] = await wecom.add_friend("li.na", ext)
        await wecom.customer_says(ext, f"{ext} 很久以前的话")
        await bot.drain()
    await wecom.customer_deletes_staff("li.na", LEFT)
    await wecom.customer_deletes_staff("li.na", STILL_WRITES)
    await bot.drain()
    clock.advance(10 * 86400)
    await wecom.customer_says(STILL_WRITES, "还在吗")  # left, but still writes in the kf chat: not erased
    await bot.drain()
    clock.set((RUN - timedelta(hours=10)).timestamp())
    await wecom.customer_says(STAYED, "最近的话")
    await bot.drain()
    async with bot.sessions.begin() as s:  # 猜你想问 offers: one lapsed long ago, one settled long ago, one today
        stayed = await s.scalar(select(Customer.id).where(Customer.external_userid == STAYED))
        assert stayed is not None
        offers = FaqOfferRepo(s)
        await offers.add(stayed, "很久以前的问题", ["kb#1"], open_kfid="", now=LONG_AGO)
        await offers.add(stayed, "很久以前的另一个问题", ["kb#1"], open_kfid="", now=LONG_AGO + timedelta(days=1))
        await offers.settle_open(stayed, "resolved", now=LONG_AGO + timedelta(days=1))
        await offers.add(stayed, "最近的问题", ["kb#1"], open_kfid="", now=RUN - timedelta(hours=10))
    friends_then = await new_friends(bot, LONG_AGO.date())
    recent = await bot.count(InboundEvent, InboundEvent.received_at > RUN - timedelta(days=1))
    old_messages = await bot.count(Message, Message.created_at < RUN - timedelta(days=365))
    assert friends_then == 3 and recent == 2 and old_messages > 6  # the kf notice and the entry; chats both ways

    clock.set(RUN.timestamp())
    await bot.app[SCHEDULER].start()
    assert await bot.app[SCHEDULER].fire(JOB_NAME, RUN.astimezone(timezone.utc))
    await bot.drain()

    assert await customers(bot) == {STILL_WRITES: "lost", STAYED: "active"}  # LEFT is gone
    async with bot.sessions() as s:
        events = (await s.scalars(select(InboundEvent).order_by(InboundEvent.id))).all()
        texts = (await s.scalars(select(Message.text).where(Message.direction == "in"))).all()
    old = [e for e in events if e.received_at < RUN - timedelta(days=45)]
    assert old and all(e.cleared_at is not None for e in old)
    assert all(set(e.payload) <= {"MsgType", "Event", "ChangeType", "State"} for e in old)
    assert all(e.payload for e in events if e.received_at > RUN - timedelta(days=1))  # recent ones keep theirs
    assert all(LEFT not in repr(e.payload) and STILL_WRITES not in repr(e.payload) for e in events)
    assert texts == ["最近的话"]  # older than 365 days: deleted
    async with bot.sessions() as s:
        assert list((await s.scalars(select(FaqOffer.question))).all()) == ["最近的问题"]  # so are old offers
    assert await new_friends(bot, LONG_AGO.date()) == friends_then  # the digest still counts that day's adds

    events_before = len(events)
    replay = await wecom.deliver(added[STAYED].plain)  # a payload-less row still knows its callback
    await bot.drain()
    assert replay.acked and await bot.count(InboundEvent) == events_before

    assert not await bot.app[SCHEDULER].fire(JOB_NAME, RUN.astimezone(timezone.utc))  # another replica: no
    async with bot.sessions() as s:
        (run,) = (await s.scalars(select(AuditLog).where(AuditLog.action == "retention.applied"))).all()
        erased = (await s.scalars(select(AuditLog).where(AuditLog.action == "customer.erased"))).all()
    assert run.detail == {"payloads_cleared": len(old), "messages_deleted": old_messages, "offers_deleted": 2,
                          "customers_erased": 1, "addresses_cleared": 0}
    assert [(e.actor, e.detail["via"]) for e in erased] == [("retention", "retention")]
    job = bot.app[SCHEDULER].jobs[JOB_NAME]
    following = job.trigger.get_next_fire_time(RUN, RUN + timedelta(seconds=1))
    assert following == RUN + timedelta(days=1)  # once a day


@pytest.mark.parametrize("retention,key", [
    ({"payload_days": 10}, "retention.payload_days"),  # the digest's 30-day retention reads those callbacks
    ({"message_days": -1}, "retention.message_days"),
    ({"run_at": "25:00"}, "retention.run_at"),
])
def test_a_bad_retention_setting_names_its_key(retention: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from({"retention": retention}, {})
    assert info.value.key == key


def test_with_everything_kept_forever_there_is_no_retention_run() -> None:
    from handlers.privacy.retention import jobs

    keep = config_from({"retention": {"payload_days": 0, "message_days": 0, "lost_friend_days": 0,
                                      "address_days": 0}}, {})
    assert jobs(keep) == [] and [j.name for j in jobs(config_from({}, {}))] == [JOB_NAME]
