"""What a customer sees when a follow-up leans on a question the persona could not answer, or tells a skin type
right after an answer about using products in a condition (issue #13, branch conv31; cases in
tests/dialogue_eval/dev26.toml, other phrasings here).

- "那几月开始能订" right after the honest reply to "月饼礼盒能拆开单买吗" asks when of the thing that question was
  about: the mooncake box's entry ("8 月开始预订") answers it, never 猜你想问 of birthday cakes; a follow-up asking
  more than when stays with the open question.
- A skin type told alone ("我是干皮") right after the answer to "孕妇可以用吗" carries on as the pick for that skin
  with the condition's caution ("干皮推荐「柚润保湿霜」…柚见全线不含酒精和水杨酸，孕期和哺乳期大多可以用"), never a
  note of the tag; a kind no entry is for gets no pick."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from tests.community_kit import bot_with_faq
from tests.test_persona_understanding import TUESDAY_10AM, told

HONEST = ("reply.fallback", "reply.unknown")

BAKERY = ('[[faq]]\nid = "cake"\nq = ["可以订生日蛋糕吗", "定制蛋糕"]\n'
          'a = "生日蛋糕需提前 2 天预订，6 寸 168 元起。"\n\n'
          '[[faq]]\nid = "tea"\nq = ["公司下午茶能订吗", "团购"]\na = "20 份起可以订下午茶套餐，工作日送到公司。"\n\n'
          '[[faq]]\nid = "mooncake"\nq = ["有月饼吗", "节日礼盒"]\na = "中秋月饼礼盒 8 月开始预订，端午有粽子礼盒。"\n')


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(TUESDAY_10AM)


@pytest.mark.parametrize("n, when", list(enumerate(["那几月开始能订", "那什么时候能订呀"])))
async def test_when_asked_after_an_unanswered_question_is_of_its_thing(db_url, wecom, clock, tmp_path: Path,
                                                                       n, when) -> None:
    async with bot_with_faq(db_url, wecom, clock, tmp_path, BAKERY) as bot:
        first = await told(bot, wecom, clock, f"wmOpen{n}", "月饼礼盒能拆开单买吗")
        replies = await told(bot, wecom, clock, f"wmOpen{n}", when)
    assert first and all(key in HONEST for key, _ in first), first
    assert [key for key, _ in replies] == ["reply.faq"] and "8 月开始预订" in replies[0][1], replies
    assert not any("生日蛋糕" in text or "下午茶" in text for _, text in replies), replies


async def test_more_than_when_stays_with_the_open_question(db_url, wecom, clock, tmp_path: Path) -> None:
    async with bot_with_faq(db_url, wecom, clock, tmp_path, BAKERY) as bot:
        await told(bot, wecom, clock, "wmOpen5", "月饼礼盒能拆开单买吗")
        replies = await told(bot, wecom, clock, "wmOpen5", "那能送到公司吗")
    assert replies and not any("8 月" in text for _, text in replies), replies


@pytest.mark.parametrize("n, first, kind", [(0, "孕妇可以用吗", "我是干皮"), (1, "哺乳期能用吗", "嗯 我皮肤比较干"),
                                            (2, "我在哺乳期 能用你们的东西吗", "我是干皮")])
async def test_a_skin_type_told_after_the_condition_answer_gets_its_pick(wanzi, wecom, clock, n, first, kind) -> None:
    (answer,) = await told(wanzi, wecom, clock, f"wmCond{n}", first)
    assert "孕期和哺乳期" in answer[1], answer
    replies = await told(wanzi, wecom, clock, f"wmCond{n}", kind)
    assert [key for key, _ in replies] == ["reply.followup"], replies
    assert "柚润保湿霜" in replies[0][1] and "孕期和哺乳期大多可以用" in replies[0][1], replies
    assert "记" not in replies[0][1] and "放心" not in replies[0][1], replies


async def test_a_skin_type_told_after_another_answer_is_no_caution(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmCond5", "多久发货")
    replies = await told(wanzi, wecom, clock, "wmCond5", "我是干皮")
    assert not any("孕期" in text for _, text in replies), replies


async def test_a_kind_no_entry_is_for_after_the_condition_answer_gets_no_pick(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmCond6", "孕妇可以用吗")
    replies = await told(wanzi, wecom, clock, "wmCond6", "我是油皮")
    assert replies and not any("柚润" in text for _, text in replies), replies
