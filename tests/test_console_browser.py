"""The console in a real browser (headless Chromium): log in, read the digest and its charts,
search customers, retry from the outbox, claim and resolve a ticket, chat in the sandbox."""

from __future__ import annotations

import re

import pytest

from storage.repos import CustomerRepo
from tests import escalation_kit as kit
from tests.browser import open_browser, shot
from tests.digest_scenario import D, play
from tests.harness import BotUnderTest, make_config
from tests.processes import sandbox
from tests.waiting import wait_until


@pytest.fixture
async def page(tmp_path):
    async for p in open_browser(tmp_path / "chromium-profile"):
        yield p


MANAGERS = {"admins": ["zhang.wei"], "operators": ["li.na"]}


async def start(sqlite_url: str, wecom, clock, **kwargs) -> BotUnderTest:
    bot = await BotUnderTest.start(make_config(sqlite_url, wecom.base_url, staff=MANAGERS), clock, **kwargs)
    wecom.connect(f"{bot.url}/wecom/callback")
    return bot


async def log_in(page, base: str, target: str, user: str = "li.na") -> None:
    """Sign in the real way: 企业微信扫码登录 → the emulated WeCom page → pick the member → back."""
    await page.goto(f"{base}{target}")
    assert "/console/login" in page.url
    await page.click("text=企业微信扫码登录")
    await page.click(f"button[value='member:{user}']")
    await page.wait_for_url(re.compile(re.escape(target)))


async def test_a_manager_logs_in_and_reads_the_digest_with_its_charts(page, sqlite_url, wecom, clock) -> None:
    bot = await start(sqlite_url, wecom, clock)
    try:
        await play(bot, wecom, clock)
        await log_in(page, bot.url, f"/console/digest?date={D}")
        card = page.locator('.card[data-metric="growth.new_friends"] .value')
        assert await card.inner_text() == "3"
        assert await page.locator('.card[data-metric="service.answer_rate"] .value').inner_text() == "50%"
        growth = page.locator("figure.chart-box", has_text="增长")
        assert await growth.locator("svg.chart").is_visible()
        assert await growth.locator("polyline.series").count() == 3
        box = await growth.locator("svg.chart").bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        await page.locator("figure.chart-box", has_text="SLA").locator("svg.chart").wait_for(state="visible")
        assert await page.locator("figure.chart-box.pending").count() == 0
        row = page.locator('tr[data-metric="service.escalations_opened"]')
        assert "1" in await row.inner_text() and "尚未统计" not in await row.inner_text()
        await shot(page, "digest")
        await page.click("text=← 前一天")
        await page.wait_for_url(re.compile("date=2024-03-19"))
        assert await card.inner_text() == "2"
    finally:
        await bot.stop()


async def test_staff_search_customers_and_retry_a_failed_message(page, sqlite_url, wecom, clock) -> None:
    bot = await start(sqlite_url, wecom, clock)
    try:
        await play(bot, wecom, clock)
        async with bot.sessions.begin() as s:  # names come from a profile fetch this build does not make yet
            for ext, name in (("wmFay", "菲菲"), ("wmGus", "古斯"), ("wmBea", "贝贝"), ("wmDan", "丹丹")):
                (await CustomerRepo(s).find(ext)).name = name  # type: ignore[union-attr]
        wecom.faults.inject("kf/send_msg", errcode=95018, times=1)
        await wecom.customer_says("wmDan", "还在吗")
        await bot.drain()
        await log_in(page, bot.url, "/console/customers")
        await shot(page, "customers")
        await page.fill("form.search input[name=q]", "菲")
        await page.click("form.search button")
        await page.click("table.customers a:has-text('菲菲')")
        await page.wait_for_url(re.compile(r"/console/customers/\d+"))
        history = page.locator("ol.history")
        assert "请问多久发货" in await history.inner_text()
        assert "兴趣/彩妆" in await page.locator("body").inner_text()
        await shot(page, "customer")

        await page.click("header nav >> text=发件箱")
        await page.wait_for_url(re.compile("/console/outbox"))
        failed = page.locator("table.outbox tbody tr", has_text="95018")
        assert await failed.count() == 1
        await shot(page, "outbox")
        await failed.locator("input[type=checkbox]").check()
        await page.click("button:has-text('重试所选')")
        await page.locator(".flash").wait_for()
        assert "已重新排队 1 条" in await page.locator(".flash").inner_text()
        await bot.drain()
        assert wecom.customer_inbox("wmDan")[-1]
    finally:
        await bot.stop()


