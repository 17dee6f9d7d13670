"""Staff slash commands through the emulator: only staff, by role, all-or-nothing, with usage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.appkeys import CONTEXTS
from handlers import FEATURES
from storage.models import (
    CheckinCampaign,
    Customer,
    CustomerTag,
    InterestGroup,
    OutboxItem,
    PointsEntry,
    Staff,
    StaffPending,
    SuppressedPush,
    Tag,
    Ticket,
    Topic,
)
from storage.repos import StaffRepo, TagRepo
from tests import escalation_kit as kit

COMMANDS = {c.name: c for feature in FEATURES for c in feature.commands}  # every staff command

clock, bot = kit.clock, kit.bot  # fixtures: Monday 10:00, the bot with the escalation team


async def say(bot, wecom, userid: str, text: str, *, messages: int = 1) -> str:
    """What the member reads back (the last of `messages` texts) after sending `text` to the app."""
    before = len(wecom.staff_inbox(userid))
    await wecom.staff_sends(userid, text)
    await bot.drain()
    replies = wecom.staff_inbox(userid)[before:]
    assert len(replies) == messages, replies
    reply: str = replies[-1]
    return reply


async def state(bot) -> dict[str, Any]:
    """Everything a command could change, minus the reply itself."""
    def rows(items, *skip: str):
        return [{k: v for k, v in vars(r).items() if not k.startswith("_") and k not in skip} for r in items]

    async with bot.sessions() as s:
        return {
            "customers": rows((await s.scalars(select(Customer).order_by(Customer.id))).all(), "last_seen_at"),
            "tags": rows((await s.scalars(select(Tag).order_by(Tag.id))).all()),
            "customer_tags": rows((await s.scalars(select(CustomerTag).order_by(CustomerTag.id))).all()),
            "tickets": rows((await s.scalars(select(Ticket).order_by(Ticket.id))).all()),
            "staff": rows((await s.scalars(select(Staff).order_by(Staff.id))).all()),
            "pending": rows((await s.scalars(select(StaffPending).order_by(StaffPending.id))).all()),
            "points": rows((await s.scalars(select(PointsEntry).order_by(PointsEntry.id))).all()),
            "campaigns": rows((await s.scalars(select(CheckinCampaign).order_by(CheckinCampaign.id))).all()),
            "topics": rows((await s.scalars(select(Topic).order_by(Topic.id))).all()),
            "outbox": rows((await s.scalars(select(OutboxItem).where(OutboxItem.api != "message/send")
                                            .order_by(OutboxItem.id))).all(), "status", "attempts", "sent_at",
                           "result", "lease_until"),
        }


async def seed_two_chen(bot) -> None:
    await kit.customer(bot, "wmChen001", name="陈洁", remark="杭州老客", tags=("VIP",))
    await kit.customer(bot, "wmChen002", name="陈洁", remark="上海新客")
    await kit.customer(bot, "wmZhou001", name="周敏")


# --- who may run commands -------------------------------------------------------------------------


async def test_an_unknown_app_user_is_refused_and_nothing_changes(db_url, wecom, clock) -> None:
    bot = await kit.start(db_url, wecom, clock)
    try:
        await kit.customer(bot, "wmX000001", name="陈洁")
        async with bot.sessions.begin() as s:  # li.na leaves the team: no longer in the staff table
            await s.delete(await s.scalar(select(Staff).where(Staff.userid == "li.na")))
        before = await state(bot)
        reply = await say(bot, wecom, "li.na", "/tag 陈洁 +黑名单")
        assert "还不是已登记" in reply
        assert await state(bot) == before
        assert ("li.na", "command_refused", "/tag") in await kit.audit(bot, "command_refused")
    finally:
        await bot.stop()


async def test_a_customer_typing_a_command_is_answered_as_a_customer(bot, wecom) -> None:
    await kit.customer(bot, "wmCust001", name="陈洁")
    before = await state(bot)
    await wecom.customer_says("wmCust001", "/tag wmCust001 +VIP")
    await bot.drain()
    assert len(wecom.customer_inbox("wmCust001")) == 1  # the persona answered
    after = await state(bot)
    assert after["customer_tags"] == before["customer_tags"] == []
    assert [a for a in await kit.audit(bot) if a[1].startswith("command")] == []


async def test_each_command_needs_its_role(bot, wecom) -> None:
    await seed_two_chen(bot)
    before = await state(bot)
    reply = await say(bot, wecom, "li.na", "/vip wmZhou001 on")  # li.na is an advisor
    assert "运营" in reply
    assert await state(bot) == before
    reply = await say(bot, wecom, "chen.jing", "/broadcast VIP new_arrivals")  # chen.jing is an operator
    assert "管理员" in reply
    assert await state(bot) == before
    assert [a[1] for a in await kit.audit(bot, "command_denied")] == ["command_denied", "command_denied"]


async def test_help_lists_what_your_role_may_run(bot, wecom) -> None:
    advisor = await say(bot, wecom, "li.na", "/help")
    assert "/claim" in advisor and "/broadcast" not in advisor and "顾问" in advisor
    admin = await say(bot, wecom, "zhang.wei", "/help")
    assert all(name in admin for name in COMMANDS)
    assert len(admin.encode()) <= 2048
    # every command still says what it is for (the tour: an admin's help was bare usages, too long with summaries)
    assert "/points <客户> [+N|-N <原因>] — 查看积分流水，或调整积分" in admin, admin
    assert "/claim [工单号] — 接单\n" in admin, admin
    detail = await say(bot, wecom, "li.na", "/help tag")
    assert COMMANDS["/tag"].usage in detail
    typo = await say(bot, wecom, "li.na", "/tga 陈洁 VIP")
    assert "/tag" in typo and "没有找到指令" in typo
    other_name = await say(bot, wecom, "zhang.wei", "/stats")  # spelled nearest /tag, meant the digest
    assert "没有找到指令" in other_name and "/digest" in other_name and "/tag" not in other_name
    assert "/answer" in await say(bot, wecom, "li.na", "/回答 3 有的")


async def test_a_typo_is_proposed_only_as_a_command_the_staff_may_run(bot, wecom) -> None:
    # 2026-12-05 afternoon sandbox: the advisor wang.fang's "/brodcast 明天上新" was proposed /broadcast,
    # which an advisor may not run.
    advisor = await say(bot, wecom, "wang.fang", "/brodcast 明天上新")
    assert "没有找到指令" in advisor and "你是不是想用 /broadcast" not in advisor
    assert "/broadcast 需要「" in advisor and "」权限" in advisor, advisor  # the role quoted, as the console says it
    admin = await say(bot, wecom, "zhang.wei", "/brodcast 明天上新")
    assert "你是不是想用 /broadcast？" in admin, admin


async def test_plain_words_to_the_app_get_an_answer_and_change_nothing(bot, wecom) -> None:
    await kit.customer(bot, "wmX000002", name="陈洁")
    assert "/claim" in await say(bot, wecom, "li.na", "帮助")  # the help, as if /help
    assert "可用指令" in await say(bot, wecom, "li.na", "/帮助")  # with the slash too (the tour: "没有找到指令 /帮助")
    assert "需要角色：顾问" in await say(bot, wecom, "li.na", "/帮助 claim")
    before = await state(bot)
    assert "「/tickets」" in await say(bot, wecom, "li.na", "tickets")  # the slash forgotten: proposed
    proposed = await say(bot, wecom, "li.na", "tag 陈洁 +黑名单")
    assert "「/tag 陈洁 +黑名单」" in proposed  # a change is only proposed
    assert "「/digest」" in await say(bot, wecom, "zhang.wei", "日报")  # another name, proposed with its slash
    chat = await say(bot, wecom, "li.na", "你好，今天有什么要处理的吗")
    assert "/help" in chat
    assert await state(bot) == before


# --- customers ------------------------------------------------------------------------------------


async def test_whois_by_remark_and_a_numbered_choice_for_same_names(bot, wecom) -> None:
    await seed_two_chen(bot)
    reply = await say(bot, wecom, "li.na", "/whois 杭州老客")
    assert "wmChen001" in reply and "VIP：是" in reply
    choice = await say(bot, wecom, "li.na", "/whois 陈洁")
    assert "1." in choice and "2." in choice and "上海新客" in choice
    picked = await say(bot, wecom, "li.na", "2")
    assert "wmChen002" in picked and "VIP：否" in picked
    again = await say(bot, wecom, "li.na", "2")  # the choice was used up
    assert "没有等待你选择" in again


async def test_whois_names_colleagues_as_the_console_does(bot, wecom) -> None:
    """2026-12-06 tour: the choice list said 添加人 zhang.wei; colleagues read 张伟（zhang.wei） everywhere."""
    await kit.customer(bot, "wmChen001", name="陈洁", remark="杭州老客", owner="zhang.wei", advisor="wang.fang")
    await kit.customer(bot, "wmChen002", name="陈洁", remark="上海新客", owner="li.na")
    choice = await say(bot, wecom, "li.na", "/whois 陈洁")
    assert "陈洁 · 备注 杭州老客 · 添加人 张伟（zhang.wei） · wmChen001" in choice, choice
    assert "陈洁 · 备注 上海新客 · 添加人 李娜（li.na） · wmChen002" in choice, choice
    picked = await say(bot, wecom, "li.na", "1")
    assert "专属顾问：王芳（wang.fang）" in picked, picked
    await wecom.customer_says("wmChen001", "转人工")  # to the customer's own advisor, in working hours
    await wecom.customer_says("wmChen002", "转人工")  # nobody on duty: queued
    await bot.drain()
    assert "未结工单：#1（王芳（wang.fang））" in await say(bot, wecom, "li.na", "/whois wmChen001")
    assert "未结工单：#2（排队中）" in await say(bot, wecom, "li.na", "/whois wmChen002")


async def test_whois_says_friend_or_kf_only_as_the_console_does(bot, wecom) -> None:
    """The staff tour: /whois said 状态：正常 where the console and the sidebar say 好友 or 微信客服."""
    await kit.customer(bot, "wmFriend", name="好友客户", owner="zhang.wei")
    await kit.customer(bot, "wmKfOnly", name="客服客户")
    assert "状态：好友" in await say(bot, wecom, "li.na", "/whois wmFriend")
    assert "状态：微信客服" in await say(bot, wecom, "li.na", "/whois wmKfOnly")


async def test_whois_tells_the_points_balance(bot, wecom) -> None:
    """A member's balance beside the level (member26: staff asked it with /points separately)."""
    await seed_two_chen(bot)
    assert "积分：0" in await say(bot, wecom, "li.na", "/whois 杭州老客")
    granted = await say(bot, wecom, "zhang.wei", "/points 杭州老客 +120 活动奖励")
    assert "120" in granted, granted
    assert "积分：120" in await say(bot, wecom, "li.na", "/whois 杭州老客")


