"""The console that does the work, in a real browser (headless Chromium): an operator creates a
check-in camp and ends it, adds a topic and pauses it, adjusts a customer's points; an admin
composes a broadcast, previews it and confirms it (the outbox gets the rows); an advisor goes on
duty; an operator starts a referral campaign. Screenshots of the pages go to docs/ with WANZI_SCREENSHOTS=docs."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from storage.models import CheckinCampaign, OutboxItem, PointsEntry, Topic
from tests import escalation_kit as kit
from tests.browser import open_browser, shot
from tests.harness import BotUnderTest
from tests.test_console_browser import log_in

# kit.STAFF: zhang.wei admin, chen.jing operator, li.na and wang.fang advisors


@pytest.fixture
async def page(tmp_path):
    async for p in open_browser(tmp_path / "chromium-profile"):
        yield p


async def start(sqlite_url: str, wecom, clock) -> BotUnderTest:
    clock.set(kit.MONDAY_10AM)
    return await kit.start(sqlite_url, wecom, clock)


async def flash(page) -> str:
    await page.locator(".flash").wait_for()
    return str(await page.locator(".flash").inner_text())


async def test_an_operator_creates_a_camp_and_ends_it_then_adds_a_topic_and_pauses_it(page, sqlite_url, wecom,
                                                                                      clock) -> None:
    bot = await start(sqlite_url, wecom, clock)
    try:
        await log_in(page, bot.url, "/console/campaigns", user="chen.jing")
        form = page.locator("form#campaign-create")
        await form.locator("input[name=key]").fill("read7")
        await form.locator("input[name=name]").fill("7天阅读打卡")
        await form.locator("input[name=start]").fill("2026-03-02")
        await form.locator("input[name=days]").fill("7")
        await form.locator("input[name=m1_day]").fill("3")
        await form.locator("input[name=m1_points]").fill("10")
        await form.locator("input[name=m1_badge]").fill("阅读3天")
        await shot(page, "campaign-create")
        await form.locator("button[type=submit]").click()
        assert "已创建打卡活动【7天阅读打卡】（read7）" in await flash(page)
        camp = page.locator("section.campaign", has_text="7天阅读打卡")
        assert "进行中" in await camp.locator("h3").inner_text()

        await form.locator("input[name=key]").fill("read7")  # the same key again: the command's message
        await form.locator("input[name=name]").fill("再来一个")
        await form.locator("button[type=submit]").click()
        await page.locator(".alert").wait_for()
        assert "活动 read7 已存在" in await page.locator(".alert").inner_text()
        assert await form.locator("input[name=name]").input_value() == "再来一个"

        await camp.locator("button:has-text('提前结束')").click()
        assert "已结束" in await flash(page)
        assert "已结束" in await camp.locator("h3").inner_text()
        assert await camp.locator("button:has-text('提前结束')").count() == 0
        async with bot.sessions() as s:
            (row,) = (await s.scalars(select(CheckinCampaign))).all()
        assert (row.status, row.milestones[0]["badge"]) == ("ended", "阅读3天")

        await page.click("header nav >> text=兴趣群")
        await page.wait_for_url(re.compile("/console/topics"))
        groups = page.locator("form#group-add")
        await groups.locator("input[name=group_key]").fill("skincare")
        await groups.locator("input[name=group_name]").fill("护肤同好会")
        await groups.locator("button[type=submit]").click()
        assert "兴趣群 skincare「护肤同好会」已保存" in await flash(page)
        topic_form = page.locator("form#topic-add")
        await topic_form.locator("textarea[name=text]").fill("换季了，大家的护肤步骤有什么变化吗？")
        await topic_form.locator("button[type=submit]").click()
        assert "已加入 skincare 的话题轮换" in await flash(page)
        schedule = page.locator("form#schedule-add")
        await schedule.locator("input[name=cron]").fill("0 20 * * 2,4")
        await schedule.locator("button[type=submit]").click()
        await page.locator(".flash", has_text="0 20 * * 2,4").wait_for()
        row = page.locator("table.topics tbody tr", has_text="换季了")
        assert "轮换中" in await row.inner_text()
        await row.locator("button:has-text('暂停')").click()
        assert "已暂停" in await flash(page)
        assert "已暂停" in await page.locator("table.topics tbody tr", has_text="换季了").inner_text()
        await shot(page, "topics")
        async with bot.sessions() as s:
            (topic,) = (await s.scalars(select(Topic))).all()
        assert topic.status == "paused"

        await page.click("header nav >> text=邀请活动")
        await page.wait_for_url(re.compile("/console/referrals"))
        referral = page.locator("form#referral-create")
        await referral.locator("input[name=key]").fill("spring")
        await referral.locator("input[name=name]").fill("春季老带新")
        await referral.locator("select[name=staff]").select_option("li.na")
        await referral.locator("textarea[name=tiers]").fill("3=小样礼包\n10=面霜1瓶")
        await referral.locator("button[type=submit]").click()
        assert "已创建邀请活动 spring「春季老带新」" in await flash(page)
        assert "3 人 → 小样礼包；10 人 → 面霜1瓶" in await page.locator("section.referral").inner_text()
        await shot(page, "referrals")
    finally:
        await bot.stop()


async def test_an_admin_composes_a_broadcast_previews_it_and_confirms_it(page, sqlite_url, wecom, clock) -> None:
    bot = await start(sqlite_url, wecom, clock)
    try:
        await wecom.add_friend("li.na", "wmBcF0001", welcome=False)
        for ext in ("wmBcK0001", "wmBcK0002"):
            await wecom.customer_says(ext, "你好")
        await bot.drain()
        await kit.customer(bot, "wmBcF0001", name="林琳", tags=("VIP",), owner="li.na")
        await kit.customer(bot, "wmBcK0001", name="小柯", tags=("VIP",))
        await kit.customer(bot, "wmBcK0002", name="安安", tags=("VIP",))
        await log_in(page, bot.url, "/console/broadcast", user="zhang.wei")
        pick = page.locator("form#broadcast-pick")
        await pick.locator("select[name=tag]").select_option(label="客户等级/VIP（3 人）")
        await pick.locator("input[name=template][value=new_arrivals]").check()
        await pick.locator("button[type=submit]").click()
        proposal = page.locator("#broadcast-proposal")
        await proposal.wait_for()
        summary = await proposal.locator(".summary").inner_text()
        assert "可触达 3 人" in summary and "微信客服 48 小时内 2 人" in summary and "企业微信好友 1 人" in summary
        assert "以 林琳 为例" in await proposal.inner_text()
        assert "春季新品到啦" in await proposal.locator("p.bubble").first.inner_text()
        await shot(page, "broadcast")
        assert wecom.calls("externalcontact/add_msg_template") == []
        await proposal.locator("button:has-text('确认发送')").click()
        assert "已确认，正在分批发送" in await flash(page)
        await bot.drain()
        async with bot.sessions() as s:
            pushes = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "push"))).all()
        assert sorted(p.api for p in pushes) == ["externalcontact/add_msg_template", "kf/send_msg", "kf/send_msg"]
        assert all(p.status == "sent" for p in pushes)
        assert "新品" in wecom.customer_inbox("wmBcK0002")[-1]
        await page.reload()
        assert "已排入队列" in await page.locator("table.broadcasts tbody tr").first.inner_text()
    finally:
        await bot.stop()


async def test_an_operator_adjusts_points_and_tags_on_the_customer_page(page, sqlite_url, wecom, clock) -> None:
    bot = await start(sqlite_url, wecom, clock)
    try:
        await wecom.add_friend("li.na", "wmPts0001", welcome=False)
        await wecom.customer_says("wmPts0001", "我是干皮，冬天用什么面霜好")
        await bot.drain()
        await kit.customer(bot, "wmPts0001", name="陈洁", owner="li.na", tags=("VIP",))
        customer = await kit.find_customer(bot, "wmPts0001")
        await log_in(page, bot.url, f"/console/customers/{customer.id}", user="chen.jing")
        points = page.locator("form#points-adjust")
        await points.locator("input[name=delta]").fill("50")  # no sign: what /points says about it
        await points.locator("input[name=reason]").fill("线下活动奖励")
        await points.locator("button[type=submit]").click()
        await page.locator(".alert").wait_for()
        assert "「50」应为 +N 或 -N" in await page.locator(".alert").inner_text()
        await points.locator("input[name=delta]").fill("+50")
        await points.locator("button[type=submit]").click()
        assert "已为 陈洁 +50 积分（线下活动奖励），当前 50 分" in await flash(page)
        assert "+50" in await page.locator("table.ledger").inner_text()
        tag = page.locator("form#tag-add")
        await tag.locator("input[name=tag]").fill("+复购客户")
        await tag.locator("button[type=submit]").click()
        assert "打上：复购客户" in await flash(page)
        await page.locator("#assign select[name=advisor]").select_option("wang.fang")
        await page.locator("#assign button").click()
        assert "专属顾问设为 王芳" in await flash(page)
        await page.locator("button:has-text('设为 VIP')").click()
        assert "设为 VIP" in await flash(page)
        await shot(page, "customer-actions")
        await page.locator("li.tag", has_text="复购客户").locator("button.x").click()
        assert "已去掉 陈洁 的标签：复购客户" in await flash(page)
        async with bot.sessions() as s:
            (entry,) = (await s.scalars(select(PointsEntry))).all()
        assert (entry.delta, entry.reason) == (50, "线下活动奖励")
        found = await kit.find_customer(bot, "wmPts0001")
        assert (found.is_vip, found.advisor_userid) == (True, "wang.fang")
    finally:
        await bot.stop()


async def test_an_advisor_goes_on_duty_from_the_ticket_page(page, sqlite_url, wecom, clock) -> None:
    bot = await start(sqlite_url, wecom, clock)
    try:
        await kit.customer(bot, "wmWait001", name="林晓")
        await wecom.customer_says("wmWait001", "我要投诉，转人工")
        await bot.drain()
        await log_in(page, bot.url, "/console/escalations", user="wang.fang")
        assert "不在岗" in await page.locator("div.sub").inner_text()
        assert await page.locator("header nav >> text=活动与话题").count() == 0  # an advisor's menu
        await page.locator("#duty button:has-text('上岗')").click()
        assert "已上岗" in await flash(page)
        assert "在岗：会被分配转人工工单" in await page.locator("div.sub").inner_text()
        await bot.drain()
        (ticket,) = await kit.tickets(bot)
        assert ticket.advisor_userid == "wang.fang"
        await page.reload()
        assert "林晓" in await page.locator("table.tickets").inner_text()
        await page.locator("#duty button:has-text('下岗')").click()
        assert "已下岗" in await flash(page)
    finally:
        await bot.stop()
