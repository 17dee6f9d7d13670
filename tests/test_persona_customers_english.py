"""Customers in their own words, in English or mixing it in (issue #13, dev28): knowledge-base questions asked in
English ("what's your return policy?") answered as the Chinese ones are, a place abroad named in English still a
question for a colleague, English small talk of several clauses ("great, thank you so much"), a lone "hello" or
"thanks" as the customer's first words said back in English too, a kind confirmed after an answer that names no
product (the advice stands, not its sentence again), "那就这样吧" after an answer, a correction right after an answer
("不对 我是想问…"), when a refund's money comes back, whether anyone answers on a Sunday, a friend's recommendation.
Asserted on what the customer gets back (template key without its variant, and the text)."""

from __future__ import annotations

import pytest

from persona import load_persona
from persona.loader import default_persona_path, preset_names
from tests.community_kit import bot_with_faq
from tests.test_persona_english_smalltalk import chinese_then_english
from tests.test_persona_understanding import TUESDAY_10AM, told

HONEST = ("reply.fallback", "reply.unknown")


@pytest.mark.parametrize(("said", "answer"), [
    ("Hi, what's your return policy?", "7 天内可以无理由退换"),
    ("I'm pregnant, can I still use your products?", "孕期和哺乳期"),
    ("any discounts for new customers?", "满 199 减 30"),
    ("how many days until I get my order", "48 小时内"),
    ("are your products genuine? I saw some fakes online", "防伪码"),
    ("my skin gets really dry in winter, which cream should I use?", "柚润保湿霜"),
    ("how long does the cream last before it expires", "保质期 3 年"),
    ("你们的return policy是怎样的", "7 天内可以无理由退换"),
])
async def test_a_question_in_english_gets_the_answer_a_chinese_one_gets(wanzi, wecom, clock, said, answer) -> None:
    """Before: "what's your return policy" got "I'm not sure" (reply.unknown), the returns entry 0.3 % sure: the
    sentence model sets an English question far from every Chinese entry and close to "none of them"."""
    replies = await told(wanzi, wecom, clock, "wmEnKb01", said)
    assert replies[0][0] == "reply.faq" and answer in replies[0][1], replies
    # returns are handed to a person after the answer, as "你们的退货政策是什么" is (test_persona_words35.py)
    assert all(k.startswith("escalation.") for k, _ in replies[1:]) and (len(replies) > 1) == ("退换" in answer)


@pytest.mark.parametrize("said", ["I need to return to work now", "do you ship to Hong Kong?"])
async def test_english_that_no_entry_answers_gets_no_answer(wanzi, wecom, clock, said) -> None:
    """"return to work" is no return of goods; Hong Kong is a place the shipping answer ("其他地区 2-4 天") does not
    name: a colleague is asked, in English too."""
    replies = await told(wanzi, wecom, clock, "wmEnKb02", said)
    assert not any(k.startswith("reply.faq") for k, _ in replies), replies


@pytest.mark.parametrize(("said", "key"), [
    ("great, thank you so much", "chat.thanks"), ("perfect, see you on Saturday", "chat.bye"),
    ("ok I'll order one", "chat.ack"),
])
async def test_english_small_talk_of_several_clauses_is_said_back_in_english(wanzi, wecom, clock, said, key) -> None:
    """Before: each got the "not sure" line: the English words were cut apart at their spaces."""
    replies = await told(wanzi, wecom, clock, "wmEnKb03", said)
    assert [k for k, _ in replies] == [key] and chinese_then_english(replies[0][1]), replies


@pytest.mark.parametrize("said", ["hello", "thanks"])
async def test_a_whole_english_word_as_the_first_words_is_said_back_in_english_too(wanzi, wecom, clock, said) -> None:
    """A customer who opens with "hello" may read no Chinese: the greeting in Chinese, then in English."""
    replies = await told(wanzi, wecom, clock, "wmEnKb04", said)
    assert len(replies) == 1 and chinese_then_english(replies[0][1]), replies


