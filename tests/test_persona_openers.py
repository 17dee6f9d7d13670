"""One opener per conversation: a kf visitor welcomed on entering who then says "你好" is not
greeted a second time; a greeting that asks something still gets the answer."""

from __future__ import annotations

from datetime import datetime
from typing import AsyncIterator
from zoneinfo import ZoneInfo

import pytest

from persona.loader import default_persona_path, load_persona
from tests.harness import BotUnderTest, make_config

SH = ZoneInfo("Asia/Shanghai")


def texts_of(key: str) -> list[str]:
    """Every phrasing of a key in the shipped default persona (小柚), at any time of day."""
    persona = load_persona(default_persona_path("interest"))
    return sorted({persona.render(key, seed=str(n), hour=hour, name="", scene="").text
                 for n in range(40) for hour in (None, 3, 8, 12, 15, 20)})


@pytest.fixture
async def wanzi(db_url: str, wecom, clock) -> AsyncIterator[BotUnderTest]:
    clock.set(datetime(2026, 3, 10, 10, 5, tzinfo=SH).timestamp())
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    yield bot
    await bot.stop()


async def enter_then_say(bot: BotUnderTest, wecom, ext: str, text: str) -> list[str]:
    await wecom.customer_enters_kf(ext)
    await bot.drain()
    await wecom.customer_says(ext, text)
    await bot.drain()
    inbox: list[str] = wecom.customer_inbox(ext)
    return inbox


@pytest.mark.parametrize("hello", ["你好", "哈喽", "您好呀"])
async def test_a_greeting_right_after_the_welcome_gets_a_short_presence_line_not_a_second_opener(
        wanzi, wecom, hello) -> None:
    welcome, reply = await enter_then_say(wanzi, wecom, "wmOpen0001", hello)
    assert welcome in texts_of("greeting.kf_welcome")
    assert reply in texts_of("chat.greet_again"), reply
    assert reply not in texts_of("chat.greeting")


@pytest.mark.parametrize("text", ["哈喽，第一次来", "第一次来"])
async def test_a_first_visit_right_after_the_welcome_is_not_welcomed_a_second_time(wanzi, wecom, text) -> None:
    welcome, reply = await enter_then_say(wanzi, wecom, "wmOpen0008", text)
    assert welcome in texts_of("greeting.kf_welcome")
    assert reply in texts_of("chat.greet_again"), reply
    assert reply not in texts_of("chat.first_visit")


async def test_a_first_visit_without_a_welcome_gets_the_first_visit_line(wanzi, wecom) -> None:
    await wecom.customer_enters_kf("wmOpen0009", welcome=False)
    await wanzi.drain()
    await wecom.customer_says("wmOpen0009", "哈喽，第一次来")
    await wanzi.drain()
    (reply,) = wecom.customer_inbox("wmOpen0009")
    assert reply in texts_of("chat.first_visit"), reply


async def test_are_you_there_right_after_the_welcome_gets_the_presence_line(wanzi, wecom) -> None:
    welcome, reply = await enter_then_say(wanzi, wecom, "wmOpen0007", "在吗")
    assert reply in texts_of("chat.presence") and reply not in texts_of("chat.greeting")


async def test_entering_and_greeting_in_one_go_still_gets_one_opener(wanzi, wecom) -> None:
    await wecom.customer_enters_kf("wmOpen0002")
    await wecom.customer_says("wmOpen0002", "你好")
    await wanzi.drain()
    welcome, reply = wecom.customer_inbox("wmOpen0002")
    assert welcome in texts_of("greeting.kf_welcome") and reply in texts_of("chat.greet_again")


async def test_a_greeting_with_a_question_after_the_welcome_gets_the_answer(wanzi, wecom) -> None:
    welcome, answer = await enter_then_say(wanzi, wecom, "wmOpen0003", "你好，几天发货")
    assert answer not in texts_of("chat.greet_again") + texts_of("chat.greeting")
    assert "48 小时内" in answer, answer  # the knowledge base's shipping answer


async def test_a_greeting_long_after_the_welcome_opens_a_new_conversation(wanzi, wecom, clock) -> None:
    await wecom.customer_enters_kf("wmOpen0004")
    await wanzi.drain()
    clock.advance(31 * 60)  # past the 30 minutes a greeting still continues the welcome
    await wecom.customer_says("wmOpen0004", "你好")
    await wanzi.drain()
    assert wecom.customer_inbox("wmOpen0004")[-1] in texts_of("chat.greeting")


async def test_a_greeting_after_some_talk_is_answered_as_a_greeting(wanzi, wecom) -> None:
    await enter_then_say(wanzi, wecom, "wmOpen0005", "谢谢")
    await wecom.customer_says("wmOpen0005", "你好")
    await wanzi.drain()
    assert wecom.customer_inbox("wmOpen0005")[-1] in texts_of("chat.greeting")


async def test_a_customer_whose_welcome_never_arrived_gets_the_full_greeting(wanzi, wecom) -> None:
    await wecom.customer_enters_kf("wmOpen0006", welcome=False)  # no welcome_code: nothing was said yet
    await wanzi.drain()
    await wecom.customer_says("wmOpen0006", "你好")
    await wanzi.drain()
    (reply,) = wecom.customer_inbox("wmOpen0006")
    assert reply in texts_of("chat.greeting")


async def test_a_greeting_after_the_welcome_is_met_with_the_customers_time_of_day(wanzi, wecom, clock) -> None:
    """"哈喽 晚上好呀" in the evening, right after the welcome: one short opener that says 晚上好, not a
    bare "I'm here"; a greeting the clock contradicts ("早上好" at 21:05) is met warmly, never corrected."""
    clock.set(datetime(2026, 3, 10, 21, 5, tzinfo=SH).timestamp())
    for n, hello in enumerate(("哈喽 晚上好呀", "晚上好", "你好呀", "晚上好 在吗")):
        welcome, reply = await enter_then_say(wanzi, wecom, f"wmEve000{n}", hello)
        assert welcome in texts_of("greeting.kf_welcome")
        assert reply in texts_of("chat.greet_again") and "晚上好" in reply, (hello, reply)
    welcome, reply = await enter_then_say(wanzi, wecom, "wmEve0009", "早上好")
    assert reply in texts_of("chat.greet_again") and not any(w in reply for w in ("早", "晚", "其实")), reply
    clock.set(datetime(2026, 3, 11, 8, 5, tzinfo=SH).timestamp())
    welcome, reply = await enter_then_say(wanzi, wecom, "wmEve0010", "早上好呀")
    assert reply in texts_of("chat.greet_again") and "早" in reply, reply
