"""The console acts: every form runs the slash command's function for the signed-in member, shows
the command's message when a field is wrong (and writes nothing), is audited as console:<userid>,
and is refused (403 + audit) to a role the command refuses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import AuditLog, CheckinCampaign
from tests import escalation_kit as kit
from tests.console_kit import ConsoleClient
from tests.harness import BotUnderTest

# kit.STAFF: zhang.wei admin, chen.jing operator, li.na and wang.fang advisors


async def start(db_url: str, wecom: Any, clock: Any) -> BotUnderTest:
    clock.set(kit.MONDAY_10AM)
    return await kit.start(db_url, wecom, clock)


async def rows(bot: BotUnderTest, model: Any) -> list[Any]:
    async with bot.sessions() as s:
        return list((await s.scalars(select(model).order_by(model.id))).all())


async def console_audit(bot: BotUnderTest, action: str) -> list[tuple[str, str]]:
    async with bot.sessions() as s:
        found = (await s.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id))).all()
    return [(a.actor, a.target) for a in found]


CAMP = {"key": "read7", "name": "7天阅读打卡", "start": "2026-03-02", "days": "7", "tag": "",
        "m1_day": "3", "m1_points": "10", "m1_badge": "阅读3天", "m1_coupon": ""}


async def test_an_operator_creates_a_camp_with_milestones_and_ends_it(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    operator = await ConsoleClient.login(bot.url, user="chen.jing")
    try:
        status, page = await operator.get("/console/campaigns")
        assert status == 200 and 'action="/console/campaigns/create"' in page
        status, where, _ = await operator.post("/console/campaigns/create", CAMP)
        assert (status, where) == (303, "/console/campaigns")
        status, page = await operator.get(where)
        assert "已创建打卡活动【7天阅读打卡】（read7）：2026-03-02 起共 7 天" in page  # the command's answer
        assert "进行中" in page and "提前结束" in page
        (camp,) = await rows(bot, CheckinCampaign)
        assert camp.milestones == [{"day": 3, "points": 10, "badge": "阅读3天", "coupon": ""}]
        assert camp.source == "staff:chen.jing"
        assert await console_audit(bot, "console_campaign_create") == [("console:chen.jing", "read7")]

        status, where, _ = await operator.post("/console/campaigns/end", {"key": "read7"})
        assert status == 303
        page = (await operator.get(where))[1]
        assert "打卡活动【7天阅读打卡】已结束" in page and "已结束" in page and "提前结束</button>" not in page
        (camp,) = await rows(bot, CheckinCampaign)
        assert camp.status == "ended"
        assert await console_audit(bot, "console_campaign_end") == [("console:chen.jing", "read7")]
    finally:
        await operator.close()
        await bot.stop()


async def test_a_bad_date_or_a_taken_key_shows_the_commands_message_and_keeps_the_form(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    operator = await ConsoleClient.login(bot.url, user="chen.jing")
    try:
        status, _, page = await operator.post("/console/campaigns/create", CAMP | {"start": "2026-02-30"})
        assert status == 400
        assert "「2026-02-30」不是日期（例如 2026-03-10）。" in page  # what /campaign create answers
        assert 'value="7天阅读打卡"' in page and 'value="阅读3天"' in page  # nothing typed is lost
        assert await rows(bot, CheckinCampaign) == []
        assert await console_audit(bot, "console_campaign_create") == []

        assert (await operator.post("/console/campaigns/create", CAMP))[0] == 303
        status, _, page = await operator.post("/console/campaigns/create", CAMP | {"name": "又一个"})
        assert status == 400 and "活动 read7 已存在" in page
        status, _, page = await operator.post("/console/campaigns/create", CAMP | {"key": "read8", "days": "0"})
        assert status == 400 and "活动天数需在 1-366 之间" in page
        status, _, page = await operator.post("/console/campaigns/end", {"key": "nope"})
        assert status == 400 and "没有打卡活动 nope；现有：read7" in page
        assert [c.key for c in await rows(bot, CheckinCampaign)] == ["read7"]
    finally:
        await operator.close()
        await bot.stop()


async def test_an_advisor_sees_no_camp_forms_and_is_refused_anyway(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    advisor = await ConsoleClient.login(bot.url, user="li.na")
    try:
        status, page = await advisor.get("/console/escalations")
        assert status == 200 and "/console/campaigns" not in page  # not in the menu
        status, _, _ = await advisor.post("/console/campaigns/create", CAMP)
        assert status == 403
        assert await rows(bot, CheckinCampaign) == []
        async with bot.sessions() as s:
            denied = (await s.scalars(select(AuditLog).where(AuditLog.action == "console_denied"))).all()
        assert [(d.actor, d.target) for d in denied] == [("console:li.na", "/console/campaigns/create")]
    finally:
        await advisor.close()
        await bot.stop()


async def test_an_operator_runs_a_referral_campaign_and_reads_its_winners(db_url, wecom, clock) -> None:
    from storage.models import ReferralCampaign

    bot = await start(db_url, wecom, clock)
    operator = await ConsoleClient.login(bot.url, user="chen.jing")
    try:
        form = {"key": "spring", "name": "春季老带新", "staff": "li.na", "tiers": "10=面霜1瓶\r\n3=小样礼包"}
        status, _, page = await operator.post("/console/referrals/create", form)
        assert status == 400 and "奖励档位需按邀请人数从小到大排列" in page  # /referral create's message
        status, _, page = await operator.post("/console/referrals/create", form | {"tiers": "3 小样"})
        assert status == 400 and "「3 小样」应为 人数=奖品（例如 10=面霜1瓶）。" in page
        status, _, page = await operator.post("/console/referrals/create", form | {"staff": "nobody"})
        assert status == 400 and "找不到员工「nobody」" in page
        assert await rows(bot, ReferralCampaign) == []
        status, where, _ = await operator.post("/console/referrals/create", form | {"tiers": "3=小样礼包\n10=面霜1瓶"})
        assert status == 303
        page = (await operator.get(where))[1]
        assert "已创建邀请活动 spring「春季老带新」" in page and "3 人 → 小样礼包；10 人 → 面霜1瓶" in page
        assert "还没有人达到奖励档位" in page
        (campaign,) = await rows(bot, ReferralCampaign)
        assert campaign.staff_userid == "li.na" and campaign.tiers[1] == {"invites": 10, "gift": "面霜1瓶", "points": 0}
        assert (await operator.post("/console/referrals/end", {"key": "spring"}))[0] == 303
        page = (await operator.get("/console/referrals"))[1]
        assert "邀请活动 spring「春季老带新」已结束。" in page and "结束活动</button>" not in page
        assert await console_audit(bot, "console_referral_end") == [("console:chen.jing", "spring")]
    finally:
        await operator.close()
        await bot.stop()


async def test_an_operator_adds_a_group_links_a_chat_and_pauses_topics_and_schedules(db_url, wecom, clock) -> None:
    from storage.models import InterestChat, InterestGroup, Topic, TopicSchedule

    bot = await start(db_url, wecom, clock)
    operator = await ConsoleClient.login(bot.url, user="chen.jing")
    try:
        status, page = await operator.get("/console/topics")
        assert status == 200 and "还没有兴趣群" in page and 'id="topic-add"' not in page  # no group to add to yet
        assert (await operator.post("/console/topics/groups", {"group_key": "skincare", "group_name": "护肤同好会",
                                                               "group_tag": ""}))[0] == 303
        assert (await operator.post("/console/topics/link", {"link_group": "skincare", "chat_id": "wrChat0001"}))[0] == 303
        status, _, page = await operator.post("/console/topics/add", {"topic_group": "makeup", "text": "口红怎么选？"})
        assert status == 400 and "没有兴趣群 makeup；现有：skincare" in page and "口红怎么选？" in page
        assert (await operator.post("/console/topics/add", {"topic_group": "skincare", "text": "换季护肤聊一聊"}))[0] == 303
        status, _, page = await operator.post("/console/topics/schedules", {"schedule_group": "skincare", "cron": "0 25 * * *"})
        assert status == 400 and "时间表达式有误" in page
        assert (await operator.post("/console/topics/schedules", {"schedule_group": "skincare",
                                                                  "cron": "0 20 * * 2,4"}))[0] == 303
        (topic,) = await rows(bot, Topic)
        (schedule,) = await rows(bot, TopicSchedule)
        assert (await operator.post("/console/topics/status", {"id": str(topic.id), "status": "paused"}))[0] == 303
        page = (await operator.get("/console/topics"))[1]
        assert f"话题 #{topic.id} 已暂停：换季护肤聊一聊" in page and "已暂停" in page
        assert "wrChat0001（等待企业微信返回群信息）" in page
        assert (await operator.post("/console/topics/schedules/status",
                                    {"id": str(schedule.id), "status": "paused"}))[0] == 303
        status, _, page = await operator.post("/console/topics/status", {"id": "999", "status": "active"})
        assert status == 400 and "没有编号为 999 的话题" in page
        assert [(t.status, t.source) for t in await rows(bot, Topic)] == [("paused", "staff:chen.jing")]
        assert [s.status for s in await rows(bot, TopicSchedule)] == ["paused"]
        assert [g.key for g in await rows(bot, InterestGroup)] == ["skincare"]
        assert [c.chat_id for c in await rows(bot, InterestChat)] == ["wrChat0001"]
        assert await console_audit(bot, "console_topic_status") == [("console:chen.jing", str(topic.id))]
    finally:
        await operator.close()
        await bot.stop()
