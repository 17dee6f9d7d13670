"""Acks before work: while callbacks are being acked the inbox makes way between transactions,
never for an event carrying a 20-second code, and never for longer than a moment at a time."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.appkeys import INBOX, INTAKE
from bot.priority import AckPriority
from storage.models import InboundEvent
from tests.harness import friend_added_xml
from tests.test_intake_priority import staff_text


class Now:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


async def test_callbacks_press_while_in_flight_and_a_moment_after() -> None:
    now = Now()
    priority = AckPriority(quiet_s=0.003, monotonic=now)
    assert not priority.pressed()
    with priority:
        assert priority.pressed()
    assert priority.pressed()  # the next one of a burst is probably on its way
    now.t += 0.01
    assert not priority.pressed()


async def test_a_steady_stream_of_callbacks_slows_the_inbox_but_never_stops_it() -> None:
    priority = AckPriority(quiet_s=0.001, most_s=0.02)
    with priority:  # a callback in flight the whole time
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
