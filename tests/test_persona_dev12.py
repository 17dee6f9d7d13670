"""Customers' words the blind split dev12 found misread, each given what a person at the shop would do.
Asserted on what the customer gets back (the persona's template key without its variant, and the text)
and on what staff are left with."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from storage.models import Ticket, UnansweredQuestion
from tests.test_persona_understanding import TUESDAY_10AM, told

SHELF_LIFE = "保质期 3 年"
CREAM = "柚润保湿霜"
PREGNANCY = "孕期和哺乳期"


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


@pytest.mark.parametrize(("said", "fits"), [
    ("好的谢谢姐姐 我去写作业了", ("chat.thanks", "chat.bye")),
    ("嘿嘿 那我去凑单了", ("chat.bye", "chat.ack", "chat.laugh")),
    ("好 那我直接去小程序下单了", ("chat.bye", "chat.ack")),
    ("行吧 那我再想想", ("chat.ack", "chat.bye")),
    ("行 我自己先用着", ("chat.ack",)),
    ("太好了 谢谢你呀 到时候给你发喜糖🍬", ("chat.thanks",)),
    ("谢谢 希望她能消气🙏", ("chat.thanks",)),
])
async def test_thanks_and_leaving_with_a_plan_told_are_answered_as_such(wanzi, wecom, clock, said, fits) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmF01", said)
    assert reply[0] in fits, reply  # not "收到～还有什么想跟小柚说的吗", nor "sorry you are upset" for 消气


async def test_declining_a_product_named_is_an_ok_not_a_wish_noted(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmF12", "哦哦 好的 那我先不买美白的了")
    assert reply[0] == "chat.ack" and "记住" not in reply[1], reply


@pytest.mark.parametrize("said", ["我又不是没在家 凭什么啊", "算了 跟你说也没用"])
async def test_indignation_and_giving_up_on_being_heard_are_anger(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmF07", said)
    assert reply[0] == "chat.angry" and "人工" in reply[1], reply  # a person on offer, not "答不上来"


async def test_what_the_persona_is_doing_gets_her_own_answer(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmF19", "小柚你在干嘛呀")
    assert reply[0] == "chat.robot", reply  # not "这个小柚暂时答不上来"


async def test_a_doubt_that_we_cheat_is_reassured_not_apologised_for(wanzi, wecom, clock) -> None:
    replies = await told(wanzi, wecom, clock, "wmF23", "真的假的 你们不会骗人吧")
    assert replies[-1][0] == "chat.doubt" and all(k != "chat.angry" for k, _ in replies), replies


async def test_feeling_ugly_about_a_first_spot_is_comforted(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmF01b", "姐姐好 我今年初三 脸上第一次长痘痘了 好丑😭")
    assert reply[0] == "chat.sad", reply


async def test_shop_words_typed_in_english_inside_chinese_are_understood(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmF08", "hi 请问你们的moisturizer适合dry skin吗")
    assert reply[0] == "reply.faq" and CREAM in reply[1], reply


async def test_one_more_question_after_thanks_still_leans_on_the_answer_before(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmF14", "开封了能放多久啊")
    await told(wanzi, wecom, clock, "wmF14", "好的 谢谢")
    (reply,) = await told(wanzi, wecom, clock, "wmF14", "哦对了 还有个事 生产日期在哪看")
    assert "瓶底" in reply[1], reply


@pytest.mark.parametrize("said", ["我是跑外卖的 天天在外面晒 脸都晒脱皮了", "我对香精有点敏感 所以问问"])
async def test_a_story_about_oneself_is_no_product_idea(wanzi, wecom, clock, said) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmF10", said)
    assert reply[0] != "reply.suggestion" and "产品同事" not in reply[1], reply


async def test_a_boyfriend_whose_face_got_softer_is_praise_of_the_product(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmF09", "xswl 我男朋友偷用我的 现在脸比我还嫩")
    assert reply[0] in ("chat.praise", "chat.laugh"), reply


async def test_where_on_the_body_or_for_a_baby_is_not_answered_by_an_entry_that_says_neither(
        wanzi, wecom, clock) -> None:
    (eyes,) = await told(wanzi, wecom, clock, "wmF16", "那保湿霜能涂眼周吗")
    assert CREAM not in eyes[1], eyes  # the cream's recommendation says nothing of the eyes
    await told(wanzi, wecom, clock, "wmF20", "孕妇能用你们家东西吗")
    (baby,) = await told(wanzi, wecom, clock, "wmF20", "那宝宝能用吗 一岁半")
    assert PREGNANCY not in baby[1], baby  # nor the pregnancy answer of babies


async def test_details_told_right_after_an_open_question_join_it_for_staff(wanzi, wecom, clock) -> None:
    (first,) = await told(wanzi, wecom, clock, "wmF05", "你们有礼品卡吗 想送同事")
    (more,) = await told(wanzi, wecom, clock, "wmF05", "就是那种卡 她自己拿去挑")
    assert more[0] in ("chat.ack_pending", "reply.unknown"), more  # not "还有什么想跟小柚说的吗"
    async with wanzi.sessions() as s:
        (question,) = (await s.scalars(select(UnansweredQuestion))).all()
    assert question.context["more"] == ["就是那种卡 她自己拿去挑"], question.context


async def test_damage_feared_in_transit_is_a_question_not_a_broken_parcel(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmF03", "下周要坐飞机出差 你们那个保湿霜多少毫升啊 能带上飞机吗")
    (reply,) = await told(wanzi, wecom, clock, "wmF03", "托运的话会不会压坏")
    assert reply[0] in ("reply.fallback", "reply.unknown"), reply  # no 猜你想问 of the shelf life either
    async with wanzi.sessions() as s:
        assert (await s.scalars(select(Ticket))).all() == []


@pytest.mark.parametrize("question", ["你们有祛痘的吗 我妈说不能乱用", "现在开始用 一个月能看到效果吗",
                                      "保湿霜和美白系列有啥区别啊"])
async def test_nothing_unrelated_is_offered_for_what_no_entry_speaks_of(wanzi, wecom, clock, question) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmF02", question)
    assert reply[0] in ("reply.fallback", "reply.unknown"), reply  # acne, effect, a difference: for a person


async def test_a_wish_for_better_skin_before_the_wedding_is_asked_what_a_pick_needs(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmF02b", "下个月20号我结婚！想在婚礼前把皮肤养好一点")
    assert reply[0] in ("reply.shopping", "reply.shopping_for"), reply


async def test_a_question_naming_nothing_after_an_open_one_asks_more_of_it(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmF11", "你好 公司报销要发票 能开吗")
    await told(wanzi, wecom, clock, "wmF11", "电子发票也行 抬头写公司的")
    (reply,) = await told(wanzi, wecom, clock, "wmF11", "大概多久能开好")
    assert SHELF_LIFE not in reply[1] and reply[0] in ("chat.ack_pending", "reply.unknown"), reply
    async with wanzi.sessions() as s:
        (question,) = (await s.scalars(select(UnansweredQuestion))).all()
    assert question.context["more"] == ["电子发票也行 抬头写公司的", "大概多久能开好"], question.context


async def test_a_laugh_or_an_ok_after_an_open_question_is_no_detail_of_it(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmF25", "你们有礼品卡吗 想送同事")
    (reply,) = await told(wanzi, wecom, clock, "wmF25", "哈哈哈好吧 我回头问问他")
    assert reply[0] not in ("reply.unknown", "reply.fallback", "chat.ack_pending"), reply
    async with wanzi.sessions() as s:
        (question,) = (await s.scalars(select(UnansweredQuestion))).all()
    assert "more" not in question.context, question.context


async def test_a_shipping_question_after_an_open_one_about_shipping_is_still_answered(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmF26", "我人在杭州 但是想寄到成都我妈那 可以吗")
    replies = await told(wanzi, wecom, clock, "wmF26", "成都几天能到")
    assert any("2-4 天" in text or "「下单后多久发货」" in text for _, text in replies), replies
