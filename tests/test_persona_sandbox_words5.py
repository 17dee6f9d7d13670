"""A pick asked for with nothing told, a cream wished for oneself, and the details of a wish told without the skin
type: what a shop assistant asks before recommending the demo base's dry-skin cream to someone nobody described.
Asserted on what the customer gets back (the persona's template key without its variant, and the text)."""

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


@pytest.mark.parametrize("said", ["你们家有什么好用的推荐吗", "有啥推荐的", "推荐一下你们家的东西呗"])
async def test_a_pick_asked_with_nothing_told_asks_the_skin_type_and_budget(wanzi, wecom, clock, said) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmSf01", said)
    assert asked[0] == "reply.shopping", asked  # not "I don't know", not the off-topic line
    assert "肤质" in asked[1] and "预算" in asked[1] and CREAM not in asked[1], asked


@pytest.mark.parametrize(("said", "then"), [("有啥推荐的", "我是干皮 预算两百"),
                                            ("推荐一下你们家的东西呗", "干皮")])
async def test_the_skin_type_told_after_the_pick_question_gets_the_entry(wanzi, wecom, clock, said, then) -> None:
    await told(wanzi, wecom, clock, "wmSf02", said)
    (answer,) = await told(wanzi, wecom, clock, "wmSf02", then)
    assert answer[0] == "reply.faq" and CREAM in answer[1], answer


@pytest.mark.parametrize("said", ["有啥推荐的", "你们家有什么好用的推荐吗"])
async def test_a_pick_from_a_customer_who_told_their_skin_type_is_answered_at_once(wanzi, wecom, clock,
                                                                                  said) -> None:
    await told(wanzi, wecom, clock, "wmSf03", "我是干皮")
    (answer,) = await told(wanzi, wecom, clock, "wmSf03", said)
    assert answer[0] == "reply.faq" and CREAM in answer[1], answer


async def test_a_pick_from_an_oily_skinned_customer_is_not_asked_their_skin_type_again(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmSf04", "我是油皮")
    replies = await told(wanzi, wecom, clock, "wmSf04", "有啥推荐的")
    assert replies and all(key in HONEST for key, _ in replies), replies  # the demo base has nothing for oily skin


@pytest.mark.parametrize("said", ["我想买个面霜", "想入手一款面霜", "打算买个面霜 有推荐吗"])
async def test_a_cream_for_oneself_asks_the_skin_type_before_the_dry_skin_cream(wanzi, wecom, clock, said) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmSf05", said)
    assert asked[0] == "reply.shopping" and CREAM not in asked[1], asked
    assert "肤质" in asked[1], asked
    (answer,) = await told(wanzi, wecom, clock, "wmSf05", "我是干皮")
    assert answer[0] == "reply.faq" and CREAM in answer[1], answer


@pytest.mark.parametrize("then", ["我是油皮", "混合皮"])
async def test_a_cream_for_oneself_and_another_skin_type_is_honestly_not_known(wanzi, wecom, clock, then) -> None:
    await told(wanzi, wecom, clock, "wmSf06", "我想买个面霜")
    replies = await told(wanzi, wecom, clock, "wmSf06", then)
    assert replies and all(key in HONEST for key, _ in replies), replies
    assert not any(CREAM in text for _, text in replies), replies


@pytest.mark.parametrize(("first", "said"), [("", "干皮用什么面霜"), ("我是干皮", "我想买个面霜"),
                                             ("", "我皮肤比较干 想买个面霜")])
async def test_a_cream_whose_skin_type_is_known_is_answered_at_once(wanzi, wecom, clock, first, said) -> None:
    if first:
        await told(wanzi, wecom, clock, "wmSf07", first)
    (answer,) = await told(wanzi, wecom, clock, "wmSf07", said)
    assert answer[0] == "reply.faq" and CREAM in answer[1], answer


@pytest.mark.parametrize(("wish", "details", "skin"), [
    ("我想给我妈买个面霜", "她六十多了 预算三百", "她脸上比较干"),
    ("帮我婆婆买个面霜", "五十多岁 两百左右吧", "皮肤偏干"),
    ("打算给我老公买个面霜", "他四十了 预算五百以内", "他是干皮"),
])
async def test_details_without_the_skin_type_get_it_asked_once_more(wanzi, wecom, clock, wish, details,
                                                                    skin) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmSf08", wish)
    assert asked[0] == "reply.shopping_item", asked
    (again,) = await told(wanzi, wecom, clock, "wmSf08", details)
    assert again[0] == "reply.shopping_kind" and "肤质" in again[1] and CREAM not in again[1], again
    (answer,) = await told(wanzi, wecom, clock, "wmSf08", skin)
    assert answer[0] == "reply.faq" and CREAM in answer[1], answer


@pytest.mark.parametrize("then", ["不太清楚诶", "她七十了"])
async def test_the_skin_type_is_asked_only_once_more(wanzi, wecom, clock, then) -> None:
    await told(wanzi, wecom, clock, "wmSf09", "我想给我妈买个面霜")
    await told(wanzi, wecom, clock, "wmSf09", "她六十多了 预算三百")
    replies = await told(wanzi, wecom, clock, "wmSf09", then)
    assert replies and all(key in HONEST for key, _ in replies), replies  # a person, not a third question
    assert not any(CREAM in text for _, text in replies), replies


async def test_a_cream_for_every_skin_is_recommended_without_asking(db_url, wecom, clock, tmp_path: Path) -> None:
    async with bot_with_faq(db_url, wecom, clock, tmp_path, '[[faq]]\nq = ["面霜推荐", "有什么面霜", "哪款面霜好"]\n'
                            'a = "推荐「柚见修护面霜」，各种肤质都能用，温和不刺激。"\nkeywords = ["面霜"]\n') as bot:
        for n, said in enumerate(("我想给我妈买个面霜", "我想买个面霜")):
            (reply,) = await told(bot, wecom, clock, f"wmSf1{n}", said)
            assert reply[0] == "reply.faq" and "柚见修护面霜" in reply[1], reply
