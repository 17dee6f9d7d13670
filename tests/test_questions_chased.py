"""A customer waiting for an answer the persona could not give chases it ("刚才问的你还没回我呢"): they are told which
question is being followed up and by whom, not a second "I don't know" read as a new question; staff see the chase."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import UnansweredQuestion
from tests import escalation_kit as kit
from tests.harness import BotUnderTest
from tests.test_staff_commands import say

clock, bot = kit.clock, kit.bot  # fixtures: Monday 10:00, the bot with the escalation team (li.na, wang.fang ...)

QUESTION = "你们有卸妆油吗"  # the demo knowledge base has no cleansing oil: queued for staff


async def questions(bot: BotUnderTest) -> list[UnansweredQuestion]:
    async with bot.sessions() as s:
        return list((await s.scalars(select(UnansweredQuestion).order_by(UnansweredQuestion.id))).all())


async def told(bot: BotUnderTest, wecom, ext: str, text: str) -> list[str]:
    """What the customer gets back for `text`."""
    before = len(wecom.customer_inbox(ext))
    await wecom.customer_says(ext, text)
    await bot.drain()
    return [str(m) for m in wecom.customer_inbox(ext)[before:]]


@pytest.mark.parametrize("n, chaser", list(enumerate(["刚才问的你还没回我呢", "那你们什么时候能回复我", "问到了吗",
                                                      "怎么还没人回我", "还要等多久啊"])))
async def test_in_working_hours_a_chaser_is_told_a_colleague_is_on_that_question(bot, wecom, n, chaser) -> None:
    ext = f"wmChase{n:03d}"
    await told(bot, wecom, ext, QUESTION)
    (reply,) = await told(bot, wecom, ext, chaser)
    assert "卸妆油" in reply and "同事" in reply, reply
    assert "不确定" not in reply and "答不上来" not in reply, reply  # no second "I don't know"
    (q,) = await questions(bot)  # the chaser is no second question for staff
    assert q.text == QUESTION and (q.context or {}).get("chased") == 1


async def test_at_night_with_nobody_on_duty_the_chaser_gets_no_promise_but_when_people_are_back(
        bot, wecom, clock) -> None:
    clock.set(kit.MONDAY_10PM)
    await told(bot, wecom, "wmChase100", QUESTION)
    (reply,) = await told(bot, wecom, "wmChase100", "刚才问的你还没回我呢")
    assert "卸妆油" in reply and "明天 09:00" in reply and "人工" in reply, reply
    assert "跟进" not in reply, reply  # nobody was promised, so nobody is said to be on it


async def test_staff_listing_the_open_questions_see_who_is_chasing(bot, wecom) -> None:
    await told(bot, wecom, "wmChase200", QUESTION)
    await told(bot, wecom, "wmChase200", "问到了吗")
    await told(bot, wecom, "wmChase200", "怎么还没人回我")
    listing = await say(bot, wecom, "wang.fang", "/questions")
    assert QUESTION in listing and "客户已催 2 次" in listing, listing


async def test_with_nothing_open_a_chaser_is_no_chase(bot, wecom) -> None:
    replies = await told(bot, wecom, "wmChase300", "你们还没回我呢")
    assert replies and not any("卸妆油" in r or "跟进" in r for r in replies), replies


async def test_a_parcel_chased_while_a_question_is_open_is_about_the_parcel(bot, wecom) -> None:
    await told(bot, wecom, "wmChase400", QUESTION)
    replies = await told(bot, wecom, "wmChase400", "我的快递怎么还没到 还要等多久")
    assert replies and not any("卸妆油" in r for r in replies), replies