async def test_tag_applies_all_tags_or_none(bot, wecom) -> None:
    await seed_two_chen(bot)
    before = await state(bot)
    reply = await say(bot, wecom, "li.na", "/tag 周敏 VIP 高意像")
    assert "没有标签「高意像」" in reply and "用法：/tag" in reply
    assert await state(bot) == before  # VIP was valid but was not applied alone
    reply = await say(bot, wecom, "li.na", "/tag 周敏 VIP +复购客户")
    assert "VIP" in reply and "复购客户" in reply
    async with bot.sessions() as s:
        tags = [t.name for t in await TagRepo(s).of_customer((await kit.find_customer(bot, "wmZhou001")).id)]
    assert sorted(tags) == ["VIP", "复购客户"]
    assert "本来就有这些标签（VIP、复购客户）" in await say(bot, wecom, "li.na", "/tag 周敏 VIP 复购客户")  # which ones
    before = await state(bot)
    bare = await say(bot, wecom, "li.na", "/tag 周敏 + 敏感肌")  # the staff tour: "没有标签「+」。…请在名称前加 +"
    assert "「+」后面要紧跟新标签的名称" in bare and "没有标签「+」" not in bare and "用法：/tag" in bare
    assert await state(bot) == before
    reply = await say(bot, wecom, "li.na", "/untag 周敏 复购客户 高意向")
    assert "没有标签「高意向」" in reply
    reply = await say(bot, wecom, "li.na", "/untag 周敏 复购客户")
    assert "已去掉" in reply


