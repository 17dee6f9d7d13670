"""The 客户洞察 page in a real browser (headless Chromium): an operator finds it in the menu, reads
the KOC ranking with the parts of each score and the customers' suggestions, and tags the top
ones; the screenshot goes to docs/insights.png with WANZI_SCREENSHOTS=docs."""

from __future__ import annotations

import re

import pytest

from tests import escalation_kit as kit
from tests.browser import open_browser, shot
from tests.test_console_browser import log_in
from tests.test_insights import seed_community, start


@pytest.fixture
async def page(tmp_path):
    async for p in open_browser(tmp_path / "chromium-profile"):
        yield p


async def test_an_operator_reads_the_kocs_and_suggestions_and_tags_the_top_ones(page, sqlite_url, wecom,
                                                                               clock) -> None:
    clock.set(kit.MONDAY_10AM)
    bot = await start(sqlite_url, wecom, clock)
    try:
        await wecom.add_friend("zhang.wei", "wmAnn", name="安安", welcome=False)
        await wecom.add_friend("zhang.wei", "wmBob", name="波波", welcome=False)
        await bot.drain()
        for who, text in (("wmAnn", "建议你们出个旅行装"), ("wmBob", "希望你们早点发货"),
                          ("wmBob", "要是能出无香版就好了"), ("wmAnn", "今天的面霜好用")):
            await wecom.customer_says(who, text)
            await bot.drain()
            clock.advance(90)
        await seed_community(bot, clock)
        await log_in(page, bot.url, "/console/digest", user="chen.jing")
        await page.click("header nav >> text=客户洞察")
        await page.wait_for_url(re.compile("/console/insights"))
        first = page.locator("table.koc tbody tr").first
        assert "安安" in await first.inner_text() and "邀请 2 人 +10" in await first.inner_text()
        suggestions = await page.locator("table.suggestions").inner_text()
        assert "要是能出无香版就好了" in suggestions and "建议你们出个旅行装" in suggestions
        assert "早点发货" not in suggestions
        await shot(page, "insights")
        await page.locator("form#koc-tag button[type=submit]").click()
        await page.locator(".flash").wait_for()
        assert "已给 1 位客户打上「KOC」：安安" in await page.locator(".flash").inner_text()
        await bot.drain()
        assert wecom.customer_tags("zhang.wei", "wmAnn") == ["KOC"]
    finally:
        await bot.stop()
