"""Customers' words the blind split dev10 found misread (issue 13), each given what a person at the
shop would do: an opt-out said in a complaint stops pushes and "开回来" turns them back on, a late
parcel gets an apology and a person, a question put as a statement is still asked, and an ok or a
goodbye in the customer's own words is one. Asserted on what the customer gets back (the persona's
template key without its variant, and the text) and on what staff are left with."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from storage.models import Suggestion, Ticket, UnansweredQuestion
from storage.repos import CustomerRepo
from tests.test_persona_understanding import TUESDAY_10AM, told

SHIPPING = "48 小时内从杭州仓发出"


@pytest.fixture
def clock() -> FakeClock:
    """A Tuesday morning: working hours (conftest's `wanzi` runs on it)."""
    return FakeClock(TUESDAY_10AM)


async def test_asking_to_stop_the_ads_in_a_complaint_opts_out_and_member_day_brings_them_back(
        wanzi, wecom, clock) -> None:
    (out,) = await told(wanzi, wecom, clock, "wmT18", "能不能别老给我发广告了 烦死了")
    assert out[0] == "reply.opt_out" and "订阅" in out[1], out  # confirmed, not only an apology
    async with wanzi.sessions() as s:
        customer = await CustomerRepo(s).find("wmT18")
        assert customer is not None and customer.opted_out
    (back,) = await told(wanzi, wecom, clock, "wmT18", "诶 群里说下周有会员日 还是给我开回来吧")
    assert back[0] == "reply.opt_in", back  # not the membership answer
    async with wanzi.sessions() as s:
        customer = await CustomerRepo(s).find("wmT18")
        assert customer is not None and not customer.opted_out


@pytest.mark.parametrize("words", ["还是给我恢复推送吧", "重新订阅"])
async def test_turning_pushes_back_on_in_other_words(wanzi, wecom, clock, words) -> None:
    await told(wanzi, wecom, clock, "wmT18b", "以后不要发广告")
    (back,) = await told(wanzi, wecom, clock, "wmT18b", words)
    assert back[0] == "reply.opt_in", back
    async with wanzi.sessions() as s:
        customer = await CustomerRepo(s).find("wmT18b")
        assert customer is not None and not customer.opted_out


async def test_a_late_parcel_complaint_gets_an_apology_and_a_person_not_the_shipping_policy(
        wanzi, wecom, clock) -> None:
    (sorry, person) = await told(wanzi, wecom, clock, "wmT13", "你们这个快递也太慢了吧 五天了还没到")
    assert sorry[0] == "order.late" and "抱歉" in sorry[1], sorry
    assert person[0].startswith("escalation."), person
    assert SHIPPING not in sorry[1] + person[1]
    async with wanzi.sessions() as s:
        (ticket,) = (await s.scalars(select(Ticket))).all()
    assert ticket.reason == "order:包裹迟迟未到" and "五天了还没到" in ticket.question


async def test_a_grumble_about_an_earlier_delay_gets_a_person_offered_not_a_chat_line(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmT13b", "每次都这样 上次也是拖了一个礼拜")
    assert reply[0] == "chat.angry" and "人工" in reply[1], reply  # sorry, and a person on offer


async def test_asking_to_confirm_with_ba_is_a_question_not_a_statement(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmT11", "地址下单的时候直接填成都的就行吧")
    assert reply[0] != "chat.other" and "在听" not in reply[1], reply
    async with wanzi.sessions() as s:
        (question,) = (await s.scalars(select(UnansweredQuestion))).all()  # staff get to answer it
    assert question.text == "地址下单的时候直接填成都的就行吧"


async def test_a_typo_in_the_production_date_still_gets_where_it_is_printed(wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmT19", "我想问问你们那个保质期是多久开了以后")
    (reply,) = await told(wanzi, wecom, clock, "wmT19", "瓶底没找到生产日七啊")
    assert "生产日期" in reply[1] and "瓶底" in reply[1], reply


async def test_found_it_is_an_ok_and_no_product_idea_and_a_beijing_goodbye_is_a_goodbye(wanzi, wecom, clock) -> None:
    (ok,) = await told(wanzi, wecom, clock, "wmT19b", "哦哦找到了 在底下那个小字 好嘞")
    assert ok[0] == "chat.ack", ok
    async with wanzi.sessions() as s:
        assert (await s.scalars(select(Suggestion))).all() == []  # staff's /suggestions stays clean
    (bye,) = await told(wanzi, wecom, clock, "wmT19b", "拜拜了您嘞")
    assert bye[0] == "chat.bye", bye


async def test_points_asked_in_pinyin_get_the_points_answer(wanzi, wecom, clock) -> None:
    (reply,) = await told(wanzi, wecom, clock, "wmT20", "jifen neng huan sha")
    assert reply[0] != "chat.other" and "积分" in reply[1] and "兑换" in reply[1], reply


@pytest.mark.parametrize("n, meant", list(enumerate(["我说的是那种优惠推送", "就是那些活动消息", "对 广告那些"])))
async def test_saying_which_pushes_were_meant_after_opting_out_confirms_it_and_sends_no_offer(
        wanzi, wecom, clock, n, meant) -> None:
    ext = f"wmOpt{n:02d}"
    out = (await told(wanzi, wecom, clock, ext, "以后别给我发广告了"))[-1]
    assert out[0] == "reply.opt_out", out
    (reply,) = await told(wanzi, wecom, clock, ext, meant)
    assert reply[0] == "reply.opted_out_already" and "满 199 减 30" not in reply[1], reply  # no coupon pushed at them


async def test_an_opted_out_customer_who_saw_an_ad_and_wants_to_buy_is_not_told_about_pushes(
        wanzi, wecom, clock) -> None:
    await told(wanzi, wecom, clock, "wmOpt10", "退订")
    replies = await told(wanzi, wecom, clock, "wmOpt10", "在抖音看到你们的广告 想买个面霜")
    assert replies and all(key != "reply.opted_out_already" for key, _ in replies), replies


@pytest.mark.parametrize("n, asked", list(enumerate(["我还能收到活动消息吗", "以后还会收到推送吗", "我退订成功了吗"])))
async def test_asking_whether_the_pushes_still_come_gets_the_customers_own_state(wanzi, wecom, clock, n, asked) -> None:
    ext = f"wmOpt2{n}"
    await told(wanzi, wecom, clock, ext, "以后别给我推送广告了 烦")
    (reply,) = await told(wanzi, wecom, clock, ext, asked)
    assert reply[0] == "reply.opted_out_already" and "满 199 减 30" not in reply[1], reply  # off, and no coupon
    await told(wanzi, wecom, clock, ext, "还是给我恢复推送吧")
    (reply,) = await told(wanzi, wecom, clock, ext, asked)
    assert reply[0] == "reply.already_subscribed" and "退订" in reply[1], reply  # on, and how to stop them


@pytest.mark.parametrize("n, asked", list(enumerate(["那我有问题还能来问吗", "退订了还能找你吗", "以后还能咨询吗"])))
async def test_asking_whether_they_may_still_ask_after_an_opt_out_is_told_yes(wanzi, wecom, clock, n, asked) -> None:
    """The sandbox of 2026-12-05: "那我有问题还能来问吗" right after "以后别给我推广告了" got a promise to ask a
    colleague."""
    ext = f"wmOpt3{n}"
    await told(wanzi, wecom, clock, ext, "以后别给我推广告了")
    (reply,) = await told(wanzi, wecom, clock, ext, asked)
    assert reply[0] == "reply.still_here" and "当然可以" in reply[1], reply
    async with wanzi.sessions() as s:
        customer = await CustomerRepo(s).find(ext)
        assert customer is not None and customer.opted_out  # still off: asking is no opt-in
        assert not (await s.scalars(select(UnansweredQuestion))).all()  # nobody was asked
