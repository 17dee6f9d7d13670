"""Customers' words the blind split dev14 found misread (a parcel that has not moved, points asked as 分,
praise after a laugh, a far cheaper listing elsewhere, a product the range does not have asked beside one it
does), each given what a person at the shop would do. Asserted on what the customer gets back (the persona's
template key without its variant, and the text)."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from handlers.orders.asking import late_parcel
from handlers.replies.smalltalk import Intent, classify
from tests.test_persona_understanding import TUESDAY_10AM, told

SHIPPING = "现货订单 48 小时内从杭州仓发出"
CREAM = "干皮推荐「柚润保湿霜」"


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


async def test_a_parcel_that_has_not_moved_for_days_gets_an_apology_and_a_person(wanzi, wecom, clock) -> None:
    (sorry, person) = await told(wanzi, wecom, clock, "wmH16", "快递两天都没动了 一直显示运输中")
    assert sorry[0] == "order.late", sorry
    assert person[0].startswith("escalation."), person
    assert SHIPPING not in sorry[1] + person[1]  # the policy is no answer to a stuck parcel


def test_goods_not_touched_yet_are_no_parcel_complaint() -> None:
    assert not late_parcel("货还没动过 两天了 能退吗")  # unused goods: a returns question


@pytest.mark.parametrize("said", ["我现在有多少分", "我还剩几分"])
async def test_points_asked_as_fen_get_the_balance(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmH06", said)
    assert reply[0].startswith("points.balance") and "积分" in reply[1], reply


@pytest.mark.parametrize("said", ["哈哈哈 你还挺会说的", "你真会说话呢"])
def test_praise_after_a_laugh_or_with_a_particle_is_praise(said: str) -> None:
    assert classify(said) is Intent.PRAISE


async def test_far_cheaper_elsewhere_is_it_genuine_gets_how_to_check_not_a_coupon(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmH11", "我在别的平台看到你们面霜便宜了一半 是真货吗")
    assert any("防伪码" in text for _, text in replies), replies
    assert all("满 199 减 30" not in text for _, text in replies), replies


async def test_a_product_the_range_lacks_asked_beside_one_it_has_is_not_answered_with_that_one(
        wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmH21", "你们有爽肤水吗 我想配着面霜一起用")
    assert reply[0] in ("reply.fallback", "reply.unknown"), reply
    assert CREAM not in reply[1]


@pytest.mark.parametrize("said, answer", [("想买点东西犒劳一下自己 有券可以领吗", "满 199 减 30"),
                                          ("我是干皮 有推荐的面霜吗", CREAM)])
async def test_asking_for_what_an_entry_speaks_of_beside_a_story_still_gets_it(wanzi, wecom, clock, said,
                                                                              answer) -> None:
    replies = await told(wanzi, wecom, clock, "wmH12", said)
    assert any(answer in text for _, text in replies), replies


async def test_whether_points_lapse_is_never_offered_the_shelf_life(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmH25", "怎么样才算你们会员")
    (reply,) = await told(wanzi, wecom, clock, "wmH25", "积分会过期吗")
    assert "保质期" not in reply[1], reply  # points are no cream, not even as a guess


async def test_two_questions_in_one_message_keep_the_answer_to_the_first(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmH26", "我闺蜜怀孕了 想送她一套 孕妇能用吗 还有能直接寄到她家吗")
    assert any("孕期和哺乳期大多可以用" in text for _, text in replies), replies
