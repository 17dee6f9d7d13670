"""A second "I don't know yet" in a few minutes: the persona says this one is noted too, and does not repeat
when colleagues are back and how to reach them (three alike in a row read as a machine; sandbox, 2026-12-04)."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from tests.test_persona_sandbox_words2 import phrasings
from tests.test_persona_understanding import TUESDAY_10AM, told


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours, nobody on duty in `wanzi`, so no colleague is promised."""
    return FakeClock(TUESDAY_10AM)


async def test_a_second_unknown_in_minutes_is_short_and_a_later_one_says_how_again(wanzi, wecom, clock) -> None:
    (first,) = await told(wanzi, wecom, clock, "wmHa01", "你们有男士洗面奶吗")
    assert first[0] == "reply.unknown" and "人工" in first[1], first  # how to reach a person, once
    (second,) = await told(wanzi, wecom, clock, "wmHa01", "那有没有适合油皮的精华")
    assert second[0] == "reply.unknown" and second[1] in phrasings("reply.unknown", "again"), second
    assert "人工" not in second[1], second
    clock.advance(31 * 60)  # half an hour on, the customer may have forgotten: told in full again
    (later,) = await told(wanzi, wecom, clock, "wmHa01", "你们有男士防晒吗")
    assert later[0] == "reply.unknown" and "人工" in later[1], later


async def test_another_customer_is_told_how_to_reach_a_person_in_full(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmHa02", "你们有男士洗面奶吗")
    (other,) = await told(wanzi, wecom, clock, "wmHa03", "那有没有适合油皮的精华")
    assert other[0] == "reply.unknown" and "人工" in other[1], other
