"""The console acts: every form runs the slash command's function for the signed-in member, shows
the command's message when a field is wrong (and writes nothing), is audited as console:<userid>,
and is refused (403 + audit) to a role the command refuses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import AuditLog, CheckinCampaign, Customer
from storage.repos import StaffRepo
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
        assert status == 400 and "没有打卡活动 nope；现有：read7（7天阅读打卡）" in page
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
        assert "接待：李娜（li.na）" in page  # the member new friends add, by name
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

    clock.set(kit.MONDAY_10AM)
    bot = await start(db_url, wecom, clock)
    operator = await ConsoleClient.login(bot.url, user="chen.jing")
    try:
        status, page = await operator.get("/console/topics")
        assert status == 200 and "还没有兴趣群" in page and 'id="topic-add"' not in page  # no group to add to yet
        assert (await operator.post("/console/topics/groups", {"group_key": "skincare", "group_name": "护肤同好会",
                                                               "group_tag": ""}))[0] == 303
        link = {"link_group": "skincare", "chat_id": "wrChat0001"}
        assert (await operator.post("/console/topics/link", link))[0] == 303
        status, _, page = await operator.post("/console/topics/add", {"topic_group": "makeup", "text": "口红怎么选？"})
        assert status == 400 and "没有兴趣群 makeup；现有：skincare" in page and "口红怎么选？" in page
        topic = {"topic_group": "skincare", "text": "换季护肤聊一聊"}
        assert (await operator.post("/console/topics/add", topic))[0] == 303
        bad_cron = {"schedule_group": "skincare", "cron": "0 25 * * *"}
        status, _, page = await operator.post("/console/topics/schedules", bad_cron)
        assert status == 400 and "时间表达式有误" in page
        assert (await operator.post("/console/topics/schedules", {"schedule_group": "skincare",
                                                                  "cron": "0 20 * * 2,4"}))[0] == 303
        (topic,) = await rows(bot, Topic)
        (schedule,) = await rows(bot, TopicSchedule)
        assert (await operator.post("/console/topics/status", {"id": str(topic.id), "status": "paused"}))[0] == 303
        page = (await operator.get("/console/topics"))[1]
        assert f"话题 #{topic.id} 已暂停：换季护肤聊一聊" in page and "已暂停" in page
        assert "wrChat0001（等待企业微信返回群信息）" in page
        await wecom.create_group("wrChat0002", "wang.fang", "柚见护肤交流2群")
        await bot.drain()
        assert (await operator.post("/console/topics/link", {**link, "chat_id": "wrChat0002"}))[0] == 303
        await bot.drain()  # WeCom tells the group's name and owner
        assert "柚见护肤交流2群（群主 王芳（wang.fang））" in (await operator.get("/console/topics"))[1]
        assert "<td>03-03 20:00（周二）</td>" in page  # "0 20 * * 2,4" on a Monday morning: Tuesday evening
        status, _, page = await operator.post("/console/topics/post", {"post_group": "skincare"})
        assert status == 400 and "没有可发的话题" in page  # its one topic is paused
        assert (await operator.post("/console/topics/status", {"id": str(topic.id), "status": "active"}))[0] == 303
        assert (await operator.post("/console/topics/post", {"post_group": "skincare"}))[0] == 303
        await bot.drain()
        page = (await operator.get("/console/topics"))[1]
        assert "已把话题「换季护肤聊一聊」发给群主确认：王芳（wang.fang） 1 个群" in page  # wrChat0001's owner unknown
        (task,) = wecom.calls("externalcontact/add_msg_template")
        assert task.body["sender"] == "wang.fang" and task.body["chat_id_list"] == ["wrChat0002"]
        assert (await operator.post("/console/topics/status", {"id": str(topic.id), "status": "paused"}))[0] == 303
        assert (await operator.post("/console/topics/schedules/status",
                                    {"id": str(schedule.id), "status": "paused"}))[0] == 303
        assert "<td>暂停中，不会发布</td>" in (await operator.get("/console/topics"))[1]
        status, _, page = await operator.post("/console/topics/status", {"id": "999", "status": "active"})
        assert status == 400 and "没有编号为 999 的话题" in page
        assert [(t.status, t.source) for t in await rows(bot, Topic)] == [("paused", "staff:chen.jing")]
        assert [s.status for s in await rows(bot, TopicSchedule)] == ["paused"]
        assert [g.key for g in await rows(bot, InterestGroup)] == ["skincare"]
        assert [c.chat_id for c in await rows(bot, InterestChat)] == ["wrChat0001", "wrChat0002"]
        assert await console_audit(bot, "console_topic_status") == [("console:chen.jing", str(topic.id))] * 3
        assert await console_audit(bot, "console_topic_post") == [("console:chen.jing", "skincare")]
    finally:
        await operator.close()
        await bot.stop()


async def test_an_admin_previews_a_broadcast_in_the_personas_voice_and_confirms_it(db_url, wecom, clock) -> None:
    from storage.models import OutboxItem, StaffPending

    bot = await start(db_url, wecom, clock)
    await wecom.add_friend("li.na", "wmBcF0001", name="林琳", welcome=False)
    await wecom.customer_says("wmBcK0001", "你好")
    await bot.drain()
    await kit.customer(bot, "wmBcF0001", name="林琳", tags=("VIP",), owner="li.na")
    await kit.customer(bot, "wmBcK0001", name="小柯", tags=("VIP",))
    await kit.customer(bot, "wmBcOut01", tags=("VIP", "沉睡"))
    async with bot.sessions.begin() as s:
        for c in await s.scalars(select(Customer).where(Customer.external_userid == "wmBcOut01")):
            c.opted_out = True
    admin = await ConsoleClient.login(bot.url, user="zhang.wei")
    try:
        status, page = await admin.get("/console/broadcast")
        assert status == 200 and "客户等级/VIP（3 人）" in page and 'value="new_arrivals"' in page
        assert "柚见春季新品到啦" in page  # each template in the persona's voice
        status, _, page = await admin.post("/console/broadcast/preview", {"tag": "客户等级/沉睡",
                                                                         "template": "new_arrivals"})
        assert status == 400 and "标签「沉睡」下没有可触达的客户（已退订 1、无法触达 0），没有创建群发。" in page
        status, _, page = await admin.post("/console/broadcast/preview", {"tag": "客户等级/VIP", "template": "nope"})
        assert status == 400 and "没有群发模板「nope」。可用：member_day、new_arrivals" in page
        status, where, _ = await admin.post("/console/broadcast/preview", {"tag": "客户等级/VIP",
                                                                           "template": "new_arrivals"})
        assert status == 303
        page = (await admin.get(where))[1]
        assert "可触达 2 人" in page and "已退订 1 人" in page  # the same count /broadcast answers
        assert "微信客服 48 小时内 1 人" in page and "企业微信好友 1 人" in page
        assert "以 林琳 为例" in page and "春季新品到啦" in page and "确认发送</button>" in page
        assert wecom.calls("externalcontact/add_msg_template") == []  # nothing sent before the confirmation
        (pending,) = await rows(bot, StaffPending)
        status, where, _ = await admin.post("/console/broadcast/confirm", {"pending": str(pending.id)})
        assert status == 303
        assert "已确认，正在分批发送" in (await admin.get(where))[1]
        await bot.drain()
        async with bot.sessions() as s:
            pushes = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "push"))).all()
        assert {(p.api, p.status) for p in pushes} == {("kf/send_msg", "sent"),
                                                        ("externalcontact/add_msg_template", "sent")}
        assert "新品" in wecom.customer_inbox("wmBcK0001")[-1]
        (task,) = wecom.calls("externalcontact/add_msg_template")
        assert task.body["sender"] == "li.na" and task.body["external_userid"] == ["wmBcF0001"]
        page = (await admin.get("/console/broadcast"))[1]
        assert "已排入队列" in page and "确认发送</button>" not in page
        status, _, page = await admin.post("/console/broadcast/confirm", {"pending": str(pending.id)})
        assert status == 400 and "没有待确认的群发" in page  # used up, as /confirm says
        assert [a[1] for a in await kit.audit(bot, "broadcast.")] == ["broadcast.confirmed", "broadcast.sent"]
        assert await console_audit(bot, "console_broadcast_confirm") == [("console:zhang.wei", str(pending.id))]
    finally:
        await admin.close()
        await bot.stop()


async def test_only_the_role_that_may_run_broadcast_sees_and_uses_the_broadcast_page(db_url, wecom, clock) -> None:
    from handlers.broadcast.service import COMMANDS as BROADCAST_COMMANDS
    from storage.models import StaffPending

    bot = await start(db_url, wecom, clock)
    await wecom.customer_says("wmBcK0001", "你好")
    await bot.drain()
    await kit.customer(bot, "wmBcK0001", tags=("VIP",))
    operator = await ConsoleClient.login(bot.url, user="chen.jing")
    try:
        assert {c.role for c in BROADCAST_COMMANDS} == {"admin"}  # /broadcast and /confirm: admins (the suite's rule)
        status, page = await operator.get("/console/campaigns")
        assert status == 200 and "/console/broadcast" not in page
        assert (await operator.get("/console/broadcast"))[0] == 403
        status, _, _ = await operator.post("/console/broadcast/preview", {"tag": "VIP", "template": "new_arrivals"})
        assert status == 403
        assert await rows(bot, StaffPending) == []
        denied = [a for a in await kit.audit(bot, "console_denied")]
        assert denied == [("console:chen.jing", "console_denied", "/console/broadcast"),
                          ("console:chen.jing", "console_denied", "/console/broadcast/preview")]
    finally:
        await operator.close()
        await bot.stop()


async def customer_id(bot: BotUnderTest, ext: str) -> int:
    return (await kit.find_customer(bot, ext)).id


async def test_on_the_customer_page_staff_tag_set_vip_assign_and_adjust_points(db_url, wecom, clock) -> None:
    from storage.models import PointsEntry

    bot = await start(db_url, wecom, clock)
    await wecom.add_friend("li.na", "wmTag0001", name="陈洁", welcome=False)
    await bot.drain()
    await kit.customer(bot, "wmTag0001", name="陈洁", owner="li.na", tags=("VIP",))
    cid = await customer_id(bot, "wmTag0001")
    operator = await ConsoleClient.login(bot.url, user="chen.jing")
    try:
        page = (await operator.get(f"/console/customers/{cid}"))[1]
        assert 'id="tag-add"' in page and "设为 VIP" in page and 'id="assign"' in page and 'id="points-adjust"' in page
        status, _, page = await operator.post(f"/console/customers/{cid}/tags", {"tag": "复购"})
        assert status == 400 and "没有标签「复购」。新建标签请在名称前加 +" in page  # /tag's message
        assert (await operator.post(f"/console/customers/{cid}/tags", {"tag": "+复购客户"}))[0] == 303
        assert "已给 陈洁 打上：复购客户" in (await operator.get(f"/console/customers/{cid}"))[1]
        assert (await operator.post(f"/console/customers/{cid}/untag", {"tag": "客户等级/VIP"}))[0] == 303
        assert (await operator.post(f"/console/customers/{cid}/vip", {"on": "on"}))[0] == 303
        async with bot.sessions.begin() as s:  # li.na left after the page was drawn: the form is refused
            (await StaffRepo(s).find("li.na")).active = False  # type: ignore[union-attr]
        status, _, page = await operator.post(f"/console/customers/{cid}/advisor", {"advisor": "li.na"})
        assert status == 400 and "李娜（li.na）」已停用，不能指派" in page
        assert "<option value=\"li.na\"" not in page and "<option value=\"wang.fang\"" in page
        assert (await operator.post(f"/console/customers/{cid}/advisor", {"advisor": "wang.fang"}))[0] == 303
        page = (await operator.get(f"/console/customers/{cid}"))[1]
        assert "已将 陈洁 的专属顾问设为 王芳（wang.fang）" in page and "取消 VIP" in page
        status, _, page = await operator.post(f"/console/customers/{cid}/points", {"delta": "50", "reason": "线下活动"})
        assert status == 400 and "「50」应为 +N 或 -N（例如 +50）。" in page and 'value="线下活动"' in page
        status, _, page = await operator.post(f"/console/customers/{cid}/points", {"delta": "+50", "reason": ""})
        assert status == 400 and "请写明调整原因" in page
        assert "/points" not in page.split('role="alert"')[1].split("</")[0]  # the page's words, not a command line
        assert "wmXXX" not in page  # nor a placeholder id (the staff tour)
        points_url = f"/console/customers/{cid}/points"
        assert (await operator.post(points_url, {"delta": "+50", "reason": "线下活动"}))[0] == 303
        assert (await operator.post(points_url, {"delta": "-20", "reason": "兑换小样"}))[0] == 303
        page = (await operator.get(f"/console/customers/{cid}"))[1]
        assert "已为 陈洁 -20 积分（兑换小样），当前 30 分" in page and "<dt>积分</dt><dd>30" in page
        assert "<td>员工 陈静（chen.jing）</td>" in page and "staff:chen.jing" not in page  # who, by name
        customer = await kit.find_customer(bot, "wmTag0001")
        assert (customer.is_vip, customer.advisor_userid) == (True, "wang.fang")
        assert [(e.delta, e.source) for e in await rows(bot, PointsEntry)] == [(50, "staff:chen.jing"),
                                                                              (-20, "staff:chen.jing")]
        await bot.drain()  # the new tag reaches WeCom as the command's would: created once, then marked
        (created,) = wecom.calls("externalcontact/add_corp_tag")
        assert created.body["tag"][0]["name"] == "复购客户"
        actions = [a[1] for a in await kit.audit(bot, "customer.")]
        assert actions == ["customer.tag", "customer.untag", "customer.vip", "customer.assign"]
        console = [(a, t) for a, _, t in await kit.audit(bot, "console_customer_")]
        assert console == [("console:chen.jing", "wmTag0001")] * 4
    finally:
        await operator.close()
        await bot.stop()


async def test_an_advisor_tags_only_their_customers_and_cannot_set_vip_or_points(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    await kit.customer(bot, "wmMine001", name="林晓", advisor="li.na")
    await kit.customer(bot, "wmOther01", name="周敏", advisor="wang.fang")
    mine, other = await customer_id(bot, "wmMine001"), await customer_id(bot, "wmOther01")
    advisor = await ConsoleClient.login(bot.url, user="li.na")
    try:
        page = (await advisor.get(f"/console/customers/{mine}"))[1]
        assert 'id="tag-add"' in page
        assert "设为 VIP" not in page and 'id="assign"' not in page and 'id="points-adjust"' not in page
        assert (await advisor.post(f"/console/customers/{mine}/tags", {"tag": "+敏感肌"}))[0] == 303
        assert (await advisor.post(f"/console/customers/{other}/tags", {"tag": "+敏感肌"}))[0] == 404
        for path, form in (("vip", {"on": "on"}), ("advisor", {"advisor": "li.na"}),
                           ("points", {"delta": "+100", "reason": "自己加"})):
            assert (await advisor.post(f"/console/customers/{mine}/{path}", form))[0] == 403, path
        customer = await kit.find_customer(bot, "wmMine001")
        assert (customer.is_vip, customer.advisor_userid) == (False, "li.na")
        assert [a[2] for a in await kit.audit(bot, "console_denied")] == [
            f"/console/customers/{mine}/vip", f"/console/customers/{mine}/advisor", f"/console/customers/{mine}/points"]
        assert [t for _, _, t in await kit.audit(bot, "customer.tag")] == ["wmMine001"]
    finally:
        await advisor.close()
        await bot.stop()


async def test_the_queue_page_says_what_being_on_duty_means_out_of_hours(db_url, wecom, clock) -> None:
    """The staff tour: at night /duty said nobody is handed tickets round-robin, the 升级工单 page still said
    "在岗：会被分配转人工工单"."""
    bot = await start(db_url, wecom, clock)
    clock.set(kit.MONDAY_10PM)
    advisor = await ConsoleClient.login(bot.url, user="wang.fang")
    try:
        await advisor.post("/console/escalations/duty", {"on": "on"})
        page = (await advisor.get("/console/escalations"))[1]
        assert "在岗：会被分配转人工工单" not in page
        assert "下班时间不轮流分配工单" in page and "明天 09:00" in page
        clock.set(kit.MONDAY_10AM + 24 * 3600)  # Tuesday morning: working hours again (signed in anew)
        morning = await ConsoleClient.login(bot.url, user="wang.fang")
        page = (await morning.get("/console/escalations"))[1]
        await morning.close()
        assert "在岗：会被分配转人工工单" in page and "下班时间不轮流分配工单" not in page
    finally:
        await advisor.close()
        await bot.stop()


async def test_an_advisor_goes_on_duty_and_gets_the_waiting_ticket(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    await kit.customer(bot, "wmWait001", name="林晓")
    await wecom.customer_says("wmWait001", "我要投诉，转人工")  # nobody on duty: it waits
    await bot.drain()
    advisor = await ConsoleClient.login(bot.url, user="wang.fang")
    try:
        page = (await advisor.get("/console/escalations"))[1]
        assert "不在岗" in page and "上岗</button>" in page
        status, where, _ = await advisor.post("/console/escalations/duty", {"on": "on"})
        assert status == 303
        page = (await advisor.get(where))[1]
        assert "已上岗，开始接收转人工工单。刚从排队中分配了 1 个工单" in page  # what /duty on answers
        assert "下岗</button>" in page
        await bot.drain()
        (ticket,) = await kit.tickets(bot)
        assert ticket.advisor_userid == "wang.fang"
        assert "我要投诉" in wecom.staff_inbox("wang.fang")[0]  # the ticket card
        assert (await advisor.post("/console/escalations/duty", {"on": "off"}))[0] == 303
        assert "已下岗" in (await advisor.get("/console/escalations"))[1]
        assert [(a, t) for a, _, t in await kit.audit(bot, "staff.duty")] == [("wang.fang", "wang.fang")] * 2
        assert [(a, t) for a, _, t in await kit.audit(bot, "console_duty")] == [("console:wang.fang", "wang.fang")] * 2
    finally:
        await advisor.close()
        await bot.stop()
