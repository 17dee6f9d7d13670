"""Several questions in one message get an answer each, in the order asked (handlers/replies/several.py).

Found in the 2026-12-05 afternoon sandbox: "你们这个保湿霜孕妇能用不 还有保质期多久" got the shelf life only; the
pregnancy question was dropped without a word."""

from __future__ import annotations

from tests import escalation_kit as kit
from tests.harness import BotUnderTest
from tests.test_questions import questions

clock, bot = kit.clock, kit.bot  # fixtures: Monday 10:00, the bot with the escalation team (li.na on duty below)

PREGNANCY = "孕期和哺乳期大多可以用"
SHELF_LIFE = "未开封保质期 3 年"
SHIPPING = "48 小时内从杭州仓发出"
AUTHENTIC = "防伪码"
CREAM = "柚润保湿霜"


async def replies_to(bot: BotUnderTest, wecom, ext: str, text: str) -> list[str]:
    before = len(wecom.customer_inbox(ext))
    await wecom.customer_says(ext, text)
    await bot.drain()
    replies: list[str] = wecom.customer_inbox(ext)[before:]
    return replies


async def test_two_questions_in_one_message_are_both_answered_in_the_order_asked(bot, wecom) -> None:
    first, second = await replies_to(bot, wecom, "wmSev001", "你们这个保湿霜孕妇能用不 还有保质期多久")
    assert PREGNANCY in first and SHELF_LIFE not in first
    assert SHELF_LIFE in second and "保质期多久" in second  # the clause it answers is named


async def test_three_questions_with_their_marks_get_three_answers(bot, wecom) -> None:
    replies = await replies_to(bot, wecom, "wmSev002", "你们是正品吗？保质期多久？发什么快递？")
    assert len(replies) == 3, replies
    assert AUTHENTIC in replies[0] and SHELF_LIFE in replies[1] and SHIPPING in replies[2]


async def test_a_question_no_entry_answers_goes_to_a_person_beside_the_one_answered(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    replies = await replies_to(bot, wecom, "wmSev003", "面霜多少钱 保质期多久")
    assert SHELF_LIFE in replies[0] and not any(CREAM in r for r in replies), replies  # no pitch for a price
    assert "同事" in replies[-1] and "「面霜多少钱」" in replies[-1], replies  # the promise says which question
    (question,) = await questions(bot)
    assert question.text == "面霜多少钱"


async def test_a_follow_up_clause_of_the_same_question_adds_nothing(bot, wecom) -> None:
    replies = await replies_to(bot, wecom, "wmSev004", "保质期多久 开封了呢")
    assert len(replies) == 1 and SHELF_LIFE in replies[0], replies
    assert await questions(bot) == []


async def test_one_question_with_a_greeting_and_thanks_is_one_answer(bot, wecom) -> None:
    replies = await replies_to(bot, wecom, "wmSev005", "你好 请问保质期多久呢 谢谢")
    assert len(replies) == 1 and SHELF_LIFE in replies[0], replies


async def test_the_question_left_is_named_without_its_lead_in(bot, wecom) -> None:
    replies = await replies_to(bot, wecom, "wmSev006", "想问下你们家有防晒吗 还有快递发哪家")
    assert SHIPPING in replies[0], replies
    assert "「你们家有防晒吗」" in replies[-1], replies  # not 「想问下你们家有防晒吗」
    (question,) = await questions(bot)
    assert question.text == "你们家有防晒吗"
