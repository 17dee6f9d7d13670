"""Replies that missed what the customer meant (known misfits of the kf persona): each gets what a person
at the shop would say. Asserted on what the customer gets back (the persona's template key without its
variant, and the text), on their tags and on the questions queued for staff."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from tests.test_escalation_readings import tag_names
from tests.test_persona_understanding import TUESDAY_10AM, told


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


@pytest.mark.parametrize("asked", ["多久发货", "干皮用什么面霜"])
async def test_thanks_with_praise_after_an_answer_is_thanked_not_acknowledged(wanzi, wecom, clock, asked) -> None:
    await told(wanzi, wecom, clock, "wmFit01", asked)
    (thanks,) = await told(wanzi, wecom, clock, "wmFit01", "好的谢谢你 真耐心")
    assert thanks[0] in ("chat.thanks", "chat.praise"), thanks


async def test_a_trouble_gone_is_no_skin_type_but_the_trouble_told_is(wanzi, wecom, clock) -> None:
    (praise,) = await told(wanzi, wecom, clock, "wmFit03", "用了一个礼拜 真的不起皮了！！")
    assert praise[0] == "chat.praise" and "干皮" not in praise[1], praise
    (alone,) = await told(wanzi, wecom, clock, "wmFit03", "真的不起皮了")
    assert "干皮" not in alone[1], alone
    assert "干皮" not in await tag_names(wanzi, "wmFit03")
    (told_,) = await told(wanzi, wecom, clock, "wmFit04", "我起皮")
    # the trouble told: sympathy and the dry-skin entry (reply.concern, tests/test_persona_sandbox_words3.py)
    assert told_[0] == "reply.concern" and "干皮" in told_[1], told_
    assert "干皮" in await tag_names(wanzi, "wmFit04")


async def test_back_to_a_question_asked_last_week_gets_its_answer_not_a_tag_note(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmFit07", "上周问过你们 干皮用保湿霜那个")
    assert reply[0] == "reply.faq" and "柚润保湿霜" in reply[1], reply


TUESDAY_9PM = TUESDAY_10AM + 11 * 3600  # the evening, after staff hours


async def test_an_evening_greeting_asking_whether_anyone_is_still_there_is_greeted(wanzi, wecom, clock) -> None:
    clock.set(TUESDAY_9PM)
    (alone,) = await told(wanzi, wecom, clock, "wmFit10", "这么晚了还有人在吗")
    (greeted,) = await told(wanzi, wecom, clock, "wmFit11", "晚上好呀 这么晚还有人吗")
    assert greeted[0] in ("chat.greeting", "chat.presence", "chat.greet_again"), greeted
    assert alone[0] in ("chat.greeting", "chat.presence", "chat.greet_again"), alone
    assert "知识范围" not in greeted[1], greeted


@pytest.mark.parametrize("said", ["我女朋友说你们家面霜挺好用的 真的假的", "听朋友说你们保湿霜特别好用 是真的吗"])
async def test_praise_heard_from_someone_else_and_asked_about_is_a_question_not_praise(wanzi, wecom, clock,
                                                                                      said) -> None:
    clock.set(TUESDAY_9PM)
    (reply,) = await told(wanzi, wecom, clock, "wmFit12", said)
    assert reply[0] != "chat.praise" and "你也超棒" not in reply[1], reply
    assert reply[0].startswith("reply."), reply  # the knowledge base's answer, its guesses or its honest fallback


@pytest.mark.parametrize("said", ["好吧 那我明天再来问", "那我改天再来"])
async def test_leaving_to_ask_again_tomorrow_is_a_goodbye(wanzi, wecom, clock, said) -> None:
    clock.set(TUESDAY_9PM)
    (bye,) = await told(wanzi, wecom, clock, "wmFit13", "拜拜")
    (leaving,) = await told(wanzi, wecom, clock, "wmFit14", said)
    assert leaving[0] == bye[0], (leaving, bye)
    assert "在听" not in leaving[1], leaving
