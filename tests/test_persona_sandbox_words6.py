"""A plan to wait and see, a jar's production date, a name asked for that the answer never gives, wishes that
are no requests, a choice put off to ask one's husband, and oily skin told: what a kf customer notices in the
replies of the demo base's persona. Asserted on what the customer gets back (the persona's template key
without its variant, and the text)."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from handlers.escalation.rules import is_question
from storage.models import UnansweredQuestion
from tests.chat_kit import count
from tests.test_persona_understanding import TUESDAY_10AM, told

HONEST = ("reply.fallback", "reply.unknown")


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


@pytest.mark.parametrize("said", ["那我再等等 看你们后面上不上新吧", "我看看你们卖不卖小样再说"])
def test_seeing_whether_the_shop_does_something_is_a_plan_not_a_question(said) -> None:
    assert not is_question(said)


@pytest.mark.parametrize("said", ["你们后面上不上新", "你们上不上新？", "看你们上不上新吗", "帮我看看发不发货",
                                  "你看上不上新", "这个看起来好不好用"])
def test_asking_the_shop_whether_or_to_look_is_still_a_question(said) -> None:
    assert is_question(said)


async def test_waiting_to_see_new_products_gets_a_light_ok_not_a_question_queued(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmW6a01", "你们出眼霜了没 我黑眼圈重得跟熊猫一样")
    (reply,) = await told(wanzi, wecom, clock, "wmW6a01", "那我再等等 看你们后面上不上新吧")
    assert reply[0] in ("chat.ack", "chat.ack_pending"), reply


async def test_asking_whether_new_products_come_is_not_waved_off_with_an_ok(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmW6a02", "你们后面上不上新")
    assert replies and all(key in HONEST for key, _ in replies), replies


@pytest.mark.parametrize("said", ["今年三月生产的 还没拆 能用吧", "生产日期是去年的 能用不"])
async def test_a_jar_made_months_ago_gets_the_shelf_life(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmW6b01", said)
    assert reply[0] == "reply.faq" and "保质期" in reply[1], reply  # not the returns answer, not "don't know"
    assert "退" not in reply[1], reply


@pytest.mark.parametrize("said", ["需要加油", "我要开心一点", "需要补水"])
async def test_a_wish_for_oneself_is_no_request_queued_for_staff(wanzi, wecom, clock, said) -> None:
    replies = await told(wanzi, wecom, clock, "wmW6c01", said)
    assert replies and not any(key in HONEST or key.startswith("escalation.") for key, _ in replies), replies
    assert await count(wanzi, UnansweredQuestion) == 0


@pytest.mark.parametrize("said", ["我要开发票", "我们需要开专票"])
async def test_asking_for_an_invoice_is_still_a_request_for_a_person(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmW6c02", said)
    assert reply[0] in HONEST and ("办不了" in reply[1] or "帮你办" in reply[1]), reply  # a request's words
    assert await count(wanzi, UnansweredQuestion) == 1


@pytest.mark.parametrize("then", ["小程序叫啥", "小程序叫什么名字"])
async def test_the_mini_programs_name_asked_after_where_to_buy_is_honestly_not_known(wanzi, wecom, clock,
                                                                                     then) -> None:
    await told(wanzi, wecom, clock, "wmW6d01", "小程序在哪买")
    replies = await told(wanzi, wecom, clock, "wmW6d01", then)
    assert replies and all(key in HONEST for key, _ in replies), replies  # not the channels quoted again
    assert not any("天猫" in text for _, text in replies), replies
    assert await count(wanzi, UnansweredQuestion) == 1  # kept for a person who knows the name


async def test_the_creams_name_asked_after_its_recommendation_is_given(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmW6d02", "我是干皮 有啥推荐")
    (reply,) = await told(wanzi, wecom, clock, "wmW6d02", "那个面霜叫啥")
    assert reply[0] == "reply.followup" and "柚润保湿霜" in reply[1], reply


@pytest.mark.parametrize("said", ["我问问我老公要哪个", "那我问问我老公要哪个吧"])
async def test_asking_ones_husband_which_first_is_a_plan_not_a_question(wanzi, wecom, clock, said) -> None:
    await told(wanzi, wecom, clock, "wmW6e01", "我是干皮 有啥推荐")
    (reply,) = await told(wanzi, wecom, clock, "wmW6e01", said)
    assert reply[0] in ("chat.ack", "chat.ack_pending"), reply  # an ok that waits, not "don't know" nor queued
    assert await count(wanzi, UnansweredQuestion) == 0


@pytest.mark.parametrize("said", ["我最近脸上老是出油 还长痘", "我是混油皮 冬天会干"])
async def test_oily_or_spotty_skin_told_gets_sympathy_and_no_product(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmW6f01", said)
    assert reply[0] == "reply.noted" and ("闹心" in reply[1] or "换谁都烦" in reply[1]), reply  # sorry, then noted
    assert "柚润" not in reply[1] and "推荐" not in reply[1], reply  # the demo base has nothing for oily skin


async def test_the_skin_type_alone_is_only_noted(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmW6f02", "我是油皮")
    assert reply[0] == "reply.noted" and "闹心" not in reply[1] and "换谁都烦" not in reply[1], reply
