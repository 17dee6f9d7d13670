"""Customers' words the blind split dev11 found misread, each given what a person at the shop would do.
Asserted on what the customer gets back (the persona's template key without its variant, and the text)
and on what staff are left with."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from handlers.replies.smalltalk import Intent, classify
from storage.models import MemberFacts
from tests.test_persona_understanding import TUESDAY_10AM, told

SHELF_LIFE = "保质期 3 年"
SHIPPING = "48 小时内从杭州仓发出"


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


async def test_whether_points_lapse_is_not_answered_with_the_shelf_life(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmE09a", "我积分会不会过期啊 攒了好久了")
    assert SHELF_LIFE not in reply[1], reply  # points are no cream
    assert "每消费 1 元积 1 分" not in reply[1], reply  # the membership entry does not say when points lapse


async def test_a_birthday_told_with_remember_it_is_kept_and_no_greeting_is_promised_when_none_is_set(
        wanzi, wecom, clock) -> None:
    (saved,) = await told(wanzi, wecom, clock, "wmE09b", "我生日是6月18号 帮我记一下")
    assert saved[0] == "points.birthday_saved" and "6月18日" in saved[1], saved
    assert "祝福" not in saved[1], saved  # the default config sends no birthday greeting
    async with wanzi.sessions() as s:
        assert (await s.scalar(select(MemberFacts.birthday))) == "06-18"


async def test_asking_to_confirm_with_mei_shi_ba_after_the_shelf_life_answer_is_answered(wanzi, wecom, clock) -> None:
    (first,) = await told(wanzi, wecom, clock, "wmE14", "双十一囤了五瓶还没开风 放到现在还能用不")
    assert SHELF_LIFE in first[1], first
    (again,) = await told(wanzi, wecom, clock, "wmE14", "没开过的放三年也没事吧")
    assert SHELF_LIFE in again[1], again  # a question to confirm, not a chat line


async def test_what_the_scratch_code_is_for_is_the_authenticity_answer_not_a_product_idea(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmE15", "外盒上那个刮开的码是干嘛用的")
    assert reply[0] != "reply.suggestion", reply  # a question: the authenticity entry, answered or offered
    assert "防伪码" in reply[1] or "「是正品吗」" in reply[1], reply


async def test_asking_about_the_weather_in_hangzhou_is_no_product_idea(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmE20a", "小柚 你们杭州下雪没")
    assert reply[0] != "reply.suggestion" and "产品同事" not in reply[1], reply


@pytest.mark.parametrize("question", ["我们村顺丰不送 能给换成邮政吗", "能货到付款不"])
async def test_a_courier_or_payment_the_base_does_not_name_is_not_answered_with_the_shipping_policy(
        wanzi, wecom, clock, question) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmE18a", question)
    assert SHIPPING not in reply[1] and "下单后多久发货" not in reply[1], reply  # 默认顺丰 answers neither


@pytest.mark.parametrize("question", ["那大概几天能到 我在甘肃", "发顺丰还是中通啊"])
async def test_days_to_arrive_with_the_province_told_or_a_choice_of_couriers_get_the_shipping_answer(
        wanzi, wecom, clock, question) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmE18b", question)
    assert reply[0] == "reply.faq" and SHIPPING in reply[1], reply  # 默认顺丰 answers which of the two


async def test_whether_a_parcel_reaches_a_campus_is_a_question_not_anger(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmE01", "寄到学校能收到不 她们学校快递都放驿站")
    assert reply[0] != "chat.angry" and "抱歉" not in reply[1], reply


async def test_worry_about_a_lost_gift_parcel_gets_an_apology_and_a_person_not_a_question(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmE06", "我的快递显示签收了 可我压根没收到啊")
    await told(wanzi, wecom, clock, "wmE06", "单号SF1402837465")
    (sorry,) = await told(wanzi, wecom, clock, "wmE06", "急死了 那是给我妈的生日礼物")
    assert sorry[0] == "chat.angry" and "人工" in sorry[1], sorry  # the gift's recipient is not whom she is upset with
    assert not any(w in sorry[1] for w in ("？", "?", "说说")), sorry  # the matter was told: not asked again
    assert classify("气死了 我妈又骂我") is Intent.SAD  # upset with her mother: comforted


@pytest.mark.parametrize("question", ["你一天要回多少人消息啊 不累吗", "你老板给你发工资不😂", "那你平时喜欢吃啥"])
async def test_questions_about_the_persona_herself_are_chit_chat_never_a_colleague(
        wanzi, wecom, clock, question) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmE20b", question)
    assert reply[0] == "chat.robot", reply  # who she is, honestly; nobody is asked about her pay
    assert classify("你们老板在吗") is None and classify("你自己最喜欢哪款") is not Intent.ROBOT  # us, a pick


async def test_what_about_the_cream_after_the_pregnancy_answer_asks_whether_she_may_use_it(wanzi, wecom, clock) -> None:
    (first,) = await told(wanzi, wecom, clock, "wmE02", "我们科室有个同事怀孕了 她问你们家美白的能不能用")
    assert "孕期" in first[1], first
    (cream,) = await told(wanzi, wecom, clock, "wmE02", "那保湿霜呢")
    assert "孕期" in cream[1] and "神经酰胺" not in cream[1], cream  # whether she may, not the cream's pitch


async def test_a_product_for_men_and_women_is_not_offered_the_pregnancy_entry(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmE19", "那有没有男女都能用的")
    assert "孕妇" not in reply[1], reply  # men are no pregnant customers: not a plausible reading
    (pregnant,) = await told(wanzi, wecom, clock, "wmE19b", "孕妇可以用吗")
    assert "孕期" in pregnant[1], pregnant


async def test_a_small_budget_told_is_a_price_concern_not_a_question_for_a_colleague(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmE24", "家人们谁懂啊 学生党预算就一百出头")
    assert reply[0].startswith("reply.price") and "满 199 减 30" in reply[1], reply  # the coupon, the concern heard


async def test_how_long_a_jar_lasts_in_use_is_not_answered_with_the_shelf_life(wanzi, wecom, clock) -> None:
    (cream,) = await told(wanzi, wecom, clock, "wmE01b", "她在北方念书 说脸干的起皮子 你们那个油润保湿霜适不适合她啊")
    assert "柚润保湿霜" in cream[1], cream
    (lasting,) = await told(wanzi, wecom, clock, "wmE01b", "一瓶能用多久啊 她用东西费")
    assert SHELF_LIFE not in lasting[1] and "12 个月内用完" not in lasting[1], lasting  # how long it keeps: no answer
    assert lasting[0] in ("reply.fallback", "reply.unknown"), lasting  # the base does not say: honestly so
    (keeps,) = await told(wanzi, wecom, clock, "wmE01c", "面霜开封后能用多久")
    assert SHELF_LIFE in keeps[1] or "12 个月内用完" in keeps[1], keeps  # how long an opened jar keeps: the shelf life


async def test_a_past_reaction_to_another_brand_is_no_safety_case_a_reaction_to_ours_is(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmE21a", "我五十多了 皮肤又薄又敏感 你们家东西我能用吗")
    history = await told(wanzi, wecom, clock, "wmE21a", "之前用别家的擦了就刺挠")
    assert len(history) == 1 and not history[0][0].startswith("escalation."), history  # told, not harmed by us
    assert "停用" not in history[0][1] and "医生" not in history[0][1], history
    (waiting,) = await told(wanzi, wecom, clock, "wmE21a", "中 那等你们回信儿")
    assert waiting[0] in ("chat.ack", "chat.ack_pending"), waiting  # an ok, in her own words
    ours = await told(wanzi, wecom, clock, "wmE21b", "用了你们的面霜脸上起疹子了")
    assert ours[0][0] == "escalation.safety" and "停用" in ours[0][1], ours  # stop using it, first
    assert len(ours) == 2 and ours[1][0].startswith("escalation."), ours  # and a person takes it
