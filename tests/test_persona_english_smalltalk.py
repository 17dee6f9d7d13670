"""Small talk written in English ("hello there", "ok thanks, bye", "are you a bot?") is said back in the persona's
voice in Chinese then in English (the "english" phrasings, as reply.unknown's), and small talk in Chinese stays
Chinese. Asserted on what the customer gets back (template key without its variant, and the text)."""

from __future__ import annotations

import re

import pytest

from handlers.replies.smalltalk import Intent, classify
from persona import load_persona
from persona.loader import default_persona_path, preset_names
from tests.escalation_kit import STAFF
from tests.harness import BotUnderTest, make_config
from tests.test_persona_understanding import TUESDAY_10AM, told

_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORDS = re.compile(r"[A-Za-z]{2,}")
PROMISE = ("问问", "请同事确认", "找懂行的同事", "asking a colleague", "check with a colleague")
CHAT = ("chat.greeting", "chat.greet_again", "chat.thanks", "chat.bye", "chat.goodnight", "chat.robot",
        "chat.presence", "chat.ack", "chat.praise", "chat.laugh", "chat.tired", "chat.sad")


def chinese_then_english(text: str) -> bool:
    """A Chinese line, then an English one: its only Chinese is a name the Chinese line says too (the persona's, the
    brand's) and "人工", the word that reaches a colleague."""
    chinese, _, english = text.partition("\n")
    names = re.findall(r"[\u4e00-\u9fff]+", english.replace("人工", ""))
    return bool(_HAN.search(chinese)) and len(_WORDS.findall(english)) >= 2 and all(n in chinese for n in names)


@pytest.mark.parametrize(("said", "key"), [
    ("hello there", ("chat.greeting", "chat.greet_again")), ("good morning", ("chat.greeting", "chat.greet_again")),
    ("thank you so much", ("chat.thanks",)), ("thanks a lot!", ("chat.thanks",)),
    ("ok thanks, bye", ("chat.bye",)), ("bye bye", ("chat.bye",)), ("see you", ("chat.bye",)),
    ("good night", ("chat.goodnight",)), ("night night", ("chat.goodnight",)),
    ("are you a bot?", ("chat.robot",)), ("are you a real person?", ("chat.robot",)),
    ("anyone there?", ("chat.presence",)), ("are you there?", ("chat.presence",)),
    ("ok got it", ("chat.ack",)), ("you are so helpful", ("chat.praise",)),
])
async def test_small_talk_in_english_is_said_back_in_chinese_and_english(wanzi, wecom, clock, said, key) -> None:
    """Before: "ok thanks, bye" → "拜拜～有事随时来找小柚哦👋" only, a customer who reads no Chinese read nothing."""
    replies = await told(wanzi, wecom, clock, "wmEnSt01", said)
    assert len(replies) == 1 and replies[0][0] in key, replies
    assert chinese_then_english(replies[0][1]), replies
    assert not any(p in replies[0][1] for p in PROMISE), replies  # small talk, never "I'll ask a colleague"


async def test_an_ok_while_a_colleague_has_the_english_question_is_said_in_english_too(db_url, wecom, clock) -> None:
    """dev7 h17 ("is it ok for pregnant women?" queued, then "ok I'll wait"): "a colleague is on it" in English too."""
    clock.set(TUESDAY_10AM)  # working hours, staff to keep the promise
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, staff=STAFF), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        await told(bot, wecom, clock, "wmEnSt04", "do you ship to Hong Kong?")
        waiting = await told(bot, wecom, clock, "wmEnSt04", "ok I'll wait")
        chinese = await told(bot, wecom, clock, "wmEnSt04", "好的")
    finally:
        await bot.stop()
    assert len(waiting) == 1 and waiting[0][0] == "chat.ack_pending", waiting
    assert chinese_then_english(waiting[0][1]) and "colleague" in waiting[0][1], waiting
    assert len(chinese) == 1 and chinese[0][0] == "chat.ack_pending" and "\n" not in chinese[0][1], chinese


@pytest.mark.parametrize(("said", "key"), [
    ("你好呀", "chat.greeting"), ("谢谢你呀", "chat.thanks"), ("拜拜", "chat.bye"), ("晚安", "chat.goodnight"),
    ("你是机器人吗", "chat.robot"), ("在吗", "chat.presence"), ("好的", "chat.ack"), ("你真棒", "chat.praise"),
    ("好的 谢谢 拜拜", "chat.bye"),
])
async def test_small_talk_in_chinese_gets_no_english(wanzi, wecom, clock, said, key) -> None:
    replies = await told(wanzi, wecom, clock, "wmEnSt02", said)
    assert len(replies) == 1 and replies[0][0] == key, replies
    assert "\n" not in replies[0][1] and len(_WORDS.findall(replies[0][1])) <= 1, replies  # "AI" at most


@pytest.mark.parametrize("said", ["hi", "ok", "thx", "bye"])
async def test_a_single_english_word_is_no_sign_of_a_customer_reading_english(wanzi, wecom, clock, said) -> None:
    """Customers writing Chinese type "hi", "ok", "thx", "bye" too (persona/wording.py in_english): Chinese only."""
    replies = await told(wanzi, wecom, clock, "wmEnSt03", said)
    assert len(replies) == 1 and replies[0][0].startswith("chat.") and "\n" not in replies[0][1], replies


@pytest.mark.parametrize("preset", preset_names())
@pytest.mark.parametrize("key", CHAT)
def test_every_preset_says_small_talk_in_english_in_its_own_voice(preset, key) -> None:
    persona = load_persona(default_persona_path(preset))
    english = persona.render(key, slot="english", name="", seed="x").text
    assert chinese_then_english(english), (preset, key, english)
    assert english != persona.render(key, slot="", name="", seed="x").text


@pytest.mark.parametrize(("said", "intent"), [
    ("thx", Intent.THANKS), ("ty", Intent.THANKS), ("tysm", Intent.THANKS), ("thank you very much", Intent.THANKS),
    ("bye bye", Intent.BYE), ("see you", Intent.BYE), ("see you later", Intent.BYE), ("goodbye", Intent.BYE),
    ("have a nice day", Intent.BYE), ("good night", Intent.GOODNIGHT), ("gn", Intent.GOODNIGHT),
    ("sweet dreams", Intent.GOODNIGHT), ("are you a robot?", Intent.ROBOT), ("is this a bot", Intent.ROBOT),
    ("am i talking to a real person?", Intent.ROBOT), ("anyone there?", Intent.PRESENCE),
    ("is anybody there", Intent.PRESENCE), ("hello?", Intent.PRESENCE), ("hello, anyone there?", Intent.PRESENCE),
    ("great", Intent.ACK), ("sounds good", Intent.ACK), ("you're the best", Intent.PRAISE),
])
def test_common_english_small_talk_is_recognised(said, intent) -> None:
    assert classify(said) is intent


@pytest.mark.parametrize("said", ["can I talk to a real person?", "is this product real?", "see you at the store?",
                                  "thanks, how long does shipping take?", "hi, do you ship to hk?"])
def test_english_questions_and_requests_stay_questions(said) -> None:
    assert classify(said) is None
