"""Price objections ("太贵了吧", "有点贵啊", "能便宜点吗", "有没有优惠"): the knowledge base's discount
entry with the concern acknowledged; without one, the configured campaign (never an invented
discount) or none, and a person offered; bargaining still reaches a person (议价)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bench.knowledge import EVAL
from handlers.replies.price import price_talk
from storage.models import Ticket, UnansweredQuestion
from tests import escalation_kit as kit
from tests.chat_kit import count, say
from tests.harness import BotUnderTest, make_config

clock, bot = kit.clock, kit.bot  # Monday 10:00; the demo knowledge base has a coupon entry

COUPON = "满 199 减 30 的券"  # the demo base's coupon answer
CAMPAIGN = "春日焕新季，满199减30"  # the interest preset's [facts] campaign and coupon


async def start(db_url: str, wecom, clock, tmp_path: Path, persona: str | None = None) -> BotUnderTest:
    """A bot on a knowledge base with no discount entry (the fitness shop), and maybe its own persona."""
    sections: dict = {"faq": {"path": str(EVAL / "fitness" / "faq.csv")}}
    if persona is not None:
        path = tmp_path / "persona.toml"
        path.write_text(persona, encoding="utf-8")
        sections["persona"] = {"path": str(path)}
    started = await BotUnderTest.start(make_config(db_url, wecom.base_url, **sections), clock)
    wecom.connect(f"{started.url}/wecom/callback")
    return started


def test_price_talk_is_told_from_other_words() -> None:
    assert all(price_talk(t) for t in ("有点贵啊", "太贵了吧", "能便宜点吗", "有没有优惠", "打折吗"))
    assert not any(price_talk(t) for t in ("多少钱", "贵店在哪", "宝贵的意见", "多久发货",
                                           "女儿给我买了贵公司的柚润保湿霜，老年人能用吗"))


async def test_an_objection_gets_the_coupon_entry_with_the_concern_acknowledged(bot, wecom) -> None:
    for ext, text in (("wmPrice01", "有点贵啊"), ("wmPrice02", "太贵了吧")):
        (reply,) = await say(bot, wecom, ext, text)
        assert COUPON in reply and ("懂你" in reply or "省钱" in reply), reply
    assert await count(bot, UnansweredQuestion) == 0  # no "I'll ask a colleague"


async def test_a_second_objection_gets_the_campaign_not_the_coupon_answer_again(bot, wecom) -> None:
    (first,) = await say(bot, wecom, "wmPrice07", "有点贵啊")
    (second,) = await say(bot, wecom, "wmPrice07", "太贵了吧")
    assert COUPON in first and COUPON not in second
    assert CAMPAIGN in second and "人工" in second


async def test_asking_for_a_discount_gets_the_coupon_entry(bot, wecom) -> None:
    reply, *_ = await say(bot, wecom, "wmPrice03", "有没有优惠")  # (then the "considering" stage's push)
    assert COUPON in reply


async def test_bargaining_gets_the_coupon_then_a_person(bot, wecom) -> None:
    answer, handoff = await say(bot, wecom, "wmPrice04", "能便宜点吗")
    assert COUPON in answer and COUPON not in handoff
    async with bot.sessions() as s:
        (ticket,) = (await s.scalars(select(Ticket))).all()
    assert ticket.reason == "sensitive:议价"


async def test_without_a_discount_entry_the_configured_campaign_and_a_person(db_url, wecom, clock, tmp_path) -> None:
    started = await start(db_url, wecom, clock, tmp_path)
    try:
        (reply,) = await say(started, wecom, "wmPrice05", "太贵了吧")
    finally:
        await started.stop()
    assert CAMPAIGN in reply and "人工" in reply


async def test_without_a_campaign_no_discount_is_promised(db_url, wecom, clock, tmp_path) -> None:
    persona = ('[profile]\nname = "小柚"\nbrand = "柚见"\nintro = "我是小柚"\nmodel = "interest"\n'
               '[facts]\ncampaign = ""\ncoupon = ""\ncommunity = "柚见护肤同好群"\n')
    started = await start(db_url, wecom, clock, tmp_path, persona)
    try:
        (reply,) = await say(started, wecom, "wmPrice06", "有点贵啊")
    finally:
        await started.stop()
    assert "人工" in reply and "不乱许优惠" in reply  # reply.price: says so, rather than name a discount
    assert "满199减30" not in reply and "春日焕新季" not in reply


async def test_a_price_question_is_never_answered_with_an_entry_that_names_no_price(bot, wecom) -> None:
    (cream,) = await say(bot, wecom, "wmPrice0901", "干皮用什么面霜")
    assert "柚润保湿霜" in cream
    replies = await say(bot, wecom, "wmPrice0901", "那个保湿霜多少钱啊")
    assert not any("神经酰胺" in r for r in replies), replies  # the recommendation again, no price in it
    async with bot.sessions() as s:
        assert [q.text for q in (await s.scalars(select(UnansweredQuestion))).all()] == ["那个保湿霜多少钱啊"]


async def test_a_price_question_is_not_offered_entries_that_name_no_price(bot, wecom) -> None:
    replies = await say(bot, wecom, "wmPrice1001", "那我给她买个保湿的就行了是吧那个霜多少钱")
    assert not any("猜你想问" in r or "回复数字" in r for r in replies), replies  # not "1. 干皮用什么面霜"


WHICH = ("哪一款", "哪款")  # the shipped reply.which_product asks which product is meant


async def queued(bot: BotUnderTest) -> list[str]:
    async with bot.sessions() as s:
        return [q.text for q in (await s.scalars(select(UnansweredQuestion).order_by(UnansweredQuestion.id))).all()]


async def test_a_price_asked_of_nothing_named_gets_which_product_and_the_answer_names_it(bot, wecom) -> None:
    """"多少钱啊" as the first thing said: nobody could answer it, so the persona asks which product;
    the product the customer then names is the price question, for the knowledge base or staff."""
    (which,) = await say(bot, wecom, "wmPrice1101", "多少钱啊")
    assert any(w in which for w in WHICH) and "同事" not in which, which
    assert await queued(bot) == []  # no colleague asked what "多少钱" costs
    (reply,) = await say(bot, wecom, "wmPrice1101", "柚润保湿霜")
    assert "神经酰胺" not in reply and "保湿补水" not in reply, reply  # neither the recommendation nor a tag note
    assert await queued(bot) == ["柚润保湿霜多少钱"]  # staff see which product's price is asked


async def test_this_ones_price_with_nothing_before_asks_which_and_a_greeting_is_nothing(bot, wecom) -> None:
    await say(bot, wecom, "wmPrice1201", "你好")
    (which,) = await say(bot, wecom, "wmPrice1201", "这个多少钱")
    assert any(w in which for w in WHICH), which
    await say(bot, wecom, "wmPrice1201", "那个面霜呀")
    assert await queued(bot) == ["那个面霜多少钱"]


async def test_a_price_asked_after_a_product_was_named_is_not_asked_which(bot, wecom) -> None:
    (cream,) = await say(bot, wecom, "wmPrice1301", "干皮用什么面霜")
    assert "柚润保湿霜" in cream
    (reply,) = await say(bot, wecom, "wmPrice1301", "这个多少钱")
    assert not any(w in reply for w in WHICH), reply
    assert await queued(bot) == ["柚润保湿霜多少钱"]  # for staff: the price of the cream just recommended


async def test_a_skin_type_told_after_which_product_is_noted_not_joined_to_the_price(bot, wecom) -> None:
    """"我是干皮" answers no "哪款？": it is a statement of its own, acknowledged, never "我是干皮多少钱" for staff."""
    await say(bot, wecom, "wmPrice1401", "多少钱啊")
    (noted,) = await say(bot, wecom, "wmPrice1401", "我是干皮")
    assert "干皮" in noted and "同事" not in noted, noted  # "好嘞，干皮，小柚记住了～"
    assert await queued(bot) == []
    await say(bot, wecom, "wmPrice1402", "多少钱啊")
    await say(bot, wecom, "wmPrice1402", "我说的是保湿霜")  # naming one in a sentence of their own still does
    assert await queued(bot) == ["我说的是保湿霜多少钱"]


async def test_the_price_of_a_product_named_after_which_product_is_said_with_its_name(bot, wecom, clock) -> None:
    """No price in the knowledge base: the colleague's promise, or off-hours the honest line, says which
    product's price is being found out, not a bare "这个我还不确定"."""
    await say(bot, wecom, "wmPrice1501", "多少钱啊")
    (promise,) = await say(bot, wecom, "wmPrice1501", "柚润保湿霜")
    assert "柚润保湿霜" in promise and "同事" in promise, promise
    clock.set(kit.MONDAY_10PM)  # nobody to keep a promise: honest, and still about the cream
    await say(bot, wecom, "wmPrice1502", "多少钱啊")
    (honest,) = await say(bot, wecom, "wmPrice1502", "柚润保湿霜")
    assert "柚润保湿霜" in honest and "人工" in honest, honest
    assert await queued(bot) == ["柚润保湿霜多少钱", "柚润保湿霜多少钱"]


async def test_the_price_right_after_an_answer_recommending_a_product_is_that_products(bot, wecom) -> None:
    """"多少钱" right after the dry-skin cream answer asks what 柚润保湿霜 costs: staff get it with the name and
    the promise names it; after an answer that recommends nothing, which product is asked (nothing queued)."""
    (cream,) = await say(bot, wecom, "wmPrice1601", "干皮用什么面霜")
    assert "「柚润保湿霜」" in cream
    (promise,) = await say(bot, wecom, "wmPrice1601", "多少钱")
    assert "柚润保湿霜" in promise and not any(w in promise for w in WHICH), promise
    assert await queued(bot) == ["柚润保湿霜多少钱"]
    await say(bot, wecom, "wmPrice1602", "多久发货")
    (which,) = await say(bot, wecom, "wmPrice1602", "多少钱")
    assert any(w in which for w in WHICH), which
    assert await queued(bot) == ["柚润保湿霜多少钱"]
