"""Acks before work: while callbacks are being acked the inbox makes way between transactions,
never for an event carrying a 20-second code, and never for longer than a moment at a time."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.appkeys import DELIVERY, INBOX, INTAKE
from bot.intake import Intake
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


def flooded(priority: AckPriority, now: list[float]) -> AckPriority:
    """`priority` on a clock of its own: each look at it takes a millisecond, and making way passes the
    time it was allowed to wait at once (callbacks press throughout, so it always waits all of it)."""
    async def eased(most_s: float) -> None:
        now[0] += most_s

    priority._eased = eased  # type: ignore[method-assign]
    return priority


async def test_a_burst_is_waited_out_up_to_the_credit_then_a_flood_takes_at_most_half_of_the_worker_s_time() -> None:
    now = [0.0]

    def monotonic() -> float:
        now[0] += 0.001  # every look at the clock: a millisecond passes
        return now[0]

    priority = flooded(AckPriority(pressing=1, most_s=0.05, credit_s=0.3, monotonic=monotonic), now)
    waits: list[float] = []
    with priority:  # callbacks pressing the whole time
        for _ in range(60):
            start = now[0]
            await priority.make_way()
            waits.append(now[0] - start)
            now[0] += 0.01  # a transaction's work
    burst, flood = waits[:6], waits[20:]
    assert all(w >= 0.05 for w in burst)  # the credit in hand: the most at a time, round after round
    assert sum(waits) <= 0.3 + 0.6 * 1.3 + 0.05  # never more than the credit and what the work earned
    assert 0.8 * 0.01 * len(flood) <= sum(flood) <= 1.5 * 0.01 * len(flood)  # then about as long as it works


async def test_the_credit_is_one_wait_unless_the_server_is_given_more(wanzi) -> None:
    assert AckPriority().credit_s == AckPriority().most_s == 0.2  # as before `[server] ack_credit_s`
    assert wanzi.app[INTAKE].priority.credit_s == 0.2
    assert Intake(wanzi.sessions, wanzi.clock, ack_credit_s=1.0).priority.credit_s == 1.0


async def test_a_worker_making_way_goes_on_as_soon_as_the_callbacks_are_acked() -> None:
    priority = AckPriority(pressing=2, most_s=60, credit_s=60)
    other = priority.companion()
    first, second = priority.__enter__(), priority.__enter__()
    waiting = asyncio.gather(priority.make_way(), other.make_way())
    await asyncio.sleep(0)
    assert not waiting.done()  # both wait while two callbacks are in flight
    second.__exit__(None, None, None)  # one acked: no queue any more
    await asyncio.wait_for(waiting, 5)  # at their next look, not after the minute they were allowed
    first.__exit__(None, None, None)
    assert priority.handling == 0


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
