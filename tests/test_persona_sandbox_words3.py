"""Customers' words a sandbox trial with the demo knowledge base found misread (a cream for someone nobody described,
whether the elderly may use it, shipping at the weekend, what points buy, a dry-skin complaint), each given what a
good shop assistant would say. Asserted on what the customer gets back (the persona's template key without its
variant, and the text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.community_kit import bot_with_faq
from tests.test_persona_understanding import TUESDAY_10AM, told

HONEST = ("reply.fallback", "reply.unknown")
CREAM = "柚润保湿霜"


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


@pytest.mark.parametrize(("said", "who"), [("我想给我妈买个面霜", "妈妈"), ("帮我婆婆买个面霜 有推荐吗", "婆婆"),
                                           ("打算给我老公买个面霜", "老公")])
async def test_a_cream_for_someone_else_asks_what_they_are_like_before_recommending(wanzi, wecom, clock, said,
                                                                                    who) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmSc01", said)
    assert asked[0] == "reply.shopping_item", asked
    assert who in asked[1] and "面霜" in asked[1] and CREAM not in asked[1], asked
    assert all(w in asked[1] for w in ("干皮", "年纪", "预算")), asked  # skin type, age and budget asked
    (answer,) = await told(wanzi, wecom, clock, "wmSc01", "TA皮肤偏干")
    assert answer[0] == "reply.faq" and CREAM in answer[1], answer


async def test_told_another_skin_type_the_dry_skin_cream_is_not_recommended(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmSc02", "我想给我妈买个面霜")
    replies = await told(wanzi, wecom, clock, "wmSc02", "她是油皮")
    assert replies and all(key in HONEST for key, _ in replies), replies  # the demo base has no oily-skin cream
    assert not any(CREAM in text for _, text in replies), replies


async def test_a_wish_that_says_her_skin_type_gets_the_cream_at_once(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSc03", "想给我妈买个面霜 她皮肤比较干")
    assert reply[0] == "reply.faq" and CREAM in reply[1], reply


@pytest.mark.parametrize("said", ["老年人能用吗", "适合中老年人吗", "我奶奶七十多了能用吗"])
async def test_whether_the_elderly_may_use_it_is_honestly_not_known(wanzi, wecom, clock, said) -> None:
    """The demo base says nothing of age: not the pregnancy answer, not 猜你想问, a question for a person."""
    replies = await told(wanzi, wecom, clock, "wmSc04", said)
    assert replies and all(key in HONEST for key, _ in replies), replies


async def test_whether_the_elderly_may_use_the_cream_just_recommended_is_not_that_recommendation(
        wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmSc05", "我想给我妈买个面霜")
    (answer,) = await told(wanzi, wecom, clock, "wmSc05", "她皮肤偏干")
    assert CREAM in answer[1], answer
    replies = await told(wanzi, wecom, clock, "wmSc05", "老年人能用吗")
    assert replies and all(key in HONEST for key, _ in replies), replies
    assert not any(CREAM in text for _, text in replies), replies


async def test_shipping_at_the_weekend_gets_what_the_entry_says_and_no_pretending(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmSc06", "你们周末发货吗")
    assert [key for key, _ in replies][:1] == ["reply.faq_partial"] and replies[-1][0] in HONEST, replies
    assert "48 小时" in replies[0][1] and "关于周末" in replies[0][1] and "没写" in replies[0][1], replies


async def test_a_holiday_asked_after_the_shipping_answer_is_said_to_be_not_in_it(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmSc07", "多久能到")
    replies = await told(wanzi, wecom, clock, "wmSc07", "过年期间还发货不")
    assert [key for key, _ in replies][:1] == ["reply.faq_partial"] and replies[-1][0] in HONEST, replies
    assert "过年" in replies[0][1], replies


async def test_a_days_question_of_no_timed_service_is_answered_as_usual(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSc08", "过年想送长辈一瓶面霜 她皮肤很干 哪款好")
    assert reply[0] == "reply.faq" and CREAM in reply[1], reply  # 过年 is when she gives it


async def test_a_shipping_entry_that_speaks_of_the_weekend_is_the_answer(db_url, wecom, clock, tmp_path: Path) -> None:
    async with bot_with_faq(db_url, wecom, clock, tmp_path, '[[faq]]\nq = ["多久发货", "什么时候发货"]\n'
                            'a = "周末也正常发货，下单后 48 小时内从杭州仓发出。"\n') as bot:
        (reply,) = await told(bot, wecom, clock, "wmSc09", "你们周六发货吗")
        assert reply[0] == "reply.faq" and "周末也正常发货" in reply[1], reply


@pytest.mark.parametrize(("first", "then"), [("怎么成为会员", "积分能干啥用"),
                                             ("会员有什么权益", "那攒的积分有什么用")])
async def test_what_points_are_for_after_the_membership_answer_is_what_they_buy(wanzi, wecom, clock, first,
                                                                               then) -> None:
    await told(wanzi, wecom, clock, "wmSc10", first)
    (reply,) = await told(wanzi, wecom, clock, "wmSc10", then)
    assert reply[0] == "reply.followup" and "兑换礼品和优惠券" in reply[1], reply
    assert "每消费 1 元积 1 分" not in reply[1], reply  # how points are earned is not what they buy


@pytest.mark.parametrize("said", ["我皮肤很干 用啥都不吸收", "脸干到起皮 好难受", "我是干皮 抹了面霜还是紧绷"])
async def test_a_dry_skin_complaint_gets_sympathy_and_the_cream(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSc11", said)
    assert reply[0] == "reply.concern" and CREAM in reply[1], reply


async def test_telling_the_skin_type_alone_is_still_only_noted(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSc12", "我是干皮")
    assert reply[0] == "reply.noted", reply


@pytest.mark.parametrize("said", ["老年人用会不会刺激啊", "我奶奶用了会过敏吗"])
async def test_whether_the_cream_just_recommended_is_safe_for_the_elderly_is_no_reassurance(
        wanzi, wecom, clock, said) -> None:
    # sandbox 2026-12-06: "老年人用会不会刺激啊" right after the dry-skin pick got "宝子放心，干皮推荐…" again
    await told(wanzi, wecom, clock, "wmSc08", "干皮用什么面霜好")
    replies = await told(wanzi, wecom, clock, "wmSc08", said)
    assert replies and replies[-1][0] in HONEST and not any("放心" in text for _, text in replies), replies
