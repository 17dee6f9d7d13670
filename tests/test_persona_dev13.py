"""Customers' words the blind split dev13 found misread (an unanswerable question and what follows it, how
long a jar lasts in use, stores in a city, reactions after an unanswered question, dialect words), each given
what a person at the shop would do. Asserted on what the customer gets back (the persona's template key
without its variant, and the text)."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from handlers.escalation.rules import is_question
from handlers.replies.asked import asks_lasting
from handlers.replies.smalltalk import Intent, classify
from persona.heard import heard
from tests.test_persona_understanding import TUESDAY_10AM, told

HONEST = ("reply.fallback", "reply.unknown")


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


@pytest.mark.parametrize("said", [
    "得嘞 谢了昂", "好额 谢谢侬", "好嘞 我去小程序找找", "ok 了解了", "好 下单去了", "那我再等等", "那我还是上京东吧",
    "行吧 那我先寄到深圳我妹那", "那算了 我去超市随便给他拿一瓶", "好的 下次买多攒点", "1000分才抵10块 好吧",
    "到货了记得跟我说一声哦", "卡的事记得帮我问问哈",
])
async def test_an_ok_a_plan_or_thanks_after_an_answer_is_answered_as_such(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmG01", said)
    assert reply[0] in ("chat.ack", "chat.ack_pending", "chat.thanks"), reply  # not "还有什么想跟小柚说的吗"


def test_an_ok_beside_what_they_told_us_or_asked_stays_what_it_was() -> None:
    assert classify("好的 我是干皮") is None  # told about themselves: noted
    assert classify("好的 那我怎么退") is None  # asked
    assert classify("等了一周还没到 好吧") is Intent.ANGRY


@pytest.mark.parametrize("said", ["妹子 你们沈阳有实体店没", "你们出眼霜了没 我黑眼圈重得跟熊猫一样",
                                  "你们是只能网购还是也有实体店", "今年三月生产的 还没拆 能用吧", "京东得唔得",
                                  "咁去边度先买得到啊"])
def test_questions_asked_with_x_le_mei_you_x_mei_or_in_dialect_are_questions(said: str) -> None:
    assert is_question(heard(said))


async def test_a_store_in_a_city_is_answered_honestly_never_read_as_anger(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmG04", "妹子 你们沈阳有实体店没")
    assert reply[0] in HONEST, reply


@pytest.mark.parametrize("said", ["我跟我妈俩人共用一瓶保湿霜 一般多久能用完",
                                  "请问保室霜是多少ml的 我想知道省着点用能撑几个月"])
async def test_how_long_a_jar_lasts_in_use_is_never_answered_with_the_shelf_life(wanzi, wecom, clock, said) -> None:
    assert asks_lasting(heard(said))
    replies = await told(wanzi, wecom, clock, "wmG22", said)
    assert all("保质期 3 年" not in text for _, text in replies), replies


@pytest.mark.parametrize("said", ["你好请问电子礼品卡在小程序里面能不能用", "保湿霜怎么一直显示缺货啊"])
async def test_gift_cards_and_stock_are_never_offered_the_coupon_or_cream_entries(wanzi, wecom, clock, said) -> None:
    replies = await told(wanzi, wecom, clock, "wmG24", said)
    assert all(key in HONEST for key, _ in replies), replies


async def test_cantonese_where_to_buy_gets_the_where_to_buy_answer(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmG09", "京东得唔得")  # alone: the answer, or it is offered
    assert ("京东" in reply[1] or "怎么买" in reply[1]) and reply[0] not in HONEST, reply


async def test_which_one_right_after_an_unanswered_question_is_more_of_it_not_off_topic(wanzi, wecom, clock) -> None:
    (first,) = await told(wanzi, wecom, clock, "wmG19", "有男士洗面奶吗 我老公脸油得反光")
    assert first[0] in HONEST, first
    replies = await told(wanzi, wecom, clock, "wmG19", "哪种好")
    assert all(key != "chat.offtopic" for key, _ in replies), replies


@pytest.mark.parametrize("said", ["买面霜送不送小样啊", "可以直接寄到香港吗"])
async def test_samples_and_shipping_abroad_are_never_answered_with_an_entry_that_does_not_say(
        wanzi, wecom, clock, said) -> None:
    replies = await told(wanzi, wecom, clock, "wmG16", said)
    assert all(key in HONEST for key, _ in replies), replies  # not the dry-skin cream, not 2-4 days