async def test_a_tag_mirrored_in_wecom_is_marked_on_the_customer(bot, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmFriend01", name="林琳", welcome=False)
    await bot.drain()
    async with bot.sessions.begin() as s:
        tag = await TagRepo(s).ensure("意向程度", "高意向", now=bot.clock.now())
        tag.corp_tag_id = wecom.tag_id("高意向")
    await say(bot, wecom, "li.na", "/tag wmFriend01 高意向")
    assert wecom.customer_tags("zhang.wei", "wmFriend01") == ["高意向"]
    await say(bot, wecom, "li.na", "/untag wmFriend01 高意向")
    assert wecom.customer_tags("zhang.wei", "wmFriend01") == []


async def test_assign_refuses_a_disabled_member_by_userid_or_by_name(bot, wecom) -> None:
    await seed_two_chen(bot)
    async with bot.sessions.begin() as s:  # removed from [staff]: the row stays, disabled
        (await StaffRepo(s).find("li.na")).active = False  # type: ignore[union-attr]
    for member in ("li.na", "李娜"):
        reply = await say(bot, wecom, "chen.jing", f"/assign 周敏 {member}")
        assert "李娜（li.na）」已停用，不能指派" in reply and "王芳（wang.fang）" in reply
    assert not (await kit.find_customer(bot, "wmZhou001")).advisor_userid
    assert "王芳" in await say(bot, wecom, "chen.jing", "/assign 周敏 王芳")


async def test_vip_assign_and_optout_change_the_customer(bot, wecom) -> None:
    await seed_two_chen(bot)
    assert "设为 VIP" in await say(bot, wecom, "chen.jing", "/vip 周敏 on")
    assert "李娜（li.na），已通知TA" in await say(bot, wecom, "chen.jing", "/assign 周敏 李娜")
    # the new advisor learns of the customer (the staff tour: nobody told her)
    assert "【新的专属客户】陈静（chen.jing） 把 周敏 交给你做专属顾问" in wecom.staff_inbox("li.na")[-1]
    before = len(wecom.staff_inbox("li.na"))
    assert "已通知" not in await say(bot, wecom, "chen.jing", "/assign 周敏 li.na")  # already hers: nothing new
    assert len(wecom.staff_inbox("li.na")) == before
    await kit.customer(bot, "wmLily001", name="Lily 王")  # a name with a space: the command to send is quoted
    await say(bot, wecom, "chen.jing", "/assign wmLily001 li.na")
    assert '发送 /whois "Lily 王" 查看资料' in wecom.staff_inbox("li.na")[-1]
    assert "wmLily001" in await say(bot, wecom, "li.na", '/whois "Lily 王"')
    assert "退订" in await say(bot, wecom, "chen.jing", "/optout 周敏")
    zhou = await kit.find_customer(bot, "wmZhou001")
    assert (zhou.is_vip, zhou.advisor_userid, zhou.opted_out) == (True, "li.na", True)
    off = await say(bot, wecom, "chen.jing", "/vip 杭州老客 off")
    assert "仍因标签" in off  # the VIP tag still makes her VIP
    actions = [a[1] for a in await kit.audit(bot, "customer.")]
    assert actions == ["customer.vip", "customer.assign", "customer.assign", "customer.assign", "customer.vip"]


# --- tickets --------------------------------------------------------------------------------------


async def test_resolve_hands_the_chat_back_and_the_persona_follows_up(bot, wecom) -> None:
    await kit.customer(bot, "wmRes0001", name="陈洁", vip=True)
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmRes0001", "我要退款")
    await bot.drain()
    assert wecom.kf_session("wmRes0001").state == 3
    await wecom.servicer_says("wmRes0001", "您好，退款已经提交", userid="li.na")
    await bot.drain()
    reply = await say(bot, wecom, "li.na", "/resolve 1 已退款")
    assert "已结单 #1" in reply
    assert wecom.kf_session("wmRes0001").state == 4  # ended: the API cannot move 3 back to the bot
    (trans_end,) = [c for c in wecom.calls("kf/service_state/trans") if c.body["service_state"] == 4]
    assert trans_end.errcode == 0 and "_then" not in trans_end.body
    (handoff, goodbye) = wecom.calls("kf/send_msg_on_event")  # "李娜 is coming" rides on the transfer's code
    assert goodbye.errcode == 0 and goodbye.body["code"] == trans_end.response["msg_code"]
    assert "李娜" in wecom.customer_inbox("wmRes0001")[-1]
    (ticket,) = await kit.tickets(bot)
    assert (ticket.status, ticket.resolved_by, ticket.note) == ("resolved", "li.na", "已退款")
    await wecom.customer_says("wmRes0001", "谢谢你们")
    await bot.drain()
    assert wecom.customer_inbox("wmRes0001")[-1] != goodbye.body["text"]["content"]  # the persona is back
    assert [a[1] for a in await kit.audit(bot, "ticket.")][-1] == "ticket.resolved"


async def test_claim_takes_a_queued_ticket_and_stops_the_clock(bot, wecom, clock) -> None:
    await wecom.customer_says("wmClm0001", "转人工")  # nobody on duty: queued
    await bot.drain()
    assert (await kit.tickets(bot))[0].status == "queued"
    listing = await say(bot, wecom, "li.na", "/tickets")
    assert "#1" in listing and "排队中" in listing
    # 2026-12-06 tour: a bare /claim said only "缺少参数"; it lists what waits to be claimed
    bare = await say(bot, wecom, "wang.fang", "/claim")
    assert bare.startswith("等待接单的工单（共 1 个）：\n#1 ") and "· 客户要求人工 · 排队中 · " in bare, bare
    assert "回复 /claim 工单号 接单，例如 /claim 1。" in bare, bare
    reply = await say(bot, wecom, "li.na", "/claim #1")
    assert "已接单 #1" in reply
    none = await say(bot, wecom, "li.na", "/claim")
    assert none.startswith("现在没有等待接单的工单。你有 1 个未结工单（/tickets mine 查看）。\n"
                           "用法：/claim <工单号>"), none
    assert "/tickets all" not in none  # an advisor may not take a colleague's ticket
    operator = await say(bot, wecom, "chen.jing", "/claim")  # an operator may
    assert operator == ("现在没有等待接单的工单。\n"
                        "用法：/claim <工单号>；接手同事的工单也用 /claim 工单号（/tickets all 查看）"), operator
    (ticket,) = await kit.tickets(bot)
    assert (ticket.status, ticket.advisor_userid) == ("assigned", "li.na")
    assert ticket.first_response_at is not None
    assert wecom.kf_session("wmClm0001").servicer_userid == "li.na"
    # 2026-12-06 sandbox: colleagues were named by userid alone ("由 li.na 负责"); the console says 李娜（li.na）
    other = await say(bot, wecom, "wang.fang", "/claim 1")
    assert "由 李娜（li.na） 负责；需要运营或管理员才能接手" in other, other
    assert "由 李娜（li.na） 负责，只有TA" in await say(bot, wecom, "wang.fang", "/resolve 1")
    # her own ticket claimed again: told it is hers already, not "已接单" twice on the ticket (the staff tour)
    steps = len(await kit.audit(bot, "ticket.claimed"))
    assert steps >= 1
    again = await say(bot, wecom, "li.na", "/claim 1")
    assert again.startswith("工单 #1（") and "已经在你这里了" in again and "/resolve 1" in again, again
    assert "用法" not in again and len(await kit.audit(bot, "ticket.claimed")) == steps
    assert "· 客户要求人工 · 李娜（li.na） · " in await say(bot, wecom, "chen.jing", "/tickets")
    clock.advance(3600)
    await kit.watch(bot)
    assert not any("首响时限" in t for t in wecom.staff_inbox("li.na"))
    await say(bot, wecom, "li.na", "/resolve 1")
    done = await say(bot, wecom, "wang.fang", "/resolve 1")
    assert "已于" in done and "由 李娜（li.na） 结单" in done, done


async def test_going_on_duty_takes_the_waiting_tickets(bot, wecom) -> None:
    await wecom.customer_says("wmDuty001", "我要投诉")
    await bot.drain()
    reply = await say(bot, wecom, "wang.fang", "/duty on", messages=2)  # the ticket card, then the answer
    assert "分配了 1 个" in reply
    assert "我要投诉" in wecom.staff_inbox("wang.fang")[0]
    assert (await kit.tickets(bot))[0].advisor_userid == "wang.fang"
    assert "下岗" in await say(bot, wecom, "wang.fang", "/duty off")
    # 2026-12-06 sandbox: a bare "/duty" said only "缺少参数"; it tells whether you are on duty, changing nothing
    assert "你现在不在岗，不会被分配转人工工单；发送 /duty on 上岗。你有 1 个未结工单。" in \
        await say(bot, wecom, "wang.fang", "/duty")
    await say(bot, wecom, "wang.fang", "/duty on")
    assert "你现在在岗" in await say(bot, wecom, "wang.fang", "/duty")
    assert "下班时间" not in await say(bot, wecom, "wang.fang", "/duty")  # Monday 10:00: working hours


async def test_going_on_duty_out_of_hours_says_what_that_means(bot, wecom, clock) -> None:
    """2026-12-06 tour: "/duty on" at night said "开始接收转人工工单" as by day. Out of hours Wanzi gives an on-duty
    member only the customers whose own advisor they are; the others hear a colleague answers from the opening."""
    clock.set(kit.MONDAY_10PM)
    await kit.customer(bot, "wmNight01", name="夜猫", advisor="wang.fang")
    await kit.customer(bot, "wmNight02", name="晚归")
    await wecom.customer_says("wmNight01", "转人工")
    await wecom.customer_says("wmNight02", "转人工")
    await bot.drain()
    reply = await say(bot, wecom, "wang.fang", "/duty on", messages=2)  # 夜猫's ticket card, then the answer
    assert reply.startswith("已上岗。刚从排队中分配了 1 个工单；你现在有 1 个未结工单。\n"), reply
    assert ("注意：现在是下班时间（工作时间：每天 09:00-21:00），下班时间不轮流分配工单：只有你是专属顾问的客户转人工会"
            "直接交给你；其他客户会被告知明天 09:00 上班后有同事回复，工单等到那时再分配。"
            "想现在处理，发送 /claim 查看等待接单的工单。") in reply, reply
    assert "开始接收转人工工单" not in reply
    assert (await say(bot, wecom, "wang.fang", "/duty")).startswith(
        "你现在在岗；发送 /duty off 下岗。你有 1 个未结工单。\n注意：现在是下班时间")
    assert "#2 晚归" in await say(bot, wecom, "wang.fang", "/claim")


# --- broadcast ------------------------------------------------------------------------------------


async def test_broadcast_counts_the_audience_and_sends_only_after_confirm(bot, wecom, clock) -> None:
    await wecom.add_friend("li.na", "wmBcF0001", name="林琳", welcome=False)
    await wecom.customer_says("wmBcK0001", "你好")
    await bot.drain()
    for ext in ("wmBcF0001", "wmBcK0001", "wmBcOut01"):
        await kit.customer(bot, ext, tags=("VIP",))
    async with bot.sessions.begin() as s:
        out = await s.scalar(select(Customer).where(Customer.external_userid == "wmBcOut01"))
        out.opted_out = True
    kf_before = len(wecom.calls("kf/send_msg"))
    preview = await say(bot, wecom, "zhang.wei", "/broadcast VIP new_arrivals")
    assert "可触达 2 人" in preview and "已退订 1 人" in preview and "/confirm" in preview
    assert "微信客服 48 小时内 1 人" in preview and "企业微信好友 1 人（生成群发任务，需 1 位员工" in preview
    assert len(wecom.calls("kf/send_msg")) == kf_before and wecom.calls("add_msg_template") == []
    sent = await say(bot, wecom, "zhang.wei", "/confirm", messages=2)
    assert "已确认" in wecom.staff_inbox("zhang.wei")[-2]
    assert "已全部排入发送队列：2 人" in sent
    assert "新品" in wecom.customer_inbox("wmBcK0001")[-1]
    (task,) = wecom.calls("externalcontact/add_msg_template")
    assert task.errcode == 0 and task.body["sender"] == "li.na" and task.body["external_userid"] == ["wmBcF0001"]
    assert "已退订" not in wecom.customer_inbox("wmBcOut01")
    async with bot.sessions() as s:  # pushes are the outbox kind the frequency cap applies to
        rows = (await s.scalars(select(OutboxItem).order_by(OutboxItem.id.desc()).limit(3))).all()
    assert {(r.api, r.kind) for r in rows} >= {("kf/send_msg", "push"), ("externalcontact/add_msg_template", "push")}
    assert "没有待确认" in await say(bot, wecom, "zhang.wei", "/confirm")  # used up


async def test_a_broadcast_to_an_unknown_tag_or_without_template_names_what_there_is(bot, wecom) -> None:
    # 2026-12-06 sandbox: "/broadcast 护肤 x" was told to create the tag with "+" (a new tag has nobody
    # to send to), "/broadcast VIP" only "缺少参数", and "/untag 林晓 不存在" the same "+" hint.
    assert "还没有任何标签" in await say(bot, wecom, "zhang.wei", "/broadcast 护肤 new_arrivals")
    await seed_two_chen(bot)
    unknown = await say(bot, wecom, "zhang.wei", "/broadcast 护肤 new_arrivals")
    assert "没有标签「护肤」。现有标签：VIP" in unknown and "+" not in unknown, unknown
    typo = await say(bot, wecom, "zhang.wei", "/broadcast VIPP new_arrivals")
    assert "你是不是想找「VIP」" in typo, typo
    bare = await say(bot, wecom, "zhang.wei", "/broadcast VIP")
    assert "请写上群发模板" in bare and "member_day、new_arrivals" in bare and "用法：/broadcast" in bare, bare
    # the tour of 2026-12-06: the keys alone ("member_day、new_arrivals") did not say which was the spring launch;
    # each is listed with the start of its text, and "/broadcast" alone lists them too
    for reply in (bare, await say(bot, wecom, "zhang.wei", "/broadcast")):
        assert "· new_arrivals：" in reply and "春季新品到啦" in reply and "· member_day：" in reply, reply
    untag = await say(bot, wecom, "li.na", "/untag 杭州老客 护肤")
    assert "没有标签「护肤」（现有：VIP）" in untag and "新建标签" not in untag, untag


async def test_a_large_broadcast_is_queued_in_chunks_once_per_customer(bot, wecom, clock, monkeypatch) -> None:
    from handlers.broadcast import service as broadcast

    monkeypatch.setattr(broadcast, "CHUNK", 3)
    customers = [f"wmBcChunk{i}" for i in range(7)]
    for ext in customers:
        await wecom.customer_says(ext, "你好")
    await bot.drain()
    for ext in customers:
        await kit.customer(bot, ext, tags=("VIP",))
    await say(bot, wecom, "zhang.wei", "/broadcast VIP new_arrivals")
    done = await say(bot, wecom, "zhang.wei", "/confirm", messages=2)
    assert "已全部排入发送队列：7 人" in done
    for ext in customers:
        assert sum("新品" in t for t in wecom.customer_inbox(ext)) == 1, ext


async def test_a_broadcast_obeys_the_frequency_cap(bot, wecom, clock) -> None:
    """A broadcast beyond the daily push cap waits for the next day; none beyond the weekly cap."""
    await wecom.customer_says("wmBcCap01", "你好")
    await bot.drain()
    await kit.customer(bot, "wmBcCap01", tags=("VIP",))
    cap = bot.app[CONTEXTS].services.push_gate.cadence.daily_cap
    for _ in range(cap):
        await say(bot, wecom, "zhang.wei", "/broadcast VIP new_arrivals")
        await say(bot, wecom, "zhang.wei", "/confirm", messages=2)
    pushes_before = len(wecom.customer_inbox("wmBcCap01"))
    await say(bot, wecom, "zhang.wei", "/broadcast VIP member_day")
    await say(bot, wecom, "zhang.wei", "/confirm", messages=2)
    assert len(wecom.customer_inbox("wmBcCap01")) == pushes_before  # not today
    async with bot.sessions() as s:
        later = (await s.scalars(select(OutboxItem).where(OutboxItem.kind == "push")
                                 .order_by(OutboxItem.id.desc()))).first()
    assert later.status == "pending" and later.due_at > clock.now() + timedelta(hours=6)
    weekly = bot.app[CONTEXTS].services.push_gate.cadence.weekly_cap
    for _ in range(weekly):  # past the week's cap (or the kf slots): dropped, with the reason
        await say(bot, wecom, "zhang.wei", "/broadcast VIP member_day")
        await say(bot, wecom, "zhang.wei", "/confirm", messages=2)
    async with bot.sessions() as s:
        reasons = {r.reason for r in (await s.scalars(select(SuppressedPush))).all()}
    assert reasons and reasons <= {"weekly_cap", "kf_limit"}


async def test_an_unconfirmed_broadcast_expires(bot, wecom, clock) -> None:
    await wecom.customer_says("wmBcK0002", "你好")
    await bot.drain()
    await kit.customer(bot, "wmBcK0002", tags=("VIP",))
    await say(bot, wecom, "zhang.wei", "/broadcast VIP member_day")
    clock.advance(11 * 60)
    before = await state(bot)
    assert "没有待确认" in await say(bot, wecom, "zhang.wei", "/confirm")
    assert await state(bot) == before


# --- community and the digest ----------------------------------------------------------------------


async def test_points_are_adjusted_by_name_with_a_reason_and_audited(bot, wecom) -> None:
    await seed_two_chen(bot)
    reply = await say(bot, wecom, "chen.jing", "/points 周敏 +50 线下活动奖励")
    assert "周敏" in reply and "+50" in reply and "当前 50 分" in reply
    reply = await say(bot, wecom, "chen.jing", "/points wmZhou001 -20 误发扣回")
    assert "当前 30 分" in reply
    async with bot.sessions() as s:
        ledger = [(e.delta, e.reason, e.source) for e in (await s.scalars(select(PointsEntry))).all()]
    assert ledger == [(50, "线下活动奖励", "staff:chen.jing"), (-20, "误发扣回", "staff:chen.jing")]
    assert [a[2] for a in await kit.audit(bot, "points_adjust")] == ["wmZhou001", "wmZhou001"]


async def test_points_shows_the_balance_and_the_recent_ledger(bot, wecom) -> None:
    await seed_two_chen(bot)
    await say(bot, wecom, "chen.jing", "/points 周敏 +50 线下活动奖励")
    await say(bot, wecom, "chen.jing", "/points 周敏 -20 误发扣回")
    reply = await say(bot, wecom, "chen.jing", "/points 周敏")
    assert "30 分" in reply and "+50 线下活动奖励" in reply and "-20 误发扣回" in reply


async def test_interest_groups_are_added_linked_and_listed(bot, wecom) -> None:
    await wecom.create_group("wrSkin0001", "wang.fang", "柚见护肤交流1群")
    await bot.drain()
    assert "护肤同好会" in await say(bot, wecom, "chen.jing", "/group add skincare 护肤同好会 护肤")
    reply = await say(bot, wecom, "chen.jing", "/group link skincare wrSkin0001")
    assert "wrSkin0001" in reply
    await bot.drain()
    assert [c.body["chat_id"] for c in wecom.calls("externalcontact/groupchat/get")] == ["wrSkin0001"]
    listed = await say(bot, wecom, "chen.jing", "/group list")
    assert "skincare「护肤同好会」：1 个客户群" in listed
    # each chat with its owner, who confirms the posts, named as staff read colleagues (not "群主 wang.fang")
    assert "（群主 王芳（wang.fang））" in listed, listed


async def test_a_referral_campaign_is_created_listed_and_ended(bot, wecom) -> None:
    reply = await say(bot, wecom, "chen.jing", "/referral create spring 春日邀请 li.na 10=面霜1瓶 20=面霜2瓶")
    assert "春日邀请" in reply
    listed = await say(bot, wecom, "chen.jing", "/referral list")
    assert "spring 春日邀请（接待：李娜（li.na），档位：" in listed, listed  # not "接待：li.na"
    assert "spring 春日邀请" in listed and "10人→面霜1瓶" in listed and "20人→面霜2瓶" in listed
    assert "还没有人达到奖励档位" in await say(bot, wecom, "chen.jing", "/referral winners spring")
    assert "还没有人达到奖励档位" in await say(bot, wecom, "chen.jing", "/referral winners 春日邀请")  # by its name
    assert "现有：spring（春日邀请）" in await say(bot, wecom, "chen.jing", "/referral winners 秋日邀请")
    # 2026-12-06 sandbox: "/campaign stats" alone said only "缺少参数"; now it names the campaigns to pick from
    bare = await say(bot, wecom, "chen.jing", "/referral winners")
    assert "请写上邀请活动的标识或名称；现有：spring（春日邀请）" in bare and "用法：/referral" in bare, bare
    assert "已结束" in await say(bot, wecom, "chen.jing", "/referral end spring")
    assert "没有进行中的邀请活动" in await say(bot, wecom, "chen.jing", "/referral list")


async def test_a_campaign_is_created_listed_summarised_and_ended(bot, wecom, clock) -> None:
    reply = await say(bot, wecom, "chen.jing", "/campaign create read21 21天阅读打卡 2026-03-02 21")
    assert "21天阅读打卡" in reply and "2026-03-02" in reply and "21 天" in reply
    await wecom.customer_says("wmReader1", "打卡")
    await bot.drain()
    assert "read21" in await say(bot, wecom, "chen.jing", "/campaign list")
    stats = await say(bot, wecom, "chen.jing", "/campaign stats read21")
    assert "参与 1 人" in stats and "D1 100%" in stats
    assert "参与 1 人" in await say(bot, wecom, "chen.jing", "/campaign stats 21天阅读打卡")  # by its name
    assert "现有：read21（21天阅读打卡）" in await say(bot, wecom, "chen.jing", "/campaign stats 阅读打卡")
    which = await say(bot, wecom, "chen.jing", "/campaign stats")
    assert "请写上打卡活动的标识或名称；现有：read21（21天阅读打卡）" in which, which
    assert "请写上打卡活动的标识或名称" in await say(bot, wecom, "chen.jing", "/campaign end")
    assert "已结束" in await say(bot, wecom, "chen.jing", "/campaign end read21")
    assert "（已结束）" in await say(bot, wecom, "chen.jing", "/campaign list")


async def test_topics_are_added_listed_and_paused(bot, wecom) -> None:
    async with bot.sessions.begin() as s:
        s.add(InterestGroup(key="skincare", name="护肤同好会", tag="护肤", chat_name_contains="护肤",
                            created_at=bot.clock.now()))
    reply = await say(bot, wecom, "chen.jing", "/topic add skincare 换季了，大家的护肤步骤有什么变化吗？")
    topic_id = int(reply.split("#")[1].split()[0])
    assert "换季了" in await say(bot, wecom, "chen.jing", "/topic list skincare")
    assert "已暂停" in await say(bot, wecom, "chen.jing", f"/topic pause {topic_id}")
    assert "⏸" in await say(bot, wecom, "chen.jing", "/topic list")
    assert "已恢复" in await say(bot, wecom, "chen.jing", f"/topic resume #{topic_id}")


async def test_digest_answers_with_the_days_numbers_as_markdown(bot, wecom, clock) -> None:
    await wecom.customer_says("wmDigest1", "你们几点关门？")
    await bot.drain()
    clock.advance(24 * 3600)
    reply = await say(bot, wecom, "chen.jing", "/digest")
    assert "2026-03-02" in reply and "未回答问题" in reply and "/console/digest?date=2026-03-02" in reply
    assert reply.rstrip().endswith("发送 /digest 今天</font>"), reply  # yesterday's by default: today is one word away
    (call,) = [c for c in wecom.calls("message/send") if c.body.get("touser") == "chen.jing"][-1:]
    assert call.body["msgtype"] == "markdown"
    assert "2026-03-01" in await say(bot, wecom, "chen.jing", "/digest 2026-03-01")
    # as an operator says the day (the sandbox's manager tried "/digest 今天" on the first day)
    assert "2026-03-02" in await say(bot, wecom, "chen.jing", "/digest 昨天")
    today = await say(bot, wecom, "chen.jing", "/digest 今天")
    assert "2026-03-03" in today and "/console/digest?date=2026-03-03" in today, today
    assert "发送 /digest 今天" not in today
    assert "2026-03-01" in await say(bot, wecom, "chen.jing", "/digest 3月1日")
    assert "2026-03-01" in await say(bot, wecom, "chen.jing", "/digest 3-1")
    # a day not begun is told as one, with its date, and a word that is no date lists the forms (staff tour)
    tomorrow = await say(bot, wecom, "chen.jing", "/digest 明天")
    assert "2026-03-04 还没到" in tomorrow and "/digest 今天" in tomorrow and "不是日期" not in tomorrow
    assert "3月10日、今天、昨天或前天" in await say(bot, wecom, "chen.jing", "/digest 上周")


# --- every bad input: a short answer with the usage line, and no change ---------------------------

BAD_INPUTS = [
    "/help nosuch", "/whois", "/whois 没这个人", "/whois 周敏 多余",
    "/tag", "/tag 周敏", "/tag 周敏 不存在的标签", "/tag 没这个人 VIP",
    "/untag 周敏", "/untag 周敏 VIP", "/untag 周敏 不存在的标签",
    "/vip 周敏", "/vip 周敏 maybe", "/vip 没这个人 on",
    "/assign 周敏", "/assign 周敏 nobody", "/assign 没这个人 li.na",
    "/tickets bogus", "/claim 1 2", "/claim abc", "/claim 999", "/resolve", "/resolve x", "/resolve 999",
    "/duty maybe", "/duty on off", "/optout", "/optout 没这个人",
    "/broadcast", "/broadcast VIP", "/broadcast 没这个标签 new_arrivals", "/broadcast VIP 没这个模板",
    "/broadcast 高意向 new_arrivals", "/confirm now", "/confirm",
    "/topic", "/topic bogus", "/topic add 春季护肤", "/topic add 没这个群 春季护肤话题", "/topic list 没这个群",
    "/topic pause", "/topic pause abc", "/topic pause 999", "/topic resume 999",
    "/campaign", "/campaign bogus", "/campaign create", "/campaign create read21 阅读打卡 2026-13-01 21",
    "/campaign create read21 阅读打卡 2026-03-10 21天", "/campaign create read21 阅读打卡 2026-03-10 0",
    "/campaign create spring_reading_campaign_2026_extra 阅读打卡 2026-03-10 21",
    "/campaign list all", "/campaign stats", "/campaign stats nosuch", "/campaign end nosuch",
    "/points", "/points 周敏 +10", "/points 周敏 10 好评", "/points 周敏 +ten 好评", "/points 周敏 +0 好评",
    "/points 没这个人 +10 好评", "/digest 2026-13-01", "/digest 上周", "/digest 2026-03-01 2026-03-02",
    "/digest 2026-03-03", "/digest 3-3", "/digest 2月30日", "/digest 明天", "/digest 后天",
    "/group", "/group bogus", "/group add skincare", "/group link 没这个群 wrSkin0001", "/group list extra",
    "/referral", "/referral bogus", "/referral create spring 春日邀请 li.na 10面霜",
    "/referral create spring 春日邀请 nobody 10=面霜", "/referral end nosuch", "/referral winners nosuch",
    "/referral list all", "/points 没这个人",
    "/redeem bogus", "/redeem done", "/redeem done abc", "/redeem done 999", "/redeem list extra",
    "/export", "/export 没这个人", "/erase", "/erase 没这个人", "/erase 周敏 多余", "/erase confirm",
    "/questions all", "/questions close", "/questions close abc", "/questions close 999",
    "/answer", "/answer 12", "/answer 12 +faq", "/answer abc 你好", "/answer 999 你好",
    "/koc bogus", "/koc tga", "/koc 0", "/koc 51", "/koc tag x", "/koc 5 6", "/koc tag 5 6", "/koc tag",
    "/suggestions 0", "/suggestions abc", "/suggestions 5 6",
]


async def test_every_bad_command_answers_with_its_usage_and_changes_nothing(bot, wecom) -> None:
    # One bot for all cases (starting one per case tripled the suite's time); each case is
    # checked on its own and every failure is reported together.
    await seed_two_chen(bot)
    async with bot.sessions.begin() as s:
        await TagRepo(s).ensure("意向程度", "高意向", now=bot.clock.now())  # a tag nobody has
    failures = []
    for line in BAD_INPUTS:
        bot.clock.advance(3)  # WeCom drops app messages past 30 a minute to one member (outbound.md §1)
        before = await state(bot)
        reply = await say(bot, wecom, "zhang.wei", line)
        command = COMMANDS[line.split()[0]]
        if f"用法：{command.usage}" not in reply or len(reply) >= 300:
            failures.append(f"{line}: no short answer with the usage line: {reply!r}")
        if await state(bot) != before:
            failures.append(f"{line}: changed something")
    assert failures == []


async def test_a_command_failing_after_a_write_leaves_nothing_behind(bot, wecom, monkeypatch) -> None:
    from bot.commands import Command
    from bot.errors import CommandError
    from handlers.staff.parsing import no_args

    async def half_then_fail(ctx, _):
        customer = await ctx.repos.customers.find("wmZhou001")
        customer.is_vip = True
        tag = await ctx.repos.tags.ensure("员工标签", "半途", now=ctx.clock.now())
        await ctx.repos.tags.attach(customer.id, tag, source="test", now=ctx.clock.now())
        ctx.outbox.kf_send("wkWanziDemoKf01", customer, "不该发出")
        raise CommandError("第二步失败了。")

    half = Command("/half", "advisor", "/half", "test", no_args, half_then_fail)
    monkeypatch.setitem(bot.app[CONTEXTS].services.commands, "/half", half)
    await seed_two_chen(bot)
    before = await state(bot)
    reply = await say(bot, wecom, "li.na", "/half")
    assert "第二步失败了" in reply and "用法：/half" in reply
    assert await state(bot) == before


def test_every_command_has_a_bad_input_case() -> None:
    assert {line.split()[0] for line in BAD_INPUTS} == set(COMMANDS)


async def test_help_leaves_no_audit_row_but_a_command_that_shows_a_customer_does(bot, wecom) -> None:
    await seed_two_chen(bot)
    assert "/help" in await say(bot, wecom, "li.na", "/help")
    assert [a for a in await kit.audit(bot) if a[1] == "command"] == []  # read-only: nothing to audit
    await say(bot, wecom, "li.na", "/whois wmZhou001")
    assert [a for a in await kit.audit(bot) if a[1] == "command"] == [("li.na", "command", "/whois")]
    assert [c.name for c in COMMANDS.values() if c.read_only] == ["/help"]