async def test_an_advisor_claims_and_resolves_a_ticket(page, sqlite_url, wecom, clock) -> None:
    clock.set(kit.MONDAY_10AM)
    bot = await BotUnderTest.start(make_config(
        sqlite_url, wecom.base_url, staff=kit.STAFF,
        escalation={"leads": ["wang.fang"], "sla_minutes": 30, "sla_minutes_by_level": ["vip=15"],
                    "no_advisor": "queue"}), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        await kit.customer(bot, "wmFay", name="菲菲", tags=("VIP",))
        await wecom.customer_says("wmFay", "上周买的面霜用了过敏，我想退款")  # nobody on duty: both wait
        await bot.drain()
        clock.advance(20 * 60)  # past the VIP's 15 minutes
        await wecom.customer_says("wmGus", "转人工")
        await bot.drain()
        first_id, second_id = (t.id for t in await kit.tickets(bot))
        await log_in(page, bot.url, "/console/escalations")
        first = page.locator("table.tickets tbody tr", has_text="退款")
        assert "待接单" in await first.inner_text() and "菲菲" in await first.inner_text()
        assert await first.locator(".late").count() == 1  # past its SLA
        await shot(page, "escalations")
        await first.locator("button:has-text('接单')").click()
        await page.locator(".flash").wait_for()
        assert f"已接单 #{first_id}（" in await page.locator(".flash").inner_text()
        first = page.locator("table.tickets tbody tr", has_text="退款")
        assert "处理中" in await first.inner_text() and "li.na" in await first.inner_text()
        await bot.drain()
        assert wecom.kf_session("wmFay").servicer_userid == "li.na"
        await first.locator("button:has-text('解决')").click()
        await page.locator(".flash", has_text="已解决").wait_for()
        await bot.drain()
        tickets = {t.id: t for t in await kit.tickets(bot)}
        assert (tickets[first_id].status, tickets[first_id].resolved_by) == ("resolved", "li.na")
        assert wecom.kf_session("wmFay").state == 4  # the chat went back to the persona
        assert "已解决" in await page.locator("table.tickets tbody tr", has_text="退款").inner_text()
        assert tickets[second_id].status == "queued"
    finally:
        await bot.stop()


async def test_in_the_sandbox_a_person_chats_as_customer_and_staff(page, tmp_path) -> None:
    async with sandbox(tmp_path / "sandbox.db") as (_, bot_port, _):
        base = f"http://127.0.0.1:{bot_port}"
        async def up() -> bool:
            try:
                response = await page.request.get(f"{base}/healthz")
                ok: bool = response.ok
                return ok
            except Exception:  # connection refused while the sandbox starts
                return False

        assert await wait_until(up), "sandbox did not come up"
        await log_in(page, base, "/console/sandbox")
        chat = page.frame_locator("iframe.sandbox")
        await chat.locator("#f-add input[name=ext]").fill("wmBrowser01")
        await chat.locator("#f-add input[name=name]").fill("小林")
        await chat.locator("#f-add input[name=state]").fill("expo")
        await chat.locator("#f-add button").click()
        bot_lines = chat.locator("#conversation .line.bot")
        await bot_lines.first.wait_for()
        assert "小柚" in await bot_lines.first.inner_text()
        await chat.locator("#f-say input[name=text]").fill("你好呀，面霜适合干皮吗")
        await chat.locator("#f-say button[type=submit]").click()
        await chat.locator("#conversation .line.customer").first.wait_for()
        await bot_lines.nth(1).wait_for()
        await chat.locator("#f-staff input[name=text]").fill("/help")
        await chat.locator("#f-staff button").click()
        await chat.locator("#staff-chat .line.bot").first.wait_for()
        assert "/help" in await chat.locator("#staff-chat .line.bot").first.inner_text()
        calls = chat.locator("#calls")
        await calls.locator("tr", has_text="send_welcome_msg").first.wait_for()
        assert await calls.locator("tr", has_text="kf/send_msg").count() >= 1
        await page.evaluate("window.scrollTo(0, 0)")
        await shot(page, "sandbox", full_page=False)


async def test_on_a_phone_the_digest_fits_the_screen_and_the_menu_is_in_words(page, sqlite_url, wecom, clock) -> None:
    """The digest link in a WeCom app message opens on a phone: the menu wrapped one character a line
    and the charts ran off the screen."""
    bot = await start(sqlite_url, wecom, clock)
    try:
        await play(bot, wecom, clock)
        await page.set_viewport_size({"width": 390, "height": 844})
        await log_in(page, bot.url, f"/console/digest?date={D}")
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off sideways
        for link in await page.locator("header.top nav a").all():
            box = await link.bounding_box()
            assert box is not None and box["height"] < 32, await link.inner_text()  # one line, whole words
        for chart in await page.locator("svg.chart").all():
            box = await chart.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert await page.locator(".card").first.is_visible()
        await page.goto(f"{bot.url}/console/escalations")
        assert await page.evaluate("document.documentElement.scrollWidth") <= 390  # a wide table scrolls in itself
    finally:
        await bot.stop()
