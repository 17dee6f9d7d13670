"""Customers' words a sandbox session found misread (a plan to ask someone else, a late parcel bought last week, the
points earned, "anything makes me allergic", a phrasing of the knowledge base word for word, pilling, the order of
application, praise, the customer's own skin, changing an order), each given what a person at the shop would do.
Asserted on what the customer gets back (the persona's template key without its variant, and the text)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from handlers.escalation.config import EscalationConfig
from storage.models import Ticket
from tests.community_kit import service, start_bot
from tests.test_persona_understanding import PROMISE, TUESDAY_10AM, told

HONEST = ("reply.fallback", "reply.unknown")


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


async def test_a_plan_to_ask_someone_else_is_no_question_for_the_shop(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmSb01", "我想给我妈买个面霜")
    replies = await told(wanzi, wecom, clock, "wmSb01", "回头问问她喜欢啥")
    assert [key for key, _ in replies] and all(key.startswith("chat.") for key, _ in replies), replies
    assert not any(p in text for _, text in replies for p in PROMISE), replies


async def test_allergic_to_anything_is_told_and_gets_safety_advice(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmSb02", "我用啥都过敏")
    assert replies[0][0] == "escalation.safety", replies


async def test_anything_makes_it_dry_is_a_statement_not_a_question_nobody_answers(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmSb03", "我用啥都觉得干")
    assert all(key not in HONEST for key, _ in replies), replies


async def test_you_are_quite_clever_is_praise(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSb04", "那你挺聪明的")
    assert reply[0] == "chat.praise", reply


@pytest.mark.parametrize("said", ["会搓泥吗", "这个面霜上脸搓泥吗"])
async def test_pilling_after_the_cream_answer_is_never_the_cream_answer_again(wanzi, wecom, clock, said) -> None:
    (first,) = await told(wanzi, wecom, clock, "wmSb05", "干皮用什么面霜")
    assert "柚润保湿霜" in first[1], first
    replies = await told(wanzi, wecom, clock, "wmSb05", said)
    assert all(key in HONEST for key, _ in replies), replies  # the demo base says nothing of pilling


async def test_an_order_of_application_to_confirm_is_never_the_cream_recommendation(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmSb06", "先涂精华再涂面霜 对吗")
    assert all(key in HONEST for key, _ in replies), replies  # the demo base has no skincare-steps entry


@pytest.mark.parametrize("said", ["我想改一下收货地址", "刚下的单 先别发货", "能改订单吗 想换个颜色"])
async def test_changing_an_order_goes_to_a_person(wanzi, wecom, clock, said) -> None:
    replies = await told(wanzi, wecom, clock, "wmSb07", said)
    assert replies and replies[-1][0].startswith("escalation."), replies  # the hand-off, last
    assert not any(key.startswith("chat.") or key == "reply.clarify" for key, _ in replies), replies
    async with wanzi.sessions() as s:
        (ticket,) = (await s.scalars(select(Ticket))).all()
    assert ticket.reason == "sensitive:改单" and ticket.question == said


@pytest.mark.parametrize("said", ["干皮面霜推荐", "你好呀 多久能到 谢谢", "你好呀 哪里能买到 谢谢"])
async def test_a_clause_that_is_an_entrys_own_phrasing_gets_that_entry(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSb08", said)
    assert reply[0] == "reply.faq", reply
    assert any(fact in reply[1] for fact in ("柚润保湿霜", "顺丰", "天猫")), reply


async def test_a_sensitive_topic_only_the_context_names_sends_nothing_to_a_person(db_url, wecom, clock) -> None:
    """A shop that hands sensitive skin to a person: "有什么产品推荐吗" from a customer tagged 敏感肌 is read with that
    kind ("敏感肌，有什么产品推荐吗") to find the entry, but the customer did not name the topic now."""
    topics = [*EscalationConfig().sensitive_topics, "敏感肌咨询:敏感肌"]
    bot = await start_bot(db_url, wecom, clock, escalation={"sensitive_topics": topics})
    try:
        await told(bot, wecom, clock, "wmSb09", "你好")
        async with service(bot) as ctx:
            customer = await ctx.repos.customers.find("wmSb09")
            assert customer is not None
            tag = await ctx.repos.tags.ensure("肤质", "敏感肌", now=ctx.clock.now())
            await ctx.repos.tags.attach(customer.id, tag, source="test", now=ctx.clock.now())
        replies = await told(bot, wecom, clock, "wmSb09", "有什么产品推荐吗")
        assert replies and not any(key.startswith("escalation.") for key, _ in replies), replies
        async with bot.sessions() as s:
            assert (await s.scalars(select(Ticket))).all() == []
        await told(bot, wecom, clock, "wmSb09", "我是敏感肌 有什么产品推荐吗")  # named now: a person takes it
        async with bot.sessions() as s:
            (ticket,) = (await s.scalars(select(Ticket))).all()
        assert ticket.reason == "sensitive:敏感肌咨询"
    finally:
        await bot.stop()
