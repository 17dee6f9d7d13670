"""Shopping conversations tried in the sandbox as a customer (issue #13): a gift wish whose budget comes next, a pick
of promotions right after the dry-skin cream's answer, and more wishes in new words. Asserted on what the customer
gets back (the persona's template key without its variant, and the text), never on products or prices the demo
knowledge base does not have."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.community_kit import bot_with_faq
from tests.test_persona_understanding import TUESDAY_10AM, told

HONEST = ("reply.fallback", "reply.unknown")
CREAM = "柚润保湿霜"
COUPON = "满 199 减 30"


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


@pytest.mark.parametrize(("wish", "budget"), [("想给闺蜜买个生日礼物", "预算三百左右"),
                                              ("想给我妈买个护肤品", "预算五百以内")])
async def test_the_budget_after_a_gift_wish_gets_the_skin_type_asked_not_staff(wanzi, wecom, clock, wish,
                                                                              budget) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmW7a", wish)
    assert asked[0] == "reply.shopping_for", asked
    (again,) = await told(wanzi, wecom, clock, "wmW7a", budget)
    assert again[0] == "reply.shopping_kind" and "肤质" in again[1] and CREAM not in again[1], again
    (answer,) = await told(wanzi, wecom, clock, "wmW7a", "她皮肤比较干")
    assert answer[0] == "reply.faq" and CREAM in answer[1], answer


@pytest.mark.parametrize("then", ["她是油皮", "不太清楚诶"])
async def test_a_gift_wish_with_a_skin_type_the_base_has_nothing_for_is_honestly_not_known(wanzi, wecom, clock,
                                                                                           then) -> None:
    await told(wanzi, wecom, clock, "wmW7b", "想给闺蜜买个生日礼物")
    await told(wanzi, wecom, clock, "wmW7b", "预算三百左右")
    replies = await told(wanzi, wecom, clock, "wmW7b", then)
    assert replies and all(key in HONEST for key, _ in replies), replies  # a person, not a third question
    assert not any(CREAM in text for _, text in replies), replies


@pytest.mark.parametrize(("first", "said"), [("干皮用什么面霜", "有什么活动推荐吗"), ("", "有什么活动推荐吗"),
                                             ("我是干皮", "有啥优惠推荐一下")])
async def test_a_pick_of_promotions_gets_the_promotions_entry_not_the_cream(wanzi, wecom, clock, first,
                                                                            said) -> None:
    if first:
        await told(wanzi, wecom, clock, "wmW7c", first)
    (answer,) = await told(wanzi, wecom, clock, "wmW7c", said)
    assert answer[0] == "reply.faq" and COUPON in answer[1] and CREAM not in answer[1], answer


async def test_a_pick_of_promotions_without_a_promotions_entry_is_not_given_the_cream(db_url, wecom, clock,
                                                                                      tmp_path: Path) -> None:
    async with bot_with_faq(db_url, wecom, clock, tmp_path, '[[faq]]\nid = "dry_skin_cream"\n'
                            'q = ["干皮用什么面霜", "干皮面霜推荐"]\na = "干皮推荐「柚润保湿霜」，早晚各一次。"\n'
                            'keywords = ["干皮", "面霜"]\n') as bot:
        await told(bot, wecom, clock, "wmW7d", "干皮用什么面霜")
        replies = await told(bot, wecom, clock, "wmW7d", "有什么活动推荐吗")
        assert replies and all(key in HONEST for key, _ in replies), replies
        assert not any(CREAM in text for _, text in replies), replies

