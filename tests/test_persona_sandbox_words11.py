"""Conversations a customer of 柚见 would notice, found in the lead's sandbox tour (issue #13, branch conv22): the
delivery time asked with the customer's city, a 猜你想问 of one entry, a skin trouble told with a question nobody
answers yet, a price asked with no product or of one named. Asserted on what the customer gets back and on what
staff are left with."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.escalation.rules import asks_other_cause
from handlers.replies.smalltalk import Intent, classify, trouble_said
from persona.wording import plain
from storage.models import UnansweredQuestion
from tests import escalation_kit as kit
from tests.chat_kit import say
from tests.harness import BotUnderTest

clock, bot = kit.clock, kit.bot  # Monday 10:00, advisors on duty: a colleague's promise is kept

SHIPPING = "48 小时内从杭州仓发出"
WHICH = ("哪一款", "哪款")  # the shipped reply.which_product asks which product is meant
SAFETY = "停用"  # the shipped escalation.safety advice


async def queued(started: BotUnderTest) -> list[UnansweredQuestion]:
    async with started.sessions() as s:
        return list((await s.scalars(select(UnansweredQuestion).order_by(UnansweredQuestion.id))).all())


@pytest.mark.parametrize("question", ["下单的话几天能到 我在成都", "我在杭州 买了大概几天到", "发货快吗 我在四川成都",
                                      "下单以后多久能收到 我这边是深圳的", "武汉这边下单大概几天能收到货",
                                      "今天拍的话明天能到不 我在苏州", "下单的话几天能到"])
async def test_the_delivery_time_asked_with_the_city_is_answered_not_offered(bot, wecom, question: str) -> None:
    # sandbox: "下单的话几天能到 我在成都" got "你是想问：1. 下单后多久发货" (only a province was read as a place)
    (reply,) = await say(bot, wecom, "wmW11a", question)
    assert SHIPPING in reply and "下单后多久发货" not in reply, reply


def test_where_the_customer_is_is_left_out_only_when_it_tells_nothing_else() -> None:
    assert plain("下单的话几天能到 我在成都") == "下单的话几天能到"
    assert plain("多久能收到啊 人在西安") == "多久能收到啊"
    assert plain("寄到广州要几天啊") == "寄到广州要几天啊"  # where it goes is part of the question
    assert plain("我在成都上班") == "我在成都上班"  # a statement, not a clause before a question


async def test_one_entry_to_offer_is_asked_yes_or_no_and_yes_gets_its_answer(bot, wecom) -> None:
    # the coupon entry is plausible, not sure ("你们这是真货吗？" was, until conv23 answered genuineness asked)
    (offer,) = await say(bot, wecom, "wmW11b", "有什么福利吗")
    assert "「有优惠券吗」" in offer and "1. " not in offer and "数字" not in offer, offer
    (answer,) = await say(bot, wecom, "wmW11b", "对的")
    assert "满 199 减 30" in answer, answer


@pytest.mark.parametrize(("question", "trouble"), [("我最近脸上老是爆痘 是不是跟换季有关", "换季爆痘"),
                                                   ("额头一直冒闭口 是不是熬夜导致的啊", "闭口"),
                                                   ("T区出油特别厉害 是因为我喝水少吗", "出油")])
async def test_a_skin_trouble_told_with_a_question_is_said_back_in_the_promise(bot, wecom, question: str,
                                                                              trouble: str) -> None:
    # sandbox: "我最近脸上老是爆痘 是不是跟换季有关" got a bare "嗯嗯收到！这个我先记下来…"
    (promise,) = await say(bot, wecom, "wmW11c", question)
    assert trouble in promise and "同事" in promise, promise
    assert [q.text for q in await queued(bot)] == [question]  # the colleague still gets it


async def test_off_hours_the_honest_reply_says_the_trouble_back_too(bot, wecom, clock) -> None:
    clock.set(kit.MONDAY_10PM)  # nobody to keep a promise
    (honest,) = await say(bot, wecom, "wmW11d", "我最近脸上老是爆痘 是不是跟换季有关")
    assert "换季爆痘" in honest and "人工" in honest, honest


async def test_a_pick_asked_after_the_trouble_question_is_passed_on_with_it(bot, wecom) -> None:
    await say(bot, wecom, "wmW11e", "我最近脸上老是爆痘 是不是跟换季有关")
    (joined,) = await say(bot, wecom, "wmW11e", "那你们有适合痘痘肌的东西吗")
    assert "同事" in joined and "先去忙" not in joined, joined  # passed on too, not "go and get on with your day"
    (question,) = await queued(bot)
    assert (question.context or {})["more"] == ["那你们有适合痘痘肌的东西吗"]


@pytest.mark.parametrize("question", ["两边脸颊老是泛红 跟我用热水洗脸有关系吗",
                                      "我是敏感肌 晒完太阳脸就刺痛 这是怎么回事"])
async def test_whether_something_else_causes_a_trouble_gets_no_stop_using_advice(bot, wecom, question: str) -> None:
    replies = await say(bot, wecom, "wmW11f", question)
    assert not any(SAFETY in r for r in replies), replies  # nothing of ours was used: nothing to stop
    assert "同事" in replies[-1], replies


def test_a_trouble_is_read_from_the_customers_words() -> None:
    assert trouble_said("晒完太阳脸就刺痛") == "刺痛" and trouble_said("我是敏感肌") == ""
    assert classify("额头一直冒闭口 是不是熬夜导致的啊") is None  # a question, not tiredness
    assert classify("最近老熬夜 好累") is Intent.TIRED
    assert not asks_other_cause("用了你们的面霜晒完太阳就刺痛 怎么回事")  # ours was used: a reaction to report


async def test_a_price_after_answers_naming_no_product_asks_which_product(bot, wecom) -> None:
    # sandbox: "多少钱啊" with no product anywhere was promised a colleague
    await say(bot, wecom, "wmW11g", "多久能到")
    (which,) = await say(bot, wecom, "wmW11g", "多少钱啊")
    assert any(w in which for w in WHICH) and "同事" not in which, which
    assert await queued(bot) == []


@pytest.mark.parametrize(("first", "price"), [("干皮用什么面霜好", "大概多少钱一瓶"),
                                              ("冬天脸很干 有推荐的面霜吗", "这个什么价位的"),
                                              ("", "柚润保湿霜多少钱"), ("", "你们家保湿霜多少钱一瓶")])
async def test_the_price_of_the_cream_is_promised_by_its_name(bot, wecom, first: str, price: str) -> None:
    if first:
        await say(bot, wecom, "wmW11h", first)
    (promise,) = await say(bot, wecom, "wmW11h", price)
    assert "柚润保湿霜" in promise and "同事" in promise, promise
    assert "保湿霜" in (await queued(bot))[0].text  # staff see which product's price is asked


async def test_an_ingredient_the_answer_does_not_name_is_said_to_be_not_in_it_and_asked_of_staff(bot, wecom) -> None:
    # sandbox: "你们的面霜成分安全吗 有没有香精" got the cream's pitch alone, as if it answered the fragrance
    (partial, promise) = await say(bot, wecom, "wmW11i", "你们的面霜成分安全吗 有没有香精")
    assert "柚润保湿霜" in partial and "香精" in partial, partial
    assert "同事" in promise, promise
    assert len(await queued(bot)) == 1


@pytest.mark.parametrize("question", ["柚润保湿霜有防腐剂吗", "柚润保湿霜加了防腐剂没"])
async def test_a_preservative_asked_of_is_never_offered_the_pregnancy_entry(bot, wecom, question: str) -> None:
    replies = await say(bot, wecom, "wmW11j", question)
    assert not any("孕" in r for r in replies) and "同事" in replies[-1], replies  # a question for staff


@pytest.mark.parametrize("question", ["你们卖的是真的吧", "不会是假货吧 我第一次买"])
async def test_asking_to_be_told_the_goods_are_genuine_is_a_question_not_anger(bot, wecom, question: str) -> None:
    (reply,) = await say(bot, wecom, "wmW11k", question)
    assert "是正品吗" in reply or "防伪码" in reply, reply  # answered or offered, never "先别气坏了身体"


@pytest.mark.parametrize("weather", ["哈喽 今天好冷啊", "下雪了 好冷", "最近好热啊"])
async def test_the_weather_told_gets_a_line_of_care(bot, wecom, weather: str) -> None:
    # sandbox: "哈喽 今天好冷啊" got "收到～还有什么想跟小柚说的吗？"
    (reply,) = await say(bot, wecom, "wmW11l", weather)
    assert "天气" in reply and "同事" not in reply and "收到" not in reply, reply
    assert classify("今天天气好冷 脸都干了 用什么好") is None  # a pick asked: the knowledge base's


@pytest.mark.parametrize("question", ["你们那边下雪了吗", "你们杭州冷不冷啊"])
async def test_the_weather_where_we_are_is_chit_chat_never_a_colleague(bot, wecom, question: str) -> None:
    # sandbox: "你们那边下雪了吗" was promised a colleague (你们 read as a question about the shop)
    (reply,) = await say(bot, wecom, "wmW11m", question)
    assert "同事" not in reply, reply
    assert await queued(bot) == []
    (shipping,) = await say(bot, wecom, "wmW11m", "你们那边发货快吗")
    assert SHIPPING in shipping, shipping  # 你们那边 of the shop still asks of the shop


@pytest.mark.parametrize("told", ["我用了一周保湿霜 感觉没什么效果", "买的面霜用着没啥用",
                                  "擦了半个月了 一点变化都没有"])
async def test_a_product_that_did_not_work_is_for_a_person_never_an_interest_or_the_cream_again(
        bot, wecom, told: str) -> None:
    # sandbox: "我用了一周保湿霜 感觉没什么效果" got "小柚记下啦：保湿补水。后面有适合你的好物…"
    replies = await say(bot, wecom, "wmW11n", told)
    assert not any(w in r for r in replies for w in ("好物", "神经酰胺", "想法好棒")), replies
    assert any("人工" in r or "同事" in r for r in replies), replies  # a person looks at it


@pytest.mark.parametrize("told", ["快递到了 但是少了一瓶", "收到了 少了一盒面霜", "收到货了 但是精华的泵头按不出来",
                                  "喷头坏的吧 怎么按都喷不出来"])
async def test_goods_missing_from_the_parcel_get_a_sorry_and_a_person(bot, wecom, told: str) -> None:
    # sandbox: "快递到了 但是少了一瓶" got "嗯嗯，小柚在听～想聊什么都可以"
    replies = await say(bot, wecom, "wmW11o", told)
    assert any("抱歉" in r or "对不起" in r for r in replies), replies
    assert len(await kit.tickets(bot)) == 1  # a person takes it


async def test_gift_wrapping_for_a_girlfriend_is_a_question_for_the_shop(bot, wecom) -> None:
    replies = await say(bot, wecom, "wmW11p", "送女朋友的礼物 有礼盒包装吗")
    assert not any("知识范围" in r or "我比较懂" in r for r in replies), replies  # never the off-topic line


async def test_whether_there_is_one_for_men_is_not_answered_with_the_dry_skin_pitch(bot, wecom) -> None:
    await say(bot, wecom, "wmW11q", "干皮用什么面霜好")
    replies = await say(bot, wecom, "wmW11q", "有男士用的吗")
    assert not any("神经酰胺" in r for r in replies) and "同事" in replies[-1], replies  # for staff
