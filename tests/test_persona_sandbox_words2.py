"""More customers' words a sandbox session found misread, each given what a person at the shop would do: an
order to hold or change gets the hand-off and an acknowledgement, not the shipping times; praise of the
packaging or the cream is thanked on the brand's behalf, not with "你也超棒的"; a request the persona cannot
carry out goes to a person (not a chat line) and is never called "好问题"; a plan to ask someone first gets a
short ok that waits for them; "别忽悠我" gets one reassurance, not the authenticity answer besides. Asserted on
what the customer gets back (the persona's template key without its variant, and the text)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from persona.loader import default_persona_path, load_persona
from storage.models import Ticket
from tests import escalation_kit as kit
from tests.community_kit import start_bot
from tests.test_persona_understanding import TUESDAY_10AM, told

SHIPPING_TIMES = ("48 小时", "顺丰", "隔天到")
AUTHENTICITY = ("防伪码", "正品")


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


def phrasings(key: str, slot: str | None = None) -> set[str]:
    """Every phrasing of a key (or of one situation's phrasings) in the shipped default persona (小柚)."""
    persona = load_persona(default_persona_path("interest"))
    return {persona.render(key, seed=str(n), slot=slot, name="", how="", product="").text for n in range(40)}


# --- 1. an order to hold or change: the hand-off and an acknowledgement, no shipping times first ------

@pytest.mark.parametrize("said", ["刚下的单 先别发货", "订单先不要发货 我还要加东西", "地址填错了 还没发货吧",
                                  "我昨天下的单 能改个地址吗"])
async def test_an_order_to_hold_or_change_gets_the_hand_off_not_the_shipping_times(wanzi, wecom, clock,
                                                                                   said) -> None:
    replies = await told(wanzi, wecom, clock, "wmSc01", said)
    keys = [key for key, _ in replies]
    assert keys[0] == "escalation.handoff_only" and keys[-1].startswith("escalation."), replies
    assert "改单" in replies[0][1], replies  # what will be done for them, named
    assert not any(key == "reply.faq" or any(t in text for t in SHIPPING_TIMES) for key, text in replies), replies
    async with wanzi.sessions() as s:
        (ticket,) = (await s.scalars(select(Ticket))).all()
    assert ticket.reason == "sensitive:改单" and ticket.question == said


async def test_the_new_address_after_asking_to_change_it_is_no_product_idea(wanzi, wecom, clock) -> None:
    """The sandbox of 2026-12-05: "改成上海市浦东新区xx路" was thanked as a suggestion passed to the product team."""
    await told(wanzi, wecom, clock, "wmSc04", "我昨天下的单 能改个地址吗")  # to a person (改单)
    for n, said in enumerate(("改成上海市浦东新区张江路88号", "寄到杭州市西湖区文三路 8 号 3 单元")):
        replies = await told(wanzi, wecom, clock, f"wmSc0{5 + n}", said)  # and with nothing asked before
        assert replies and not any(key == "reply.suggestion" or "建议" in text for key, text in replies), replies


async def test_a_topic_the_operator_leaves_out_of_handoff_only_gets_the_answer_first(db_url, wecom, clock) -> None:
    bot = await start_bot(db_url, wecom, clock, escalation={"handoff_only_topics": []})
    try:
        replies = await told(bot, wecom, clock, "wmSc02", "刚下的单 先别发货")
        assert replies[0][0] == "reply.faq" and replies[-1][0].startswith("escalation."), replies
    finally:
        await bot.stop()


async def test_a_refund_still_gets_the_returns_answer_before_the_hand_off(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmSc03", "不喜欢的话可以退货吗")
    assert replies[0][0] == "reply.faq" and "7 天" in replies[0][1], replies
    assert replies[-1][0].startswith("escalation.") and replies[-1][0] != "escalation.handoff_only", replies


# --- 2. praise of what we sell, thanked on the brand's behalf -------------------------------------

@pytest.mark.parametrize("said", ["包装好精致", "这个味道好好闻啊", "你们客服态度真好", "你们家面霜真好用"])
async def test_praise_of_the_product_or_service_is_thanked_for_the_brand(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSc04", said)
    assert reply[0] == "chat.praise" and reply[1] in phrasings("chat.praise", "ours"), reply
    assert "你也超棒" not in reply[1] and "柚见" in reply[1], reply


@pytest.mark.parametrize("said", ["你真棒", "那你挺聪明的"])
async def test_praise_of_the_persona_keeps_its_own_reply(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSc05", said)
    assert reply[0] == "chat.praise" and reply[1] in phrasings("chat.praise"), reply


# --- 3. a request is never "a good question" ---------------------------------------------------------

@pytest.mark.parametrize("said", ["帮我查一下物流", "给我查查我的快递", "给我开个发票", "麻烦帮我开一下专票"])
async def test_a_request_with_a_colleague_on_duty_is_promised_in_words_for_a_request(db_url, wecom, clock,
                                                                                    said) -> None:
    bot = await kit.start(db_url, wecom, clock)
    try:
        await kit.on_duty(bot, "li.na")
        for n in range(3):  # the phrasings vary between customers: none of them calls a request a question
            (reply,) = await told(bot, wecom, clock, f"wmSc06{n}", said)
            assert reply[0] == "reply.fallback", reply
            assert reply[1] in phrasings("reply.fallback", "request") and "问题" not in reply[1], reply
    finally:
        await bot.stop()


async def test_a_question_with_a_colleague_on_duty_keeps_the_usual_promise(db_url, wecom, clock) -> None:
    bot = await kit.start(db_url, wecom, clock)
    try:
        await kit.on_duty(bot, "li.na")
        (reply,) = await told(bot, wecom, clock, "wmSc07", "你们有男士洗面奶吗")
        assert reply[0] == "reply.fallback" and reply[1] in phrasings("reply.fallback"), reply
    finally:
        await bot.stop()


@pytest.mark.parametrize("said", ["帮我查一下物流", "给我开个发票", "帮我备注一下要礼盒包装"])
async def test_a_request_with_nobody_to_ask_is_told_honestly_it_cannot_be_done_here(wanzi, wecom, clock,
                                                                                    said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSc08", said)  # never "收到～还有什么想跟小柚说的吗"
    assert reply[0] == "reply.unknown" and "人工" in reply[1], reply
    assert any(reply[1].startswith(p.rstrip("。")) for p in phrasings("reply.unknown", "request")), reply
    assert "答不上来" not in reply[1], reply  # nothing was asked


# --- 4. a plan to ask someone first ------------------------------------------------------------------

@pytest.mark.parametrize(("wish", "said"), [("我想给我妈买个面霜", "回头问问她喜欢啥"),
                                            ("想给老公买个洗面奶", "等我问问他再说"),
                                            ("想给闺蜜买个生日礼物", "我先问下她用什么肤质的"),
                                            ("想给闺蜜买个生日礼物", "我回去看看她平时用的啥 再来找你")])
async def test_a_plan_to_ask_someone_first_gets_a_short_ok_that_waits_for_them(wanzi, wecom, clock, wish,
                                                                               said) -> None:
    await told(wanzi, wecom, clock, "wmSc09", wish)
    (reply,) = await told(wanzi, wecom, clock, "wmSc09", said)
    assert reply[0] == "chat.ack" and reply[1] in phrasings("chat.ack", "later"), reply


async def test_a_plain_ok_keeps_the_plain_ack(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSc10", "好的")
    assert reply[0] == "chat.ack" and reply[1] in phrasings("chat.ack"), reply


# --- 5. "don't fool me": one reassurance ---------------------------------------------------------------

@pytest.mark.parametrize("said", ["别忽悠我", "真的假的 别坑我啊", "不会是骗我的吧"])
async def test_not_to_be_fooled_said_cold_gets_one_reassurance(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmSc11", said)
    assert reply[0] == "chat.doubt" and not any(w in reply[1] for w in ("防伪码",)), reply


@pytest.mark.parametrize("said", ["你们是不是骗子啊", "你们这个牌子靠谱吗"])
async def test_doubting_the_shop_still_gets_the_authenticity_answer(wanzi, wecom, clock, said) -> None:
    replies = await told(wanzi, wecom, clock, "wmSc12", said)
    assert replies[0][0] == "reply.faq" and all(w in replies[0][1] for w in AUTHENTICITY), replies
    assert [key for key, _ in replies[1:]] in ([], ["chat.doubt"]), replies
