"""Searching customers is literal: "%" and "_" find names that contain them, not everyone."""

from __future__ import annotations

import pytest

from tests import escalation_kit as kit
from tests.console_kit import ConsoleClient
from tests.harness import BotUnderTest, make_config

CUSTOMERS = {"wmPct0001": "满100%返现", "wmUnd0001": "小_柚", "wmPln0001": "张三", "wmPln0002": "李四"}


@pytest.fixture
def clock():
    from bot.clock import FakeClock

    return FakeClock(kit.MONDAY_10AM)


async def seed(bot: BotUnderTest) -> None:
    for ext, name in CUSTOMERS.items():
        await kit.customer(bot, ext, name=name)


async def test_whois_percent_finds_only_the_customer_with_a_percent_sign(db_url, wecom, clock) -> None:
    bot = await kit.start(db_url, wecom, clock)
    try:
        await seed(bot)
        for query, ext in (("%", "wmPct0001"), ("_", "wmUnd0001")):
            await wecom.staff_sends("zhang.wei", f"/whois {query}")
            await bot.drain()
            answer = wecom.staff_inbox("zhang.wei")[-1]
            assert ext in answer and "VIP" in answer, answer  # the customer's card, not a list to choose from
            assert "张三" not in answer and "李四" not in answer
    finally:
        await bot.stop()


async def test_console_search_for_percent_lists_only_the_customer_with_a_percent_sign(db_url, wecom, clock) -> None:
    bot = await BotUnderTest.start(make_config(db_url, wecom.base_url, staff=kit.STAFF), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    client = await ConsoleClient.login(bot.url, user="zhang.wei")  # an admin sees every customer
    try:
        await seed(bot)
        for query, ext in (("%", "wmPct0001"), ("_", "wmUnd0001")):
            status, page = await client.get("/console/customers", q=query)
            assert status == 200 and ext in page
            assert not [other for other in CUSTOMERS if other != ext and other in page], query
    finally:
        await client.close()
        await bot.stop()
