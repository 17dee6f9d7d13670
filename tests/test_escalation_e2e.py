"""Escalation through the emulator: a VIP's refund question reaches an advisor with context, the
kf chat moves to them and the persona stays silent; SLA breaches remind, then re-route."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import UnansweredQuestion
from tests import escalation_kit as kit

clock, bot = kit.clock, kit.bot  # fixtures: Monday 10:00, the bot with the escalation team


async def test_a_vip_refund_question_reaches_the_advisor_with_context(bot, wecom) -> None:
    await kit.customer(bot, "wmVip0001", name="陈洁", tags=("VIP",))
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmVip0001", "你好呀")
    await bot.drain()
    await wecom.customer_says("wmVip0001", "上周买的面霜用了过敏，我想退款")
    await bot.drain()

    (ticket,) = await kit.tickets(bot)
    assert (ticket.status, ticket.advisor_userid, ticket.reason) == ("assigned", "li.na", "sensitive:退款")
    (card,) = wecom.staff_inbox("li.na")
    assert "退款" in card and "陈洁" in card and "VIP" in card
    assert "你好呀" in card  # the earlier message travels with the ticket
    assert f"/console/tickets/{ticket.id}" in card
    session = wecom.kf_session("wmVip0001")
    assert (session.state, session.servicer_userid) == (3, "li.na")
    assert "李娜" in wecom.customer_inbox("wmVip0001")[-1]  # the persona said who is coming

    answers = len(wecom.customer_inbox("wmVip0001"))
    sends = len(wecom.calls("kf/send_msg"))
    await wecom.customer_says("wmVip0001", "在吗？多久能退？")
    await wecom.customer_says("wmVip0001", "好的")
    await bot.drain()
    assert len(wecom.customer_inbox("wmVip0001")) == answers  # silent while the advisor has the chat
    assert len(wecom.calls("kf/send_msg")) == sends
    assert len(await kit.tickets(bot)) == 1


async def test_a_vip_question_escalates_but_small_talk_does_not(bot, wecom) -> None:
    await kit.customer(bot, "wmVip0002", vip=True)
    await kit.on_duty(bot, "wang.fang")
    await wecom.customer_says("wmVip0002", "谢谢你，今天心情很好")
    await bot.drain()
    assert await kit.tickets(bot) == []
    await wecom.customer_says("wmVip0002", "这款精华敏感肌能用吗")  # no question mark, still a question
    await bot.drain()
    (ticket,) = await kit.tickets(bot)
    assert (ticket.reason, ticket.advisor_userid, ticket.level) == ("vip_question", "wang.fang", "vip")


async def test_a_regular_customer_question_the_persona_cannot_answer_is_recorded_not_escalated(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmReg0001", "你们的门店几点关门？")
    await bot.drain()
    assert await kit.tickets(bot) == []
    assert len(wecom.customer_inbox("wmReg0001")) == 1  # the persona's honest fallback
    async with bot.sessions() as s:
        questions = (await s.scalars(select(UnansweredQuestion))).all()
    assert [(q.text, q.status) for q in questions] == [("你们的门店几点关门？", "open")]


async def test_anyone_asking_for_a_person_gets_one(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmReg0002", "转人工")
    await bot.drain()
    (ticket,) = await kit.tickets(bot)
    assert (ticket.reason, ticket.advisor_userid) == ("asked_for_human", "li.na")
    assert wecom.kf_session("wmReg0002").state == 3


async def test_on_duty_advisors_take_turns_and_the_own_advisor_comes_first(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na", "wang.fang")
    await kit.customer(bot, "wmOwn0001", advisor="wang.fang")
    for ext in ("wmRr00001", "wmRr00002", "wmRr00003"):
        await wecom.customer_says(ext, "人工客服在吗")
        await bot.drain()
    await wecom.customer_says("wmOwn0001", "我要投诉")
    await bot.drain()
    assert [t.advisor_userid for t in await kit.tickets(bot)] == ["li.na", "wang.fang", "li.na", "wang.fang"]


async def test_out_of_hours_the_customer_gets_a_promise_and_the_ticket_waits(bot, wecom, clock) -> None:
    clock.set(kit.MONDAY_10PM)
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmLate001", "我要退货")
    await bot.drain()
    (ticket,) = await kit.tickets(bot)
    assert ticket.status == "queued"
    assert "明天 09:00" in wecom.customer_inbox("wmLate001")[-1]
    assert wecom.kf_session("wmLate001").state == 0  # the persona still has the chat
    await kit.watch(bot)
    assert (await kit.tickets(bot))[0].status == "queued"  # nobody works at 22:00, on duty or not
    clock.advance(11 * 3600)  # Tuesday 09:00
    assert await kit.watch(bot)
    (ticket,) = await kit.tickets(bot)
    assert (ticket.status, ticket.advisor_userid) == ("assigned", "li.na")
    assert wecom.kf_session("wmLate001").servicer_userid == "li.na"
    assert "退货" in wecom.staff_inbox("li.na")[0]


async def test_sla_breach_reminds_the_advisor_then_reroutes_to_a_lead(bot, wecom, clock) -> None:
    await kit.customer(bot, "wmSla0001", name="周敏", vip=True)
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmSla0001", "我要退款")
    await bot.drain()
    await kit.watch(bot)
    clock.advance(14 * 60)
    await kit.watch(bot)
    assert len(wecom.staff_inbox("li.na")) == 1  # only the ticket card: 15 min for VIPs not over yet
    clock.advance(2 * 60)
    await kit.watch(bot)
    reminder = wecom.staff_inbox("li.na")[-1]
    assert "首响时限" in reminder and "周敏" in reminder
    clock.advance(5 * 60)
    await kit.watch(bot)
    assert wecom.staff_inbox("wang.fang") == []  # the advisor still has time after the reminder
    clock.advance(6 * 60)
    await kit.watch(bot)
    (card,) = wecom.staff_inbox("wang.fang")
    assert "超时" in card and "周敏" in card
    assert "王芳" in wecom.staff_inbox("li.na")[-1]
    session = wecom.kf_session("wmSla0001")
    assert (session.state, session.servicer_userid) == (3, "wang.fang")
    (ticket,) = await kit.tickets(bot)
    assert (ticket.advisor_userid, ticket.sla_stage) == ("wang.fang", 2)
    actions = [a[1] for a in await kit.audit(bot, "ticket.")]
    assert actions == ["ticket.opened", "ticket.assigned", "ticket.reminded", "ticket.assigned", "ticket.rerouted"]
    clock.advance(60 * 60)
    await kit.watch(bot)
    assert len(wecom.staff_inbox("wang.fang")) == 1  # a lead is not chased again


async def test_a_servicer_reply_meets_the_sla(bot, wecom, clock) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmAns0001", "我要投诉快递")
    await bot.drain()
    await kit.watch(bot)
    await wecom.servicer_says("wmAns0001", "您好，我是李娜，马上帮您查", userid="li.na")
    await bot.drain()
    clock.advance(3600)
    await kit.watch(bot)
    assert len(wecom.staff_inbox("li.na")) == 1  # no reminder
    (ticket,) = await kit.tickets(bot)
    assert ticket.first_response_at is not None and ticket.sla_stage == 0


async def test_a_servicer_ending_the_chat_closes_the_ticket_and_the_persona_follows_up(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmEnd0001", "人工")
    await bot.drain()
    await wecom.servicer_says("wmEnd0001", "已经帮您处理好了", userid="li.na")
    await wecom.servicer_ends_session("wmEnd0001")
    await bot.drain()
    (ticket,) = await kit.tickets(bot)
    assert (ticket.status, ticket.resolved_by) == ("resolved", "li.na")
    (handoff, goodbye) = wecom.calls("kf/send_msg_on_event")  # "李娜 is coming" rides on the transfer's code
    assert goodbye.errcode == 0 and "李娜" in goodbye.body["text"]["content"]
    await wecom.customer_says("wmEnd0001", "好的谢谢")
    await bot.drain()
    assert wecom.customer_inbox("wmEnd0001")[-1] != goodbye.body["text"]["content"]  # the persona answers again


async def test_a_refused_transfer_tells_the_advisor_and_gives_the_chat_back_to_the_persona(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.servicer_status("li.na", receiving=False)  # 95019 for a transfer to her
    await bot.drain()
    await wecom.customer_says("wmFail001", "我要退款")
    await bot.drain()
    assert [c.errcode for c in wecom.calls("kf/service_state/trans")] == [95019]
    await kit.watch(bot)
    clock_free = await kit.tickets(bot)
    assert clock_free[0].kf_servicer == ""
    assert "没能转给你" in wecom.staff_inbox("li.na")[-1]
    answers = len(wecom.customer_inbox("wmFail001"))
    await wecom.customer_says("wmFail001", "好的")
    await bot.drain()
    assert len(wecom.customer_inbox("wmFail001")) == answers + 1


async def test_a_long_history_is_cut_to_the_card_limit_keeping_question_and_link(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    for i in range(10):
        await wecom.customer_says("wmLong001", f"第{i}条：" + "我想详细说说我的皮肤状况，" * 12)
    await wecom.customer_says("wmLong001", "算了，帮我转人工吧")
    await bot.drain()
    (call,) = wecom.calls("message/send")
    assert call.errcode == 0
    content = call.body["markdown"]["content"]
    assert len(content.encode()) <= 2048
    assert "帮我转人工吧" in content and "/console/tickets/1" in content
    assert "第9条" in content and "第0条" not in content  # the oldest messages were dropped first


async def test_the_ticket_watch_is_scheduled_every_minute(bot, clock) -> None:
    from bot.appkeys import SCHEDULER

    scheduler = bot.app[SCHEDULER]
    clock.advance(30)
    assert await scheduler.tick() == []
    clock.advance(31)
    assert "escalation.watch_tickets" in [name for name, _ in await scheduler.tick()]  # with other every-minute jobs


async def test_a_ticket_nobody_takes_in_working_hours_alerts_a_lead_once(bot, wecom, clock) -> None:
    await wecom.customer_says("wmQue0001", "我要投诉")  # nobody on duty
    await bot.drain()
    assert "顾问" in wecom.customer_inbox("wmQue0001")[-1]  # the in-hours queue promise
    clock.advance(29 * 60)
    await kit.watch(bot)
    assert wecom.staff_inbox("wang.fang") == []
    clock.advance(2 * 60)
    await kit.watch(bot)
    (alert,) = wecom.staff_inbox("wang.fang")
    assert "无人接待" in alert and "/claim 1" in alert
    clock.advance(10 * 60)
    await kit.watch(bot)
    assert len(wecom.staff_inbox("wang.fang")) == 1


async def test_servicers_moving_the_chat_in_the_client_move_the_ticket(bot, wecom) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmMov0001", "转人工")
    await bot.drain()
    await wecom.servicer_transfers("wmMov0001", "wang.fang")
    await bot.drain()
    (ticket,) = await kit.tickets(bot)
    assert (ticket.advisor_userid, ticket.kf_servicer) == ("wang.fang", "wang.fang")
    assert "ticket.kf_transferred" in [a[1] for a in await kit.audit(bot, "ticket.")]


async def test_a_servicer_reopening_an_ended_chat_keeps_the_persona_quiet(bot, wecom) -> None:
    await wecom.customer_enters_kf("wmReo0001", welcome=False)  # the session is "ended / not started" (4)
    await bot.drain()
    await wecom.servicer_says("wmReo0001", "您好，上次的问题还需要帮忙吗？", userid="li.na")  # re-opens: change_type 4
    await bot.drain()
    (ticket,) = await kit.tickets(bot)
    assert (ticket.reason, ticket.advisor_userid, ticket.status) == ("servicer", "li.na", "assigned")
    assert ticket.first_response_at is not None
    answers = len(wecom.customer_inbox("wmReo0001"))
    await wecom.customer_says("wmReo0001", "需要的，谢谢")
    await bot.drain()
    assert len(wecom.customer_inbox("wmReo0001")) == answers


async def test_a_held_chat_is_released_when_the_kf_session_runs_out(bot, wecom, clock) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmLap0001", "转人工")
    await bot.drain()
    clock.advance(47 * 3600)
    await kit.watch(bot)
    assert (await kit.tickets(bot))[0].kf_servicer == "li.na"
    clock.advance(3600)
    await kit.watch(bot)
    (ticket,) = await kit.tickets(bot)
    assert ticket.kf_servicer == "" and ticket.status == "assigned"  # still the advisor's to close
    assert "ticket.kf_session_lapsed" in [a[1] for a in await kit.audit(bot, "ticket.")]
