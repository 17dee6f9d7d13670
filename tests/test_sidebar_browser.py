"""The chat sidebar in a real browser (headless Chromium) with the emulator's stand-in JS-SDK: the
page signs in silently, registers wx.config / wx.agentConfig with the server's signatures, reads the
customer beside the chat, adds a tag, and drops a quick reply into the chat (sendChatMessage).
In the sandbox, the emulator's chat console shows the same page beside a chat."""

from __future__ import annotations

import re

import pytest

from tests.browser import open_browser, shot
from tests.processes import sandbox
from tests.sidebar_kit import named, start
from tests.test_sandbox import wait_until
from tests.test_sidebar_customer import COMMUNITY, EXT, MONDAY_10AM

expect = pytest.importorskip("playwright.async_api").expect


@pytest.fixture
async def page(tmp_path):
    async for p in open_browser(tmp_path / "chromium-profile"):
        await p.set_viewport_size({"width": 400, "height": 900})  # a sidebar is narrow
        yield p


async def test_an_advisor_reads_the_customer_tags_them_and_sends_a_quick_reply(page, sqlite_url, wecom,
                                                                              clock) -> None:
    clock.set(MONDAY_10AM)
    bot = await start(sqlite_url, wecom, clock, **COMMUNITY)
    try:
        await wecom.add_friend("li.na", EXT, name="小林")
        await bot.drain()
        await named(bot, EXT, "小林")
        for text in ("打卡 十点就睡啦", "面霜适合干皮吗", "我想找真人聊聊"):
            await wecom.customer_says(EXT, text)
            await bot.drain()
        wecom.open_sidebar("li.na", external_userid=EXT)  # li.na opens the toolbar beside 小林's chat

        await page.goto(f"{bot.url}/console/sidebar")
        card = page.locator("section.customer")
        await card.wait_for()
        assert "小林" in await card.locator("h1").inner_text()
        assert "7天早睡打卡 连续 1 天" in await card.inner_text()
        assert "待接单" in await card.locator(".ticket").inner_text()  # the chat asked for a person
        assert "李娜（li.na）" in await page.locator(".side-top .who").inner_text()

        await card.get_by_label("标签名").fill("+复购客户")
        await card.locator("button:has-text('打标签')").click()
        await page.locator(".flash", has_text="已给 小林 打上：复购客户").wait_for()
        assert await page.locator("ul.tags .tag", has_text="员工标签/复购客户").count() == 1

        await page.fill("input[name=q]", "稍等查询")
        await page.click("form[data-target='#replies'] button")
        await expect(page.locator("#replies li.reply")).to_have_count(1)  # the search's answer replaced the list
        reply = page.locator("#replies li.reply", has_text="稍等查询")
        await shot(page, "sidebar")
        await reply.locator("button[data-send]").click()
        await reply.locator("button.sent").wait_for()
        (sent,) = wecom.chat_messages_sent_by_sidebar()
        assert (sent.userid, sent.external_userid, sent.msgtype) == ("li.na", EXT, "text")
        assert sent.content["content"] == "收到～我马上帮你查一下，稍等我几分钟哈🙏"
    finally:
        await bot.stop()


async def test_outside_a_customer_chat_the_sidebar_says_where_to_open_it(page, sqlite_url, wecom, clock) -> None:
    bot = await start(sqlite_url, wecom, clock)
    try:
        wecom.open_sidebar("li.na")  # the workbench, not a chat: getContext says "normal"
        await page.goto(f"{bot.url}/console/sidebar")
        await page.locator("#panel .status", has_text="聊天工具栏").wait_for()
        assert wecom.chat_messages_sent_by_sidebar() == []
    finally:
        await bot.stop()


async def test_in_the_sandbox_the_chat_console_shows_the_sidebar_beside_a_chat(page, tmp_path) -> None:
    await page.set_viewport_size({"width": 1400, "height": 1000})
    async with sandbox(tmp_path / "sandbox.db") as (_, bot_port, emu_port):
        emulator = f"http://127.0.0.1:{emu_port}"

        async def up() -> bool:
            try:
                ok: bool = (await page.request.get(f"http://127.0.0.1:{bot_port}/healthz")).ok
                return ok
            except Exception:  # connection refused while the sandbox starts
                return False

        assert await wait_until(up), "sandbox did not come up"
        await page.goto(f"{emulator}/console")
        await page.locator("#f-add input[name=ext]").fill("wmSandboxSide01")
        await page.locator("#f-add input[name=name]").fill("小周")
        await page.locator("#f-add button").click()
        await page.locator("#conversation .line.bot").first.wait_for()  # the welcome: the bot knows 小周

        form = page.locator("#f-sidebar")
        await form.locator("select[name=userid]").select_option("zhang.wei")  # the sandbox's admin
        await form.locator("select[name=entry]").select_option("single_chat_tools")
        await form.locator("select[name=target]").select_option("ext:wmSandboxSide01")
        await form.locator("button:has-text('在此会话旁打开')").click()
        sidebar = page.frame_locator("#sidebar-frame")
        await sidebar.locator("section.customer").wait_for()
        assert "wmSandboxSide01" in await sidebar.locator("section.customer .sub").inner_text()
        reply = sidebar.locator("#replies li.reply").first
        await reply.locator("button[data-send]").click()
        await reply.locator("button.sent").wait_for()
        await page.locator("#sidebar-sent .line").first.wait_for()  # the console shows what the page sent
        assert re.search("sendChatMessage", await page.locator("#sidebar-sent").inner_text())
