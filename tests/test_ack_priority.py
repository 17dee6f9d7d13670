"""Acks before work: while callbacks are being acked the inbox makes way between transactions,
never for an event carrying a 20-second code, and never for longer than a moment at a time."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.appkeys import DELIVERY, INBOX, INTAKE
from bot.priority import AckPriority
from storage.models import InboundEvent
from tests.harness import friend_added_xml
from tests.test_intake_priority import staff_text


async def test_callbacks_press_only_when_several_are_in_flight_at_once() -> None:
    priority = AckPriority(pressing=3)
    with priority:
        assert not priority.pressed()  # one at a time: the intake keeps up, the workers go on
        with priority, priority:
            assert priority.pressed()  # a queue is forming
    assert not priority.pressed()


async def test_a_steady_stream_of_callbacks_slows_the_inbox_but_never_stops_it() -> None:
    priority = AckPriority(pressing=1, most_s=0.02)
    with priority:  # callbacks in flight the whole time
        await asyncio.wait_for(priority.make_way(), 5)


async def test_a_welcome_never_makes_way_for_acks_other_events_do(wanzi) -> None:
    inbox, calls = wanzi.app[INBOX], []

    async def make_way() -> None:
        calls.append(1)

    inbox.make_way = make_way
    assert await wanzi.post(friend_added_xml("zhang.wei", "wmAckPriority1", welcome_code="CODE-ACKP-1")) == 200
    assert wanzi.app[INTAKE].priority.handling == 0  # the route counted itself out after its ack
    await inbox.process_due()
    assert calls == []
    assert await wanzi.post(staff_text(1)) == 200
    await inbox.process_due()
    assert calls
    async with wanzi.sessions() as s:
        assert {r.status for r in (await s.scalars(select(InboundEvent))).all()} == {"done"}


async def test_a_flood_that_never_ends_takes_at_most_half_of_the_inbox_s_time() -> None:
    now = [0.0]

    def monotonic() -> float:
        now[0] += 0.001  # every look at the clock: a millisecond passes
        return now[0]

    priority = AckPriority(pressing=1, most_s=0.05, monotonic=monotonic)
    waited = worked = 0.0
    with priority:  # callbacks pressing the whole time
        for _ in range(20):
            start = now[0]
            await priority.make_way()
            waited += now[0] - start
            now[0] += 0.01  # a transaction's work
            worked += 0.01
    assert worked * 0.8 <= waited <= worked * 1.3 + 0.05  # it made way, but no longer than it worked


async def test_the_delivery_worker_makes_way_for_acks_but_never_in_the_welcomes_own_round(wanzi, wecom) -> None:
    delivery, calls = wanzi.app[DELIVERY], []
    assert delivery.make_way is not None  # on by default (`[server] ack_priority`)

    async def make_way() -> None:
        calls.append(1)

    delivery.make_way = make_way
    assert await wanzi.post(staff_text(1)) == 200
    await wanzi.app[INBOX].process_due()
    assert await delivery.deliver_due(deadline_bound_only=True) == 0  # the welcomes' round: no wait
    assert calls == []
    assert await delivery.deliver_due() == 1  # the main loop waited its turn, then sent the answer
    assert calls == [1]
    assert [c for c in wecom.calls("message/send") if c.ok]


async def test_a_companion_makes_way_for_the_same_callbacks_on_an_allowance_of_its_own() -> None:
    priority = AckPriority(pressing=1, most_s=0.02)
    other = priority.companion()
    assert not other.pressed()
    with priority:
        assert other.pressed()
        await asyncio.wait_for(asyncio.gather(priority.make_way(), other.make_way()), 5)
