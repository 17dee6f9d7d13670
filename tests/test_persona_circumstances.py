"""Customers who tell their circumstances with a pick — whom it is for (长辈, 婆婆, 男朋友, a child) and what state
they are in (pregnant, breastfeeding, skin just after a procedure) — and products the demo base does not sell, asked
how to buy (issue #13, branch conv25; cases in tests/dialogue_eval/dev23.toml). Asserted on what the customer gets
back (the persona's template key without its variant, and the text) and on what staff are left with."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from handlers.replies.shopping import recipient
from storage.models import UnansweredQuestion
from tests.harness import BotUnderTest
from tests.test_persona_understanding import TUESDAY_10AM, told

HONEST = ("reply.fallback", "reply.unknown")
CREAM = "柚润保湿霜"
CAUTION = "孕期和哺乳期大多可以用"  # the pregnancy entry's answer
SHOPS = "官方小程序、天猫、京东"  # the where-to-buy entry's answer
OFFER = ("对吧", "回复数字")  # the shipped reply.clarify


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


async def queued(bot: BotUnderTest) -> list[str]:
    async with bot.sessions() as s:
        return [q.text for q in (await s.scalars(select(UnansweredQuestion).order_by(UnansweredQuestion.id))).all()]


@pytest.mark.parametrize("said", ["防晒霜怎么买", "口红怎么下单", "哪里可以买到你们家的精华",
                                  "想买你们家的防晒 在哪下单"])
async def test_how_to_buy_a_product_the_base_names_nowhere_is_for_staff(wanzi, wecom, clock, said) -> None:
    # sandbox: "防晒霜怎么买" was asked "你想问的是「怎么买」对吧？", as if we sold sunscreen
    (reply,) = await told(wanzi, wecom, clock, "wmCi01", said)
    assert reply[0] in HONEST and SHOPS not in reply[1] and not any(w in reply[1] for w in OFFER), reply
    assert await queued(wanzi) == [said]


@pytest.mark.parametrize("said", ["你们东西怎么买呀", "请问你们家的产品在哪里可以买到"])
async def test_how_to_buy_asked_naming_nothing_gets_the_shops(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmCi02", said)
    assert reply[0] == "reply.faq" and SHOPS in reply[1], reply


@pytest.mark.parametrize(("said", "who"), [("男朋友用的话有推荐吗", "男朋友"), ("有适合老年人用的吗", "老年人"),
                                           ("想给长辈买个护肤品", "长辈"), ("想给爸妈买点护肤品", "爸妈")])
async def test_the_one_a_pick_is_for_is_asked_about_not_the_customer(wanzi, wecom, clock, said, who) -> None:
    # sandbox: "男朋友用的话有推荐吗" was asked "你是什么肤质" as if for the customer
    (asked,) = await told(wanzi, wecom, clock, "wmCi03", said)
    assert asked[0] == "reply.shopping_for" and f"{who}是" in asked[1] and "你是" not in asked[1], asked


async def test_an_elder_described_next_gets_the_cream_for_her_skin(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmCi04", "有适合老年人用的吗")
    (answer,) = await told(wanzi, wecom, clock, "wmCi04", "我妈 六十五了 皮肤很干")
    assert answer[0] == "reply.faq" and CREAM in answer[1], answer


async def test_the_one_named_before_a_pronoun_is_asked_about_with_the_product(wanzi, wecom, clock) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmCi05", "婆婆生日快到了 想送她个面霜")
    assert asked[0] == "reply.shopping_item" and "婆婆" in asked[1] and "面霜" in asked[1], asked


async def test_a_cream_for_mum_whose_age_was_told_asks_her_skin_then_gets_the_cream(wanzi, wecom, clock) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmCi06", "帮我妈选个面霜吧 她快六十了")
    assert asked[0] == "reply.shopping_item" and "妈妈" in asked[1] and "多大年纪" not in asked[1], asked  # told
    (answer,) = await told(wanzi, wecom, clock, "wmCi06", "她偏干")
    assert CREAM in answer[1], answer


def test_whom_a_wish_is_for_is_the_one_named_not_a_pronoun_nor_the_persona() -> None:
    assert recipient("老公皮肤特别油 给他买点啥好") == "老公"
    assert recipient("闺蜜下个月生日 想送她点护肤品") == "闺蜜"
    assert recipient("宝宝 我想给她买个面霜") == "她"  # 宝宝 here is the persona, spoken to
    assert recipient("我妈用的是哪款") == ""  # what she uses, no wish for her


@pytest.mark.parametrize("said", ["有没有适合小孩用的", "给宝宝挑个面霜"])
async def test_a_pick_for_a_child_no_entry_speaks_of_is_for_a_person(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmCi07", said)
    assert reply[0] in HONEST and "肤质" not in reply[1] and CREAM not in reply[1], reply
    assert await queued(wanzi) == [said]


async def test_a_grown_daughter_is_no_child(wanzi, wecom, clock) -> None:
    (asked,) = await told(wanzi, wecom, clock, "wmCi08", "想给女儿买个面霜 她二十多了")
    assert asked[0] == "reply.shopping_item" and "女儿" in asked[1], asked


@pytest.mark.parametrize(("said", "detail"), [("刚做完激光 可以用面霜吗", "做完激光"),
                                              ("术后能用保湿霜吗", "术后"),
                                              ("刚刷酸完 皮肤有点干 用你们的保湿霜可以吗", "刷酸"),
                                              ("孩子八岁能用你们的面霜吗", "孩子")])
async def test_the_cream_for_skin_after_a_procedure_or_a_child_is_said_in_part(wanzi, wecom, clock, said,
                                                                             detail) -> None:
    # found writing dev23: "刚做完医美 脸有点红 能用你们的面霜吗" got the dry-skin pitch as if nothing was said
    (partial, promised) = await told(wanzi, wecom, clock, "wmCi09", said)
    assert partial[0] == "reply.faq_partial" and CREAM in partial[1] and f"{detail}能不能用" in partial[1], partial
    assert promised[0] in HONEST and await queued(wanzi) == [said]


async def test_a_product_not_sold_after_a_procedure_is_for_staff_never_an_entry_offered(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmCi12", "刚打完水光针 能敷面膜吗")
    assert reply[0] in HONEST and not any(w in reply[1] for w in OFFER), reply  # not "「孕妇可以用吗」对吧？"


@pytest.mark.parametrize(("said", "product"), [("有适合孕妇用的面膜吗", "面膜"), ("哺乳期有能用的洗面奶吗", "洗面奶")])
async def test_a_product_the_base_does_not_name_for_a_pregnant_customer_gets_the_caution_first(
        wanzi, wecom, clock, said, product) -> None:
    # sandbox: "有适合孕妇用的面膜吗" never heard the pregnancy caution the knowledge base states
    (partial, promised) = await told(wanzi, wecom, clock, "wmCi10", said)
    assert partial[0] == "reply.faq_partial" and CAUTION in partial[1] and f"关于{product}" in partial[1], partial
    assert promised[0] in HONEST and await queued(wanzi) == [said]


async def test_whether_sunscreen_is_out_is_still_no_pregnancy_answer(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmCi11", "你们家防晒霜出了吗")
    assert reply[0] in HONEST and CAUTION not in reply[1], reply


@pytest.mark.parametrize("said", ["孩子上高中了 脸上长痘 有推荐的吗", "儿子十五岁 脸上老长痘 用什么好",
                                  "孩子上初中了 有推荐的吗"])
async def test_a_pick_for_a_child_told_by_school_or_age_is_for_a_person_not_the_customer(
        wanzi, wecom, clock, said) -> None:
    # sandbox (conv28): "孩子上高中了 脸上长痘 有推荐的吗" was asked the customer's own skin type, as if for them
    (reply,) = await told(wanzi, wecom, clock, "wmCi13", said)
    assert reply[0] in HONEST and "你是" not in reply[1] and "肤质" not in reply[1], reply
    assert "痘" in reply[1] or "痘" not in said, reply  # the trouble told is said back
    assert await queued(wanzi) == [said]


@pytest.mark.parametrize(("said", "child"), [("我家娃上小学了 皮肤干 有啥推荐", "娃"),
                                             ("女儿上初中了 皮肤很干 用什么面霜好", "女儿"),
                                             ("孩子上高中了 能用你们的面霜吗", "孩子")])
async def test_the_cream_for_a_child_with_dry_skin_is_said_in_part(wanzi, wecom, clock, said, child) -> None:
    (partial, promised) = await told(wanzi, wecom, clock, "wmCi14", said)
    assert partial[0] == "reply.faq_partial" and CREAM in partial[1] and f"{child}能不能用" in partial[1], partial
    assert promised[0] in HONEST and await queued(wanzi) == [said]


async def test_a_grown_daughter_with_dry_skin_gets_the_cream(wanzi, wecom, clock) -> None:
    (answer,) = await told(wanzi, wecom, clock, "wmCi15", "女儿二十五岁 皮肤很干 用什么面霜好")
    assert answer[0] == "reply.faq" and CREAM in answer[1], answer


@pytest.mark.parametrize(("said", "who"), [("公婆都七十多了 送点什么护肤品好", "公婆"),
                                           ("奶奶八十了 送什么护肤品好", "奶奶"), ("丈母娘六十岁 有啥推荐", "丈母娘")])
async def test_a_gift_for_elders_told_with_their_age_asks_about_them(wanzi, wecom, clock, said, who) -> None:
    # sandbox (conv28): "公婆都七十多了 送点什么护肤品好" was offered the dry-skin cream as if for the customer
    (asked,) = await told(wanzi, wecom, clock, "wmCi16", said)
    assert asked[0] == "reply.shopping_for" and f"{who}是" in asked[1] and CREAM not in asked[1], asked


async def test_whether_an_aged_grandfather_may_use_the_cream_is_said_in_part(wanzi, wecom, clock) -> None:
    (partial, promised) = await told(wanzi, wecom, clock, "wmCi17", "爷爷七十多了 能用你们的面霜吗")
    assert partial[0] == "reply.faq_partial" and "爷爷能不能用" in partial[1], partial
    assert promised[0] in HONEST
