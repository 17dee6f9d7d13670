"""Conversations a customer of 柚见 would notice, found in the sandbox (issue #13, branch conv19): an age told with the
wish is not asked again. Asserted on what the customer gets back (the persona's template key without its variant, and
the text)."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from persona.loader import default_persona_path, load_persona
from tests.test_persona_understanding import TUESDAY_10AM, told


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


async def test_a_cream_for_a_mother_whose_age_was_told_does_not_ask_her_age_again(wanzi, wecom, clock) -> None:
    # sandbox: "面霜适合我妈用吗 她五十多了" was asked "大概多大年纪"
    (asked,) = await told(wanzi, wecom, clock, "wmW8a1", "面霜适合我妈用吗 她五十多了")
    assert asked[0] == "reply.shopping_item" and "妈妈" in asked[1] and "面霜" in asked[1], asked
    assert "多大年纪" not in asked[1] and "干皮" in asked[1] and "预算" in asked[1], asked
    (answer,) = await told(wanzi, wecom, clock, "wmW8a1", "她偏干")
    assert answer[0] == "reply.faq" and "柚润" in answer[1], answer


async def test_a_cream_for_a_mother_whose_age_is_not_told_still_asks_it(wanzi, wecom, clock) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmW8a2", "我想给我妈买个面霜")
    assert asked[0] == "reply.shopping_item" and "多大年纪" in asked[1], asked


@pytest.mark.parametrize("preset", ["advisor", "expert", "guide", "interest"])
def test_every_preset_asks_the_skin_type_and_budget_but_not_an_age_already_told(preset: str) -> None:
    persona = load_persona(default_persona_path(preset))
    asked = persona.render("reply.shopping_item", slot="aged", name="", who="妈妈", item="面霜").text
    assert "多大年纪" not in asked and "妈妈" in asked and "预算" in asked, asked
    assert "多大年纪" in persona.render("reply.shopping_item", name="", who="妈妈", item="面霜").text
