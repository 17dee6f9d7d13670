"""Escalation adds to the answer: a sensitive question the knowledge base can answer gets the answer
and then the hand-off; an adverse reaction gets the persona's safety advice before any promise about
working hours, never a product answer; "在吗" and "订阅" are small talk, not questions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.errors import ConfigError
from handlers.escalation.config import EscalationConfig
from handlers.escalation.rules import safety_topic
from storage.models import UnansweredQuestion
from tests import escalation_kit as kit
from tests.harness import BotUnderTest, make_config

clock, bot = kit.clock, kit.bot  # fixtures: Monday 10:00, the bot with the escalation team


async def unanswered(bot: BotUnderTest) -> list[str]:
    async with bot.sessions() as s:
        return [q.text for q in (await s.scalars(select(UnansweredQuestion))).all()]


async def test_a_sensitive_question_gets_the_answer_then_the_hand_off(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmRet0001", "不喜欢的话可以退货吗")
    await bot.drain()
    (ticket,) = await kit.tickets(bot)
    assert (ticket.reason, ticket.advisor_userid) == ("sensitive:退款", "li.na")
    answer, handoff = wecom.customer_inbox("wmRet0001")
    assert "7 天内可以无理由退换" in answer  # the knowledge base's return policy, not hidden
    assert "李娜" in handoff and "7 天" not in handoff


async def test_out_of_hours_the_answer_comes_before_the_promise(bot, wecom, clock) -> None:
    clock.set(kit.MONDAY_10PM)
    await wecom.customer_says("wmRet0002", "不喜欢的话可以退货吗")
    await bot.drain()
    answer, promise = wecom.customer_inbox("wmRet0002")
    assert "7 天内可以无理由退换" in answer and "明天 09:00" in promise
    assert (await kit.tickets(bot))[0].status == "queued"


async def test_an_adverse_reaction_gets_safety_advice_first_and_no_product_answer(bot, wecom, clock) -> None:
    clock.set(kit.MONDAY_10PM)
    await wecom.customer_says("wmAlg0001", "用了你们的面霜脸上过敏起疹子了")
    await bot.drain()
    advice, promise = wecom.customer_inbox("wmAlg0001")
    assert "停用" in advice and "清水" in advice and "照片" in advice and "09:00" not in advice
    assert "明天 09:00" in promise
    assert all("柚润保湿霜" not in text for text in (advice, promise))  # the face cream FAQ entry stays out
    (ticket,) = await kit.tickets(bot)
    assert ticket.reason == "sensitive:过敏"


async def test_while_a_colleague_is_on_the_way_to_a_reaction_what_to_do_gets_the_advice_and_anger_no_new_offer(
        bot, wecom, clock) -> None:
    """The late sandbox of 2026-12-05, out of hours after an allergy: "那我现在该怎么办" got "同事一回复就在这里
    告诉你，先去忙吧" alone, and "都怪你们 烦死了" an offer to reply 「人工」 ("我马上请真人同事") with the ticket
    already open."""
    clock.set(kit.MONDAY_10PM)
    await wecom.customer_says("wmAlg0010", "你们家面霜我用了脸上冒好多小红点 又痒")
    await bot.drain()
    await wecom.customer_says("wmAlg0010", "那我现在该怎么办")
    await bot.drain()
    first, _, advice, pending = wecom.customer_inbox("wmAlg0010")
    assert "停用" in advice and "清水" in advice and advice != first, advice  # in other words the second time
    assert "同事" in pending and "人工" not in pending, pending
    await wecom.customer_says("wmAlg0010", "都怪你们 烦死了")
    await bot.drain()
    (sorry,) = wecom.customer_inbox("wmAlg0010")[4:]
    assert "抱歉" in sorry and "同事" in sorry and "人工" not in sorry and "马上" not in sorry, sorry
    assert len(await kit.tickets(bot)) == 1  # nothing opened twice


async def test_anger_with_no_ticket_open_still_offers_a_person(bot, wecom, clock) -> None:
    clock.set(kit.MONDAY_10PM)
    await wecom.customer_says("wmAlg0011", "烦死了")
    await bot.drain()
    (offer,) = wecom.customer_inbox("wmAlg0011")
    assert "人工" in offer, offer


@pytest.mark.parametrize("words", ["脸上起了好多红疹，还发痒", "涂完有点刺痛灼热"])
async def test_the_other_reaction_words_are_safety_topics_too(bot, wecom, words: str) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmAlg0002", words)
    await bot.drain()
    assert "停用" in wecom.customer_inbox("wmAlg0002")[0]
    assert [t.reason for t in await kit.tickets(bot)] == ["sensitive:过敏"]


safety_bot = kit.bot_fixture(safety_topics=["不适:头晕|恶心"])


@pytest.mark.parametrize("ext,words", [("wmAlg0003", "我上周买的面霜用了脸有点痒"),
                                       ("wmAlg0004", "宝宝用了你们的湿巾屁股红了一片")])
async def test_a_reaction_in_other_words_gets_the_safety_advice_and_a_person(bot, wecom, ext: str, words: str) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says(ext, words)
    await bot.drain()
    advice, *_ = wecom.customer_inbox(ext)
    assert "停用" in advice and "清水" in advice
    assert all("柚润保湿霜" not in text for text in wecom.customer_inbox(ext))  # no cream recommended to it
    assert [t.reason for t in await kit.tickets(bot)] == ["sensitive:过敏"]


async def test_asking_about_the_risk_before_buying_is_answered_not_treated_as_a_reaction(bot, wecom) -> None:
    await wecom.customer_says("wmAlg0005", "敏感肌能用你们的面霜吗")
    await bot.drain()
    assert all("停用" not in text for text in wecom.customer_inbox("wmAlg0005"))
    assert not [t for t in await kit.tickets(bot) if t.reason.startswith("sensitive")]


async def test_safety_topics_are_configurable(safety_bot, wecom) -> None:
    await wecom.customer_says("wmAlg0003", "喝了你们的代餐有点头晕")
    await safety_bot.drain()
    (advice, *_) = wecom.customer_inbox("wmAlg0003")
    assert "停用" in advice
    assert [t.reason for t in await kit.tickets(safety_bot)] == ["sensitive:不适"]


def test_a_broken_safety_topic_is_named() -> None:
    with pytest.raises(ConfigError, match="escalation.safety_topics"):
        EscalationConfig(safety_topics=("过敏",)).check("escalation")


async def test_presence_and_subscribe_are_small_talk_for_a_vip(bot, wecom) -> None:
    await kit.customer(bot, "wmVip0101", vip=True)
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmVip0101", "在吗")
    await bot.drain()
    await wecom.customer_says("wmVip0101", "订阅")
    await bot.drain()
    presence, subscribed = wecom.customer_inbox("wmVip0101")
    assert "退订" in subscribed  # "you already receive them; 退订 turns them off"
    assert "同事" not in presence and "顾问" not in presence
    assert await kit.tickets(bot) == [] and await unanswered(bot) == []
    assert not (await kit.find_customer(bot, "wmVip0101")).opted_out


@pytest.mark.parametrize("text,topic", [
    ("用了你们的面霜脸上过敏起疹子了", "过敏"),
    ("我这是过敏了吗，脸好痒", "过敏"),
    ("敏感肌会过敏吗", None),  # a question about the risk: the knowledge base may answer it
    ("我是过敏体质能用吗", None),
    ("怕过敏，先试用可以吗", None),
])
def test_a_safety_topic_is_a_reported_reaction_not_a_question_about_the_risk(text: str, topic: str | None) -> None:
    assert safety_topic(text, EscalationConfig()) == topic


async def test_with_the_shipped_reception_pool_the_advice_and_the_answer_still_come_first(db_url, wecom,
                                                                                         clock) -> None:
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url), clock)  # no advisors: WeCom's pool
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        await wecom.customer_says("wmPool0101", "脸上起了好多红疹，还发痒")
        await wecom.customer_says("wmPool0102", "不喜欢的话可以退货吗")
        await bot.drain()
        advice, promise = wecom.customer_inbox("wmPool0101")
        assert "停用" in advice and "这里" in promise  # a colleague will answer here
        answer, promise = wecom.customer_inbox("wmPool0102")
        assert "7 天内可以无理由退换" in answer and "这里" in promise
        assert {s.external_userid for s in wecom.corp.kf.pool()} == {"wmPool0101", "wmPool0102"}
    finally:
        await bot.stop()
