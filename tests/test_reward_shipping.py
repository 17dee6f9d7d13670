"""A redeemed reward that ships asks where to send it: receiver, phone and address asked in the same message as
the success, answered in the customer's own words (one message or several), read back and confirmed, kept on
the redemption for /redeem list and the sidebar, offered again next time, reminded once through the push gate,
exported and erased with the customer. A reward that does not ship asks nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.appkeys import SCHEDULER
from handlers.points.service import award
from handlers.points.shipping import parse_address
from handlers.privacy.erase import erase_customers
from handlers.privacy.export import export_customer
from handlers.privacy.retention import JOB_NAME
from handlers.sidebar.cards import customer_card
from storage.models import Customer, Message, OutboxItem, Redemption
from tests.community_kit import at, run_due_jobs, service, start_bot
from tests.console_kit import ConsoleClient
from tests.service_kit import say

POINTS = {"rewards": [{"key": "kit", "name": "柚子小样礼包", "cost": 100, "stock": 10},
                      {"key": "coupon", "name": "10元无门槛券", "cost": 100, "stock": 10, "ships": False}]}
STAFF = {"admins": ["zhang.wei"], "operators": ["li.na"], "names": ["li.na=李娜", "zhang.wei=张伟"]}
ADDRESS = "张三 13800138000 浙江省杭州市西湖区文三路1号"


@pytest.fixture
async def bot(db_url, wecom, clock):
    clock.set(at(3, 2, 10))
    bot = await start_bot(db_url, wecom, clock, points=POINTS, staff=STAFF)
    yield bot
    await bot.stop()


async def chat(bot: Any, wecom: Any, ext: str, text: str) -> str:
    bot.clock.advance(30)  # each message in its own moment: the kf window counts what was sent since the last one
    before = len(wecom.customer_inbox(ext))
    await wecom.customer_says(ext, text)
    await bot.drain()
    answers = wecom.customer_inbox(ext)[before:]
    assert len(answers) == 1, answers
    return str(answers[0])


async def redeemed(bot: Any, wecom: Any, ext: str, reward: str = "柚子小样礼包", points: int = 100) -> str:
    """The customer has the points and redeems the reward; the answer to "确认兑换"."""
    await wecom.customer_says(ext, "你好")
    await bot.drain()
    async with service(bot) as ctx:
        customer = await ctx.repos.customers.find(ext)
        assert isinstance(customer, Customer)
        await award(ctx, customer, points, reason="测试", source="staff:test")
    await chat(bot, wecom, ext, f"兑换 {reward}")
    return await chat(bot, wecom, ext, "确认兑换")


async def redemption(bot: Any) -> Redemption:
    async with bot.sessions() as s:
        row: Redemption | None = await s.scalar(
            select(Redemption).where(Redemption.status == "ordered").order_by(Redemption.id.desc()))
    assert row is not None
    return row


@pytest.mark.parametrize("text", [ADDRESS, "收货人：张三，电话：138 0013 8000，地址：浙江省杭州市西湖区文三路1号",
                                  "浙江省杭州市西湖区文三路1号 张三 13800138000",
                                  "张三13800138000浙江省杭州市西湖区文三路1号"])
def test_an_address_in_the_customers_own_words_is_read_whatever_the_order(text) -> None:
    told = parse_address(text)
    assert (told.name, told.phone, told.address) == ("张三", "13800138000", "浙江省杭州市西湖区文三路1号")


@pytest.mark.parametrize("text,told", [
    ("寄到我公司吧 北京市海淀区中关村大街1号 韩梅梅 18612345678",
     ("韩梅梅", "18612345678", "北京市海淀区中关村大街1号")),
    ("广东省深圳市南山区科技园南路15号，李雷收，13700001234",
     ("李雷", "13700001234", "广东省深圳市南山区科技园南路15号")),
    ("上海 静安区 南京西路1266号 Tom 13700001234", ("Tom", "13700001234", "上海静安区南京西路1266号")),
    ("杭州 西湖区 文三路1号 张三 13800138000", ("张三", "13800138000", "杭州西湖区文三路1号")),
    ("杭州 西湖区 文三路1号", ("", "", "杭州西湖区文三路1号")),  # the sandbox: 杭州 was taken for the receiver
    ("北京市朝阳区建国路1号院2号楼 301 赵六 010-12345678", ("赵六", "010-12345678", "北京市朝阳区建国路1号院2号楼301")),
])
def test_the_receiver_is_told_apart_from_the_words_around_the_address(text, told) -> None:
    """A city without 市 starts the address, "我公司" is nobody, "李雷收" is 李雷, a room number joins the address."""
    got = parse_address(text)
    assert (got.name, got.phone, got.address) == told


@pytest.mark.parametrize("text", ["好的", "谢谢你", "我在杭州市", "张三"])
def test_words_that_give_no_address_are_not_read_as_one(text) -> None:
    assert not parse_address(text)  # a bare name counts only right after the persona asked (see below)


async def test_the_address_is_asked_read_back_confirmed_and_staff_see_it(bot, wecom) -> None:
    answer = await redeemed(bot, wecom, "wmShip1")
    assert "兑换成功" in answer and "收货人" in answer and "地址" in answer, answer
    assert "等客户提供收货地址" in await say(bot, wecom, "li.na", "/redeem list")
    answer = await chat(bot, wecom, "wmShip1", ADDRESS)
    assert "张三" in answer and "13800138000" in answer and "浙江省杭州市西湖区文三路1号" in answer, answer
    assert (await redemption(bot)).address_status == "proposed"  # not yet: the customer's yes is awaited
    answer = await chat(bot, wecom, "wmShip1", "对的")
    assert "张三" in answer and "寄" in answer, answer
    r = await redemption(bot)
    assert (r.address_status, r.ship_name, r.ship_phone, r.ship_address) == (
        "confirmed", "张三", "13800138000", "浙江省杭州市西湖区文三路1号")
    assert any(f"/redeem done {r.id}" in t and ADDRESS in t for t in wecom.staff_inbox("li.na"))  # ship it now
    listing = await say(bot, wecom, "li.na", "/redeem list")
    assert f"收货：{ADDRESS}" in listing and "等客户" not in listing, listing
    done = await say(bot, wecom, "li.na", f"/redeem done {r.id}")
    assert "已通知客户" in done and "没有确认过收货地址" not in done


async def test_an_address_given_in_several_messages_says_what_is_still_missing(bot, wecom) -> None:
    await redeemed(bot, wecom, "wmShip2")
    answer = await chat(bot, wecom, "wmShip2", "张三")
    assert "张三" in answer and "电话和地址" in answer, answer
    answer = await chat(bot, wecom, "wmShip2", "13800138000")
    assert "还差地址" in answer, answer
    answer = await chat(bot, wecom, "wmShip2", "浙江省杭州市西湖区文三路1号")
    assert "收货人：张三" in answer and "电话：13800138000" in answer, answer


async def test_a_wrong_read_back_is_corrected_before_it_is_confirmed(bot, wecom) -> None:
    await redeemed(bot, wecom, "wmShip3")
    await chat(bot, wecom, "wmShip3", ADDRESS)
    answer = await chat(bot, wecom, "wmShip3", "电话换成13900001111吧")  # the rest stays (sandbox: "换成" was a name)
    assert "13900001111" in answer and "张三" in answer and "13800138000" not in answer, answer
    answer = await chat(bot, wecom, "wmShip3", "不对")
    assert "收货人、电话、地址" in answer, answer
    assert (await redemption(bot)).address_status == "asked"


async def test_the_next_redemption_offers_the_last_confirmed_address(bot, wecom) -> None:
    await redeemed(bot, wecom, "wmShip4", points=200)
    await chat(bot, wecom, "wmShip4", ADDRESS)
    await chat(bot, wecom, "wmShip4", "对")
    await chat(bot, wecom, "wmShip4", "兑换 柚子小样礼包")
    answer = await chat(bot, wecom, "wmShip4", "确认兑换")
    assert "上次的地址" in answer and "浙江省杭州市西湖区文三路1号" in answer, answer
    assert "寄" in await chat(bot, wecom, "wmShip4", "是的")
    assert (await redemption(bot)).address_status == "confirmed"


async def test_a_reward_that_does_not_ship_asks_no_address(bot, wecom) -> None:
    answer = await redeemed(bot, wecom, "wmShip5", reward="10元无门槛券")
    assert "兑换成功" in answer and "地址" not in answer, answer
    r = await redemption(bot)
    assert r.address_status == ""
    assert any(f"/redeem done {r.id}" in t for t in wecom.staff_inbox("li.na"))
    assert "等客户" not in await say(bot, wecom, "li.na", "/redeem list")


async def test_a_question_while_the_address_waits_is_answered_as_usual(bot, wecom) -> None:
    await redeemed(bot, wecom, "wmShip6")
    assert "记下了" not in await chat(bot, wecom, "wmShip6", "多久发货")  # no receiver, though 4 characters
    assert (await redemption(bot)).ship_name == ""
    answer = await chat(bot, wecom, "wmShip6", "我的积分")
    assert "0" in answer and "收货人：" not in answer, answer
    assert (await redemption(bot)).address_status == "asked"


async def test_the_sidebar_shows_the_redemption_and_where_it_goes(bot, wecom) -> None:
    await redeemed(bot, wecom, "wmShip7")
    async with service(bot) as ctx:
        customer = await ctx.repos.customers.find("wmShip7")
        assert customer is not None
        assert "等客户提供收货地址" in (await customer_card(ctx, customer)).redemptions
    await chat(bot, wecom, "wmShip7", ADDRESS)
    await chat(bot, wecom, "wmShip7", "没问题")
    async with service(bot) as ctx:
        customer = await ctx.repos.customers.find("wmShip7")
        assert customer is not None
        assert f"收货：{ADDRESS}" in (await customer_card(ctx, customer)).redemptions


async def test_the_console_customer_page_shows_where_the_reward_goes(bot, wecom) -> None:
    await redeemed(bot, wecom, "wmShip12")
    await chat(bot, wecom, "wmShip12", ADDRESS)
    await chat(bot, wecom, "wmShip12", "对")
    async with bot.sessions() as s:
        customer_id = await s.scalar(select(Customer.id).where(Customer.external_userid == "wmShip12"))
    operator = await ConsoleClient.login(bot.url, user="li.na")
    try:
        page = (await operator.get(f"/console/customers/{customer_id}"))[1]
    finally:
        await operator.close()
    assert "<dt>兑换</dt>" in page and f"收货：{ADDRESS}" in page


async def test_a_customer_who_never_answers_is_reminded_once_and_staff_see_it(bot, wecom, clock) -> None:
    await redeemed(bot, wecom, "wmShip8")
    await bot.app[SCHEDULER].start()
    clock.set(at(3, 3, 9, 26))  # 23 hours later: not yet
    await run_due_jobs(bot)
    assert not any("还在等收货地址" in t for t in wecom.customer_inbox("wmShip8"))
    clock.set(at(3, 3, 23, 26))  # a day on, inside quiet hours: held until they end
    await run_due_jobs(bot)
    assert not any("还在等收货地址" in t for t in wecom.customer_inbox("wmShip8"))
    clock.set(at(3, 4, 8, 1))
    await run_due_jobs(bot)
    assert sum("还在等收货地址" in t for t in wecom.customer_inbox("wmShip8")) == 1
    clock.set(at(3, 4, 9, 26))
    await run_due_jobs(bot)
    assert sum("还在等收货地址" in t for t in wecom.customer_inbox("wmShip8")) == 1  # once
    assert "03-03 23:26 已提醒一次，仍未回复" in await say(bot, wecom, "li.na", "/redeem list")


async def test_an_offered_address_never_confirmed_is_read_back_as_the_reminder(bot, wecom, clock) -> None:
    await redeemed(bot, wecom, "wmShip13", points=200)
    await chat(bot, wecom, "wmShip13", ADDRESS)
    await chat(bot, wecom, "wmShip13", "对")
    await chat(bot, wecom, "wmShip13", "兑换 柚子小样礼包")
    assert "上次的地址" in await chat(bot, wecom, "wmShip13", "确认兑换")  # and then silence
    await bot.app[SCHEDULER].start()
    clock.set(at(3, 3, 12, 26))
    await run_due_jobs(bot)
    reminder = wecom.customer_inbox("wmShip13")[-1]
    assert "浙江省杭州市西湖区文三路1号" in reminder and "13800138000" in reminder, reminder
    assert "寄" in await chat(bot, wecom, "wmShip13", "对的")
    assert (await redemption(bot)).address_status == "confirmed"


async def test_a_reminder_the_gate_refuses_is_not_sent_and_staff_are_told_why(bot, wecom, clock) -> None:
    await redeemed(bot, wecom, "wmShip9")
    await chat(bot, wecom, "wmShip9", "退订")
    await bot.app[SCHEDULER].start()
    clock.set(at(3, 3, 10, 26))
    await run_due_jobs(bot)
    assert not any("还在等收货地址" in t for t in wecom.customer_inbox("wmShip9"))
    listing = await say(bot, wecom, "li.na", "/redeem list")
    assert "提醒未发出（客户已退订推送）" in listing, listing


async def test_the_address_is_exported_and_erased_with_the_customer(bot, wecom) -> None:
    await redeemed(bot, wecom, "wmShip10")
    await chat(bot, wecom, "wmShip10", ADDRESS)
    await chat(bot, wecom, "wmShip10", "对")
    async with service(bot) as ctx:
        customer = await ctx.repos.customers.find("wmShip10")
        assert customer is not None
        data = await export_customer(ctx.session, customer, now=ctx.clock.now())
        (row,) = data["redemptions"]
        assert (row["ship_name"], row["ship_phone"], row["ship_address"]) == (
            "张三", "13800138000", "浙江省杭州市西湖区文三路1号")
        await erase_customers(ctx.session, [customer], now=ctx.clock.now())
    assert await bot.count(Redemption) == 0
    async with bot.sessions() as s:  # the notices to whoever ships it no longer hold it
        payloads = [str(p) for p in await s.scalars(select(OutboxItem.payload))]
    assert not any("文三路" in p or "13800138000" in p for p in payloads)


async def test_two_rewards_redeemed_before_the_answer_go_to_the_one_address(bot, wecom) -> None:
    await redeemed(bot, wecom, "wmShip11", points=200)
    await chat(bot, wecom, "wmShip11", "兑换 柚子小样礼包")
    await chat(bot, wecom, "wmShip11", "确认兑换")  # asked again: nothing confirmed yet
    await chat(bot, wecom, "wmShip11", ADDRESS)
    await chat(bot, wecom, "wmShip11", "对")
    async with bot.sessions() as s:
        rows = (await s.scalars(select(Redemption).order_by(Redemption.id))).all()
    assert [(r.address_status, r.ship_address) for r in rows] == [("confirmed", "浙江省杭州市西湖区文三路1号")] * 2
    listing = await say(bot, wecom, "li.na", "/redeem list")
    assert listing.count(f"收货：{ADDRESS}") == 2 and "等客户" not in listing, listing


async def test_an_address_is_cleared_address_days_after_the_reward_shipped(bot, wecom, clock) -> None:
    """[retention] address_days (90): a shipped reward's receiver, phone and address go from the redemption and from
    every text quoting them (the customer's message, the read-back, the notice to whoever ships it); the same
    address on a later redemption still waiting to ship stays, there and in its notices."""
    await redeemed(bot, wecom, "wmShip12")
    await chat(bot, wecom, "wmShip12", "王五 13700002222 浙江省杭州市拱墅区湖墅路9号")
    await chat(bot, wecom, "wmShip12", "对")
    shipped = await redemption(bot)
    await say(bot, wecom, "li.na", f"/redeem done {shipped.id}")
    await redeemed(bot, wecom, "wmShip13")
    await chat(bot, wecom, "wmShip13", "李四 13900001111 江苏省南京市鼓楼区中山路2号")
    await chat(bot, wecom, "wmShip13", "对")  # ordered, not yet shipped: still needed

    async def texts() -> str:
        async with bot.sessions() as s:
            sent = [str(p) for p in await s.scalars(select(OutboxItem.payload))]
            said = [str(t) for t in await s.scalars(select(Message.text))]
        return "\n".join(sent + said)

    clock.advance(89 * 86400)
    assert await bot.app[SCHEDULER].fire(JOB_NAME, clock.now())
    assert "湖墅路9号" in await texts()  # not yet: 89 days
    clock.advance(2 * 86400)
    assert await bot.app[SCHEDULER].fire(JOB_NAME, clock.now())
    async with bot.sessions() as s:
        old = await s.get(Redemption, shipped.id)
        assert old is not None
        assert (old.status, old.ship_name, old.ship_phone, old.ship_address) == ("shipped", "", "", "")
        waiting = await s.scalar(select(Redemption).where(Redemption.status == "ordered"))
        assert waiting is not None and waiting.ship_address == "江苏省南京市鼓楼区中山路2号"
    everything = await texts()
    assert "湖墅路9号" not in everything and "13700002222" not in everything
    assert "中山路2号" in everything and "13900001111" in everything  # the reward still to ship keeps its notices
    async with service(bot) as ctx:  # the customer's export says why it is gone
        customer = await ctx.repos.customers.find("wmShip12")
        assert customer is not None
        (row,) = (await export_customer(ctx.session, customer, now=ctx.clock.now()))["redemptions"]
        assert (row["address_status"], row["ship_address"]) == ("cleared", "")
