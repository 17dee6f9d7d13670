"""Conversations a customer of 柚见 would notice, from the last sandbox tour (issue #13, branch conv23; cases in
tests/dialogue_eval/dev21.toml): a product the demo base does not have, how to buy a product named, whether the
goods are genuine, gift wrapping, a new question while one is open for staff, what comes after the cream, sensitive
skin in the change of season. Asserted on what the customer gets back and on what staff are left with."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.replies.asked import sold_asked
from storage.models import UnansweredQuestion
from tests import escalation_kit as kit
from tests.chat_kit import say
from tests.harness import BotUnderTest

clock, bot = kit.clock, kit.bot  # Monday 10:00, advisors on duty: a colleague's promise is kept

CREAM = "神经酰胺"  # the dry-skin cream's answer
OFFER = ("对吧", "猜你想问", "你是想问", "回复数字")  # the shipped reply.clarify


async def queued(started: BotUnderTest) -> list[UnansweredQuestion]:
    async with started.sessions() as s:
        return list((await s.scalars(select(UnansweredQuestion).order_by(UnansweredQuestion.id))).all())


@pytest.mark.parametrize("question", ["你们家防晒霜出了吗", "有卖防晒吗", "有没有洗面奶", "夏天快到了 你们有防晒霜吗",
                                      "眼霜有吗", "请问你们家有身体乳卖吗"])
async def test_a_product_the_base_does_not_have_is_for_staff_never_an_unrelated_entry(bot, wecom,
                                                                                    question: str) -> None:
    # sandbox: "你们家防晒霜出了吗" was asked "你想问的是「干皮用什么面霜」对吧？"
    (reply,) = await say(bot, wecom, "wmW12a", question)
    assert "同事" in reply and not any(w in reply for w in (*OFFER, "面霜", "正品", "孕")), reply
    assert [q.text for q in await queued(bot)] == [question]


def test_the_kind_of_product_asked_for_is_read_at_the_end_of_its_clause() -> None:
    assert sold_asked("有卖防晒吗") == {"防晒"}
    assert sold_asked("眼霜有吗") == {"眼霜"}
    assert sold_asked("你们的精华液有没有酒精") == set()  # an ingredient asked of (persona/facts.py)
    assert sold_asked("面膜可以天天敷吗") == set()


async def test_a_product_the_base_names_is_still_answered(bot, wecom) -> None:
    (reply,) = await say(bot, wecom, "wmW12b", "有没有适合干皮的面霜")
    assert CREAM in reply, reply


SHOPS = "官方小程序、天猫、京东"  # the where-to-buy answer


@pytest.mark.parametrize("question", ["还想再买两瓶面霜 怎么买", "面霜用完了想回购 在哪下单啊", "柚润保湿霜在哪能买到",
                                      "想给我妈也买一瓶保湿霜 怎么买呀"])
async def test_how_to_buy_a_product_named_gets_where_to_buy_it_with_the_product(bot, wecom, question: str) -> None:
    # sandbox: "还想再买两瓶面霜 怎么买" got the cream's pitch again
    (reply,) = await say(bot, wecom, "wmW12c", question)
    assert SHOPS in reply and "柚润保湿霜" in reply and CREAM not in reply, reply
    assert await queued(bot) == []


async def test_how_to_buy_the_cream_just_recommended_gets_where_to_buy_it(bot, wecom) -> None:
    await say(bot, wecom, "wmW12d", "干皮用什么面霜好")
    (reply,) = await say(bot, wecom, "wmW12d", "那这个面霜怎么买")
    assert SHOPS in reply and CREAM not in reply, reply


async def test_how_to_buy_a_product_the_base_does_not_name_is_not_taken_for_the_cream(bot, wecom) -> None:
    (reply,) = await say(bot, wecom, "wmW12e", "防晒霜怎么买")
    assert "柚润保湿霜" not in reply and CREAM not in reply, reply
    (plain,) = await say(bot, wecom, "wmW12f", "怎么买")
    assert SHOPS in plain and "柚润保湿霜" not in plain, plain  # nothing named: the entry as it is


GENUINE = "官方渠道发出的都是正品"  # the authenticity answer


@pytest.mark.parametrize("question", ["你们卖的是真的吧", "是正品吗", "你们家东西是正品吗", "保真吗",
                                      "你们这是真货吗？"])
async def test_whether_the_goods_are_genuine_is_answered_not_offered(bot, wecom, question: str) -> None:
    # sandbox: "你们卖的是真的吧" got "你想问的是「是正品吗」对吧？"
    (reply,) = await say(bot, wecom, "wmW12g", question)
    assert GENUINE in reply and not any(w in reply for w in OFFER), reply


@pytest.mark.parametrize("question", ["送女朋友的礼物 有礼盒包装吗", "有礼盒吗 想送人",
                                      "能帮忙包装成礼物吗 过几天我妈生日", "可以帮我写张贺卡一起寄吗"])
async def test_gift_wrapping_is_for_staff_never_the_authenticity_entry(bot, wecom, question: str) -> None:
    # sandbox: "送女朋友的礼物 有礼盒包装吗" was asked "你想问的是「是正品吗」对吧？" (外盒 is near 礼盒)
    (reply,) = await say(bot, wecom, "wmW12h", question)
    assert "同事" in reply and not any(w in reply for w in (*OFFER, "正品", "防伪")), reply
    assert [q.text for q in await queued(bot)] == [question]
    (code,) = await say(bot, wecom, "wmW12i", "外盒上有防伪码吗")
    assert "防伪码" in code, code  # the box of the goods is still the authenticity entry's


SHIPPING = "48 小时内从杭州仓发出"


@pytest.mark.parametrize(("first", "then"), [("你们有卸妆油吗", "那多久能到呢"), ("你们有男士护肤品吗", "那多久能到")])
async def test_a_new_question_while_one_is_open_is_answered_on_its_own(bot, wecom, first: str, then: str) -> None:
    # sandbox: a question the base answers, sent while another was with staff, got "这个也一起转给同事啦"
    await say(bot, wecom, "wmW12j", first)
    (reply,) = await say(bot, wecom, "wmW12j", then)
    assert SHIPPING in reply, reply
    (question,) = await queued(bot)
    assert question.text == first and not (question.context or {}).get("more"), question.context


async def test_more_of_the_open_question_still_joins_it(bot, wecom) -> None:
    await say(bot, wecom, "wmW12k", "能开发票吗")
    (joined,) = await say(bot, wecom, "wmW12k", "大概多久能开好")
    assert "同事" in joined, joined
    (question,) = await queued(bot)
    assert (question.context or {})["more"] == ["大概多久能开好"]


async def test_the_kind_wanted_told_after_an_open_question_joins_it_never_tiredness(bot, wecom) -> None:
    # found writing dev21: "要温和一点不刺激的那种" after "你们有卸妆油吗" got "抱抱～累了就好好休息一下"
    await say(bot, wecom, "wmW12l", "你们有卸妆油吗")
    (joined,) = await say(bot, wecom, "wmW12l", "要温和一点不刺激的那种")
    assert "同事" in joined and "累" not in joined and "休息" not in joined, joined
    (question,) = await queued(bot)
    assert (question.context or {})["more"] == ["要温和一点不刺激的那种"]


@pytest.mark.parametrize("question", ["晚上用完面霜还要用别的吗", "擦完面霜还需要再涂什么吗", "洗完脸只抹面霜就够了吗",
                                      "面霜之后还需要涂别的不"])
async def test_what_comes_after_the_cream_is_for_staff_never_the_cream_again(bot, wecom, question: str) -> None:
    # sandbox: "晚上用完面霜还要用别的吗" was asked "你想问的是「干皮用什么面霜」对吧？" (the demo base has no routine)
    (reply,) = await say(bot, wecom, "wmW12m", question)
    assert "同事" in reply and CREAM not in reply and not any(w in reply for w in OFFER), reply
    assert [q.text for q in await queued(bot)] == [question]


async def test_how_often_the_cream_is_used_is_still_its_answer(bot, wecom) -> None:
    await say(bot, wecom, "wmW12n", "干皮用什么面霜好")
    (reply,) = await say(bot, wecom, "wmW12n", "那这个面霜早晚都要涂吗")
    assert "早晚各一次" in reply, reply


@pytest.mark.parametrize(("question", "trouble"), [("我是敏感肌 换季的时候用什么好", "换季敏感"),
                                                   ("敏感肌 一换季就泛红 用你们哪款好", "换季泛红")])
async def test_sensitive_skin_in_the_change_of_season_is_said_back_in_the_promise(bot, wecom, question: str,
                                                                                trouble: str) -> None:
    # sandbox: "我是敏感肌 换季…用什么" got the bare promise (the demo base has no entry for sensitive skin)
    (promise,) = await say(bot, wecom, "wmW12o", question)
    assert trouble in promise and "同事" in promise and CREAM not in promise, promise
    assert [q.text for q in await queued(bot)] == [question]
