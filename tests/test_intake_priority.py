"""Earliest deadline first from intake on: an event carrying a 20-second welcome_code is stored
with a deadline and claimed before any backlog of other events; a group commit of arrivals is one
multi-row insert that still answers each arrival (new id, or None for a duplicate)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import select

from bot.appkeys import DELIVERY, INBOX
from bot.clock import FakeClock
from bot.wecom.xml import build_xml
from storage import db
from storage.models import InboundEvent
from storage.queues import InboundRepo, NewInbound
from tests.harness import CORP_ID, friend_added_xml


def staff_text(i: int) -> str:
    return build_xml({"ToUserName": CORP_ID, "FromUserName": "zhang.wei", "CreateTime": int(time.time()),
                      "MsgType": "text", "Content": f"/help {i}", "MsgId": 7_400_000_000_000_000_000 + i,
                      "AgentID": 1000002})


async def test_a_welcome_behind_a_backlog_is_processed_in_the_first_round(wanzi) -> None:
    inbox = wanzi.app[INBOX]
    backlog = inbox.config.worker.inbox_batch + 10  # more than one claim takes
    for i in range(backlog):
        assert await wanzi.post(staff_text(i)) == 200
    assert await wanzi.post(friend_added_xml("zhang.wei", "wmPriority1", welcome_code="CODE-PRIORITY-1")) == 200

    await inbox.process_due()  # one claim, one round

    async with wanzi.sessions() as s:
        rows = (await s.scalars(select(InboundEvent))).all()
    welcome = next(r for r in rows if r.kind == "friend_added")
    others = [r for r in rows if r.kind != "friend_added"]
    assert welcome.deadline is not None and all(r.deadline is None for r in others)
    assert welcome.status == "done"  # it arrived last and went first
    assert any(r.status == "pending" for r in others)  # the backlog is still being worked off


async def test_one_insert_answers_every_arrival_of_a_batch(db_url: str) -> None:
    engine = db.create_engine(db_url)
    sessions, now = db.session_factory(engine), FakeClock(1_700_000_000).now()
    try:
        async with sessions.begin() as s:
            first = await InboundRepo(s).add_many([NewInbound("msg:1", "xml", "text", {}),
                                                   NewInbound("msg:2", "xml", "text", {})], now=now)
        async with sessions.begin() as s:
            second = await InboundRepo(s).add_many([NewInbound("msg:2", "xml", "text", {}),  # seen before
                                                    NewInbound("msg:3", "xml", "text", {}),
                                                    NewInbound("msg:3", "xml", "text", {})], now=now)  # twice now
        assert None not in first and len(set(first)) == 2
        assert second[0] is None and second[1] is not None and second[2] is None
        async with sessions() as s:
            assert len((await s.scalars(select(InboundEvent))).all()) == 3
    finally:
        await engine.dispose()


async def _claimed_keys(sessions, now, limit: int) -> list[str]:
    async with sessions.begin() as s:
        rows = await InboundRepo(s).claim_due(now=now, lease_s=60, limit=limit)
        return [r.kind for r in rows]


async def test_a_dead_welcome_code_goes_after_the_live_ones_and_a_flood_of_codes_leaves_room_for_the_rest(
        db_url: str) -> None:
    engine = db.create_engine(db_url)
    sessions, clock = db.session_factory(engine), FakeClock(1_700_000_000)
    now = clock.now()
    try:
        async with sessions.begin() as s:
            repo = InboundRepo(s)
            await repo.add_many([NewInbound("old", "xml", "dead_code", {}, deadline=now - timedelta(seconds=1))],
                                now=now - timedelta(seconds=21))
            await repo.add_many([NewInbound(f"w{i}", "xml", "live_code", {}, deadline=now + timedelta(seconds=19))
                                 for i in range(10)] +
                                [NewInbound(f"t{i}", "xml", "text", {}) for i in range(5)], now=now)
        kinds = await _claimed_keys(sessions, now, 10)
        assert kinds[:8] == ["live_code"] * 8  # a live code first: never a welcome that can only expire
        assert kinds[8:] == ["dead_code", "text"]  # the others, oldest first, still move under the flood
        assert await _claimed_keys(sessions, now, 10) == ["live_code"] * 2 + ["text"] * 4
    finally:
        await engine.dispose()


async def test_a_welcome_arriving_mid_batch_is_sent_before_the_backlog_is_worked_off(wanzi, wecom) -> None:
    """Earliest deadline first inside a batch: a new friend adds a member while the inbox works
    through a claimed backlog of staff commands and kf questions. Their welcome is handled before
    the rest of that batch and reaches WeCom while the backlog still waits; afterwards every command
    and question is answered once, and the welcome is sent once."""
    inbox, delivery = wanzi.app[INBOX], wanzi.app[DELIVERY]
    members = ("zhang.wei", "li.na", "wang.fang", "chen.jing")
    commands = inbox.config.worker.inbox_batch + 10  # more than one claim takes
    for i in range(commands):
        await wecom.staff_sends(members[i % len(members)], f"/help {i}")
    customers = [f"wmEdf{i}" for i in range(5)]
    for ext in customers:
        await wecom.customer_says(ext, "你好")
    order: list[str] = []
    added: list[asyncio.Task] = []
    real_feed = inbox.dispatcher.feed

    async def feed(event, ctx):
        order.append(event.kind)
        if not added and event.kind == "app_message":  # the batch is at work: a new friend now
            added.append(asyncio.create_task(wecom.add_friend("zhang.wei", "wmEdfNew")))
        return await real_feed(event, ctx)

    inbox.dispatcher.feed = feed
    inbox.codes_after_s = 0  # no gathering of codes (CODES_AFTER_S): the order does not depend on the test's pace
    await inbox.process_due()  # one claim, one round
    await added[0]

    welcome_at = order.index("friend_added")
    assert "app_message" in order[welcome_at + 1:]  # handled before the batch claimed ahead of it was done
    await delivery.deliver_due(deadline_bound_only=True)
    assert len(wecom.calls("send_welcome_msg")) == 1 and wecom.customer_inbox("wmEdfNew")
    async with wanzi.sessions() as s:  # the backlog still waits
        waiting = (await s.scalars(select(InboundEvent).where(InboundEvent.status == "pending"))).all()
    assert waiting and all(r.kind != "friend_added" for r in waiting)

    await wanzi.drain()
    assert sum(len(wecom.staff_inbox(member)) for member in members) == commands
    for ext in customers:
        assert len(wecom.customer_inbox(ext)) == 1, ext
    assert len(wecom.calls("send_welcome_msg")) == 1
