"""Conversations a customer of 柚见 would notice, found in the sandbox (issue #13, branch conv20): where to buy
without fakes gets what is genuine. Asserted on what the customer gets back (the persona's template key without
its variant, and the text)."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from persona.loader import default_persona_path, load_persona
from tests.test_persona_understanding import TUESDAY_10AM, told


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


@pytest.mark.parametrize("asked", ["上次在别家买到过假货 心有余悸 你们这个在哪买放心", "哪里买是正品"])
async def test_where_to_buy_without_fakes_gets_what_is_genuine(wanzi, wecom, clock, asked: str) -> None:
    # sandbox: the story with the question got "老实说这个我还不确定呢", though the authenticity entry ranks first
    (answer,) = await told(wanzi, wecom, clock, "wmW9a1", asked)
    assert answer[0] == "reply.faq" and "正品" in answer[1] and "防伪码" in answer[1], answer


async def asked_about_them_then_told(wanzi, wecom, clock, ext: str, wish: str, who: str, unasked: str,
                                     detail: str) -> None:
    """The wish is asked back about `who` (`reply.shopping_for`) without `unasked`; the skin `detail` told next
    gets the dry-skin cream."""
    (asked,) = await told(wanzi, wecom, clock, ext, wish)
    assert asked[0] == "reply.shopping_for" and who in asked[1] and unasked not in asked[1], asked
    (answer,) = await told(wanzi, wecom, clock, ext, detail)
    assert answer[0] == "reply.faq" and "柚润" in answer[1], answer


async def test_a_pick_for_a_mother_whose_age_is_told_asks_about_her_not_the_customer(wanzi, wecom, clock) -> None:
    # sandbox: "我妈五十多了 用什么好" was asked "你是什么肤质", as if the product were for the customer
    await asked_about_them_then_told(wanzi, wecom, clock, "wmW9b1", "我妈五十多了 用什么好", "妈妈", "你是什么肤质",
                                     "她偏干")


async def test_a_wish_of_ones_own_after_a_mothers_word_still_asks_about_the_customer(wanzi, wecom, clock) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmW9b2", "我妈说你们家面霜好用 我也想买")
    assert "妈妈" not in asked[1], asked


async def test_a_gift_whose_budget_was_told_does_not_ask_the_budget_again(wanzi, wecom, clock) -> None:
    # sandbox: "想给闺蜜买个礼物 预算两百" was asked "预算大概多少"
    await asked_about_them_then_told(wanzi, wecom, clock, "wmW9c1", "想给闺蜜买个礼物 预算两百", "闺蜜", "预算大概多少",
                                     "她是干皮")


async def test_a_gift_whose_budget_is_not_told_still_asks_it(wanzi, wecom, clock) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmW9c2", "想给闺蜜买个礼物")
    assert asked[0] == "reply.shopping_for" and "预算大概多少" in asked[1], asked


def test_every_preset_asks_the_skin_type_but_not_a_budget_already_told() -> None:
    budgeted = {preset: load_persona(default_persona_path(preset)).render("reply.shopping_for", slot="budgeted",
                                                                           name="", who="闺蜜").text
                for preset in ("advisor", "expert", "guide", "interest")}
    asks_budget = ("预算多少", "预算大概多少", "预算是多少", "预算说一下")
    assert all("闺蜜" in t and ("肤质" in t or "干皮" in t) for t in budgeted.values()), budgeted
    assert not any(w in t for t in budgeted.values() for w in asks_budget), budgeted


async def test_a_pick_right_after_pregnancy_and_spots_were_told_keeps_to_them(wanzi, wecom, clock) -> None:
    # sandbox: "那有什么推荐的吗" after "我怀孕五个月了 脸上长斑" asked the skin type, the trouble and the budget afresh
    await told(wanzi, wecom, clock, "wmW9d1", "我怀孕五个月了 脸上长斑")
    (asked,) = await told(wanzi, wecom, clock, "wmW9d1", "那有什么推荐的吗")
    assert asked[0] == "reply.shopping_told" and "斑" in asked[1] and "烟酰胺" in asked[1], asked
    assert "最想改善" not in asked[1] and "预算" in asked[1], asked
    (answer,) = await told(wanzi, wecom, clock, "wmW9d1", "我是干皮 预算三百")
    assert answer[0] == "reply.faq" and "柚润" in answer[1], answer


async def test_a_pick_with_nothing_told_before_still_asks_the_trouble(wanzi, wecom, clock) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmW9d2", "那有什么推荐的吗")
    assert asked[0] == "reply.shopping" and "最想改善" in asked[1], asked


@pytest.mark.parametrize(("asked", "who"), [("我妈能用吗", "妈妈"), ("我老公可以用吗", "老公")])
async def test_whether_someone_may_use_it_with_nothing_named_asks_which_product(wanzi, wecom, clock, asked: str,
                                                                               who: str) -> None:
    # sandbox: "我妈能用吗" as the first thing said got the pregnancy answer outright
    (reply,) = await told(wanzi, wecom, clock, "wmW9e1", asked)
    assert reply[0] == "reply.which_for" and who in reply[1] and "孕期" not in reply[1], reply
    (answer,) = await told(wanzi, wecom, clock, "wmW9e1", "面霜 她五十多了 皮肤偏干")
    assert answer[0] == "reply.faq" and "柚润" in answer[1], answer


async def test_whether_a_pregnant_woman_may_use_it_still_gets_the_pregnancy_answer(wanzi, wecom, clock) -> None:
    (answer,) = await told(wanzi, wecom, clock, "wmW9e2", "孕妇可以用吗")
    assert answer[0] == "reply.faq" and "孕期" in answer[1], answer
