"""Customers have names: Wanzi reads them from WeCom after the welcome has left (externalcontact/get
for friends, kf/customer/batchget for WeChat Customer Service visitors), so staff find 林晓 by name."""

from __future__ import annotations

from emulator.contacts import Follow
from tests import escalation_kit as kit
from tests.service_kit import say


async def whois(wanzi, wecom, query: str) -> str:
    return await say(wanzi, wecom, "zhang.wei", f"/whois {query}")


async def after_the_welcome_window(bot, clock) -> None:
    """Names are read once the 20-second welcome window has passed."""
    await bot.drain()
    clock.advance(21)
    await bot.drain()


async def start(db_url, wecom, clock):
    return await kit.start(db_url, wecom, clock)


async def test_a_new_friend_gets_their_wechat_name_and_the_members_remark(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    try:
        wecom.corp.contacts.add_follow(Follow("li.na", "wmName0001", int(clock.time()), remark="杭州 林老师"))
        await wecom.add_friend("li.na", "wmName0001", name="林晓")
        await bot.drain()
        (welcome,) = wecom.calls("externalcontact/send_welcome_msg")
        assert welcome.errcode == 0
        await after_the_welcome_window(bot, clock)
        (lookup,) = wecom.calls("externalcontact/get")
        assert lookup.query["external_userid"] == "wmName0001"
        customer = await kit.find_customer(bot, "wmName0001")
        assert (customer.name, customer.remark) == ("林晓", "杭州 林老师")
        reply = await whois(bot, wecom, "林晓")
        assert "林晓" in reply and "wmName0001" in reply and "无昵称" not in reply
    finally:
        await bot.stop()


async def test_the_welcome_does_not_wait_for_the_name(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    try:
        wecom.faults.inject("externalcontact/get", errcode=60020, times=None)  # the lookup is refused
        await wecom.add_friend("li.na", "wmName0002", name="周宁")
        await bot.drain()
        (welcome,) = wecom.calls("externalcontact/send_welcome_msg")
        assert welcome.errcode == 0 and wecom.calls("externalcontact/get") == []  # sent before the name is read
        await after_the_welcome_window(bot, clock)
        assert [c.errcode for c in wecom.calls("externalcontact/get")] == [60020]
        assert (await kit.find_customer(bot, "wmName0002")).name == ""
    finally:
        await bot.stop()


async def test_a_kf_visitor_gets_their_nickname_once(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    try:
        await wecom.customer_enters_kf("wmName0003", name="陈一诺", scene="")
        await wecom.customer_says("wmName0003", "你好")
        await bot.drain()
        await wecom.customer_says("wmName0003", "在吗")
        await after_the_welcome_window(bot, clock)
        (lookup,) = wecom.calls("kf/customer/batchget")
        assert lookup.body["external_userid_list"] == ["wmName0003"]
        assert (await kit.find_customer(bot, "wmName0003")).name == "陈一诺"
        assert "陈一诺" in await whois(bot, wecom, "陈一诺")
    finally:
        await bot.stop()


async def test_a_kf_customer_who_just_writes_is_looked_up_too(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    try:
        wecom._customer("wmName0004", "许安然")  # a WeChat user the emulator knows by name
        await wecom.customer_says("wmName0004", "你好")
        await after_the_welcome_window(bot, clock)
        assert (await kit.find_customer(bot, "wmName0004")).name == "许安然"
    finally:
        await bot.stop()
