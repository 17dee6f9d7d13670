"""The 待答问题 page in a real browser (headless Chromium): an advisor answers a question the persona
could not answer, adds it to the knowledge base, and the customer has the answer; an operator sees
it on the 知识库 page. Screenshots go to docs/ with WANZI_SCREENSHOTS=docs."""

from __future__ import annotations

import re

import pytest

from tests import escalation_kit as kit
from tests.browser import open_browser, shot
from tests.test_console_browser import log_in
from tests.test_questions import ANSWER, QUESTION, ask


@pytest.fixture
async def page(tmp_path):
    async for p in open_browser(tmp_path / "chromium-profile"):
        yield p


async def test_an_advisor_answers_a_waiting_question_from_the_console(page, sqlite_url, wecom, clock) -> None:
    clock.set(kit.MONDAY_10AM)
    bot = await kit.start(sqlite_url, wecom, clock)
    try:
        await kit.on_duty(bot, "li.na")
        await kit.customer(bot, "wmBrw0001", name="林晓")
        await wecom.customer_says("wmBrw0001", "我在你们天猫店买过")
        await bot.drain()
        await ask(bot, wecom, "wmBrw0001")
        await log_in(page, bot.url, "/console/questions", user="li.na")
        question = page.locator("section.question", has_text=QUESTION)
        assert "我在你们天猫店买过" in await question.inner_text()  # the chat before it
        await question.locator("textarea[name=answer]").fill(ANSWER)
        await question.locator("input[name=faq]").check()
        await shot(page, "questions")
        await question.locator("form.act button[type=submit]").click()
        await page.locator(".flash").wait_for()
        assert "已加入知识库" in await page.locator(".flash").inner_text()
        assert await page.locator("section.question").count() == 0
        await bot.drain()
        assert ANSWER in wecom.customer_inbox("wmBrw0001")[-1]
        await page.click("header nav >> text=知识库")
        await page.wait_for_url(re.compile("/console/knowledge"))
        assert ANSWER in await page.locator("table.knowledge").inner_text()
        await shot(page, "knowledge")
    finally:
        await bot.stop()
