"""Replies that missed what the customer meant (known misfits of the kf persona): each gets what a person
at the shop would say. Asserted on what the customer gets back (the persona's template key without its
variant, and the text), on their tags and on the questions queued for staff."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from tests.test_persona_understanding import TUESDAY_10AM, told


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


@pytest.mark.parametrize("asked", ["多久发货", "干皮用什么面霜"])
async def test_thanks_with_praise_after_an_answer_is_thanked_not_acknowledged(wanzi, wecom, clock, asked) -> None:
    await told(wanzi, wecom, clock, "wmFit01", asked)
    (thanks,) = await told(wanzi, wecom, clock, "wmFit01", "好的谢谢你 真耐心")
    assert thanks[0] in ("chat.thanks", "chat.praise"), thanks
