"""Customers' words the blind split dev15 found misread (an ok typed fast, praise of the packaging, 粤语 asking
whether anyone is there, not wanting to be fooled, the weather where the persona
is, a parcel chased or called slow, where to buy after the authenticity answer, a short follow-up the answer just
given spells out), each given what a person at the shop would do. Asserted on what the customer gets back (the
persona's template key without its variant, and the text)."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from handlers.orders.asking import asks_about_order, late_parcel
from handlers.replies.asked import asks_shop
from handlers.replies.smalltalk import Intent, classify
from tests.test_persona_understanding import TUESDAY_10AM, told


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


@pytest.mark.parametrize(("said", "intent"), [
    ("okk", Intent.ACK), ("okkk", Intent.ACK), ("包装好精致", Intent.PRAISE), ("瓶子也太可爱了", Intent.PRAISE),
    ("喺度吗", Intent.PRESENCE), ("有冇人喺度", Intent.PRESENCE),
    ("你们家面霜跟兰蔻的比哪个好", Intent.COMPARE), ("真的假的 别忽悠我", Intent.DOUBT),
    ("不会是骗我的吧", Intent.DOUBT),
])
def test_small_talk_in_the_customers_own_words_is_read_as_such(said: str, intent: Intent) -> None:
    assert classify(said) is intent


def test_two_of_our_own_products_side_by_side_are_no_brand_comparison() -> None:
    assert classify("你们家面霜跟精华哪个好") is None  # a question for the knowledge base, not "I don't judge others"


async def test_our_cream_beside_another_brand_gets_no_claim_and_no_cream_answer(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmH01", "你们家面霜跟兰蔻的比哪个好")
    assert reply[0] == "chat.compare", reply  # not "干皮推荐「柚润保湿霜」" as if the cream had won


async def test_the_weather_where_the_persona_is_is_small_talk_not_a_question_for_staff(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmH02", "哈哈 你那边冷不冷")
    assert reply[0] == "chat.offtopic", reply  # never "发「人工」可以联系客服同事"


@pytest.mark.parametrize("said", ["你们这发货也太慢了吧 等了十天了", "能帮我催一下吗 着急用", "帮我催催发货"])
def test_a_parcel_chased_or_called_slow_is_a_late_parcel(said: str) -> None:
    assert asks_about_order(said) and late_parcel(said)


@pytest.mark.parametrize("said", ["下单后多久发货", "发什么快递", "你们一般几天能到"])
def test_the_shipping_policy_asked_is_no_order_of_theirs(said: str) -> None:
    assert not asks_about_order(said)


async def test_shipping_called_slow_gets_an_apology_and_a_person_not_the_policy(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmH03", "你们这发货也太慢了吧 等了十天了")
    assert replies[0][0] == "order.late", replies
    assert all("48 小时内" not in text for _, text in replies), replies  # the promise they are past is no answer


@pytest.mark.parametrize(("said", "asks"), [("那官方在哪买", True), ("哪里能买到", True), ("京东有吗", True),
                                            ("在哪买的都能积分吗", False), ("京东买的是正品吗", False)])
def test_where_to_buy_asks_for_a_shop(said: str, asks: bool) -> None:
    assert asks_shop(said) is asks


async def test_where_to_buy_after_the_authenticity_answer_is_not_told_authenticity_again(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmH04", "我在拼多多看到你们家面霜便宜好多 是正品吗")
    replies = await told(wanzi, wecom, clock, "wmH04", "那官方在哪买")
    assert all("防伪码" not in text for _, text in replies), replies
    assert any("怎么买" in text or "天猫" in text for _, text in replies), replies  # where to buy, offered or said


async def test_where_to_get_it_right_after_the_coupon_answer_is_that_answer(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmH05", "有没有优惠券啊")
    await told(wanzi, wecom, clock, "wmH05", "新人有优惠吗")
    (reply,) = await told(wanzi, wecom, clock, "wmH05", "在哪领")
    assert reply[0] in ("reply.followup", "reply.faq") and "我的-优惠券" in reply[1], reply


async def test_a_joke_after_the_coupon_answer_is_still_no_coupon_question(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmH06", "有没有优惠券啊")
    replies = await told(wanzi, wecom, clock, "wmH06", "讲个笑话")
    assert all("优惠券" not in text for _, text in replies), replies