async def test_a_whole_english_word_after_chinese_stays_chinese(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmEnKb05", "多久发货呀")
    replies = await told(wanzi, wecom, clock, "wmEnKb05", "thanks")
    assert [k for k, _ in replies] == ["chat.thanks"] and "\n" not in replies[0][1], replies


OILY = '''
[[faq]]
id = "oily"
q = ["油皮用什么", "油皮适合什么产品"]
a = "油皮建议选清爽的啫喱质地，洁面后薄涂一层就好，夏天可以只用精华。"
'''


@pytest.mark.parametrize("said", ["对 我就是油皮 夏天特别油", "嗯嗯 我是油皮"])
async def test_a_kind_confirmed_after_an_answer_naming_no_product_is_taken_up_in_a_line(db_url, wecom, clock, tmp_path,
                                                                                        said) -> None:
    """Before: "嗯嗯，小柚明白啦：油皮建议选清爽的啫喱质地…" — the answer just given, said again whole."""
    clock.set(TUESDAY_10AM)
    async with bot_with_faq(db_url, wecom, clock, tmp_path, OILY) as bot:
        await told(bot, wecom, clock, "wmEnKb06", "油皮用什么好")
        replies = await told(bot, wecom, clock, "wmEnKb06", said)
    assert [k for k, _ in replies] == ["chat.ack"] and "啫喱" not in replies[0][1], replies


@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_takes_a_confirmed_kind_up_in_its_own_voice(preset) -> None:
    persona = load_persona(default_persona_path(preset))
    said = persona.render("chat.ack", slot="confirmed", name="", product="", seed="x").text
    assert said != persona.render("chat.ack", slot="", name="", product="", seed="x").text and "「" not in said


async def test_that_settles_it_after_an_answer_is_an_ok(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmEnKb07", "不喜欢的话可以退吗")
    replies = await told(wanzi, wecom, clock, "wmEnKb07", "噢噢 那就这样吧")
    assert [k for k, _ in replies] == ["chat.ack"], replies


async def test_a_correction_right_after_an_answer_gets_what_was_meant(wanzi, wecom, clock) -> None:
    """Before: the points answer's line about coupons ("积分可以兑换礼品和优惠券…"), read in the points question's
    context."""
    await told(wanzi, wecom, clock, "wmEnKb08", "积分是怎么用的")
    replies = await told(wanzi, wecom, clock, "wmEnKb08", "不对 我是想问新人优惠券怎么领")
    assert [k for k, _ in replies] == ["reply.faq"] and "满 199 减 30" in replies[0][1], replies


async def test_when_a_refunds_money_comes_back_is_not_the_returns_answer_again(wanzi, wecom, clock) -> None:
    """The returns answer ("签收 7 天内可以无理由退换") says nothing of when the money comes back. The policy asked
    hands the chat to a person after the answer, as "你们的退货政策是怎样的" does (conv35): the refund's time then is
    theirs to answer, never the returns answer again."""
    await told(wanzi, wecom, clock, "wmEnKb09", "你们的return policy是怎样的")
    replies = await told(wanzi, wecom, clock, "wmEnKb09", "那refund一般多久到账")
    assert replies and all(k in HONEST or k.startswith("escalation.") for k, _ in replies), replies


@pytest.mark.parametrize(("said", "key"), [("你们周日也有人回消息吗", "chat.staff_hours"),
                                           ("我朋友推荐我来的", "chat.first_visit")])
async def test_everyday_words_of_customers(wanzi, wecom, clock, said, key) -> None:
    """Before: "你们周日也有人回消息吗" got "not sure", "我朋友推荐我来的" was asked what they are looking for."""
    replies = await told(wanzi, wecom, clock, "wmEnKb10", said)
    assert [k for k, _ in replies] == [key], replies


@pytest.mark.parametrize("said", ["ok what about within China, how long does it take",
                                  "I live in Singapore, do you ship there"])
async def test_an_english_question_after_an_ok_or_a_clause_is_a_question(wanzi, wecom, clock, said) -> None:
    """Sandbox (conv34): "ok what about within China, how long does it take" got the chat line "小柚在听～想聊什么都
    可以" (no "?", the question word after an ok): a question, answered or promised to a colleague, in English too."""
    replies = await told(wanzi, wecom, clock, "wmEnKb11", said)
    assert replies and all(k in (*HONEST, "reply.faq") for k, _ in replies), replies
    assert all(k == "reply.faq" or chinese_then_english(text) for k, text in replies), replies
