"""While a person has the kf chat (with a servicer: state 3, or in the reception pool: state 2),
WeCom refuses kf/send_msg (95018): whatever a feature answers then waits, and reaches the customer
once the chat is the persona's again: an ended chat takes kf/send_msg only after the customer's next
message. Their messages are still recorded for the advisor."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Message, OutboxItem
from tests import escalation_kit as kit

clock, bot = kit.clock, kit.bot  # fixtures: Monday 10:00, the bot with the escalation team (queue mode)


async def _to_advisor(bot, wecom, ext: str) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says(ext, "转人工")
    await bot.drain()
    assert wecom.kf_session(ext).state == 3


async def _back_to_the_persona(bot, wecom, clock, ext: str) -> None:
    """The customer writes again after the hand-back; what waited leaves at its next look."""
    clock.advance(5)
    await wecom.customer_says(ext, "好的谢谢")
    await bot.drain()
    clock.advance(61)
    await bot.drain()


async def _inbound(bot, ext: str) -> list[str]:
    customer = await kit.find_customer(bot, ext)
    async with bot.sessions() as s:
        return list((await s.scalars(select(Message.text).where(Message.customer_id == customer.id,
                                                                 Message.direction == "in"))).all())


@pytest.mark.parametrize("says, answer_has", [("我的积分", "积分"), ("退订", "")])
async def test_a_command_while_the_advisor_has_the_chat_waits_for_the_hand_back(bot, wecom, clock, says,
                                                                                answer_has) -> None:
    await _to_advisor(bot, wecom, "wmHold001")
    received = len(wecom.customer_inbox("wmHold001"))
    await wecom.customer_says("wmHold001", says)
    await bot.drain()
    assert len(wecom.customer_inbox("wmHold001")) == received  # nothing into the advisor's conversation
    assert [c.errcode for c in wecom.calls("kf/send_msg")] == []  # and WeCom was never asked (no 95018)
    assert says in await _inbound(bot, "wmHold001")  # the advisor's context keeps it
    async with bot.sessions() as s:
        (waiting,) = (await s.scalars(select(OutboxItem).where(OutboxItem.api == "kf/send_msg"))).all()
    assert waiting.status == "pending" and "with a person" in waiting.last_error  # visible, not lost

    clock.advance(60)
    await wecom.servicer_says("wmHold001", "已经帮您处理好了", userid="li.na")
    await wecom.servicer_ends_session("wmHold001")
    await bot.drain()
    assert "李娜" in wecom.customer_inbox("wmHold001")[-1]  # the goodbye, on the end code
    assert wecom.calls("kf/send_msg") == []  # an ended chat takes nothing until the customer writes
    await _back_to_the_persona(bot, wecom, clock, "wmHold001")
    assert answer_has in wecom.customer_inbox("wmHold001")[-1]  # what the customer was owed
    assert [c.errcode for c in wecom.calls("kf/send_msg")] == [0, 0]


async def test_resolving_hands_the_chat_back_then_sends_what_waited(bot, wecom, clock) -> None:
    await _to_advisor(bot, wecom, "wmHold002")
    await wecom.customer_says("wmHold002", "我的积分")
    await bot.drain()
    assert wecom.calls("kf/send_msg") == []
    clock.advance(60)
    await wecom.staff_sends("li.na", "/resolve 1 已处理")
    await bot.drain()
    assert wecom.kf_session("wmHold002").state == 4 and wecom.calls("kf/send_msg") == []
    await _back_to_the_persona(bot, wecom, clock, "wmHold002")
    assert "积分" in wecom.customer_inbox("wmHold002")[-1]
    assert [c.errcode for c in wecom.calls("kf/send_msg")] == [0, 0]


async def test_the_answer_before_the_hand_off_still_reaches_the_customer(bot, wecom) -> None:
    """A sensitive question the knowledge base can answer: the answer is queued before the move."""
    await kit.on_duty(bot, "li.na")
    await wecom.customer_says("wmHold003", "不喜欢的话可以退货吗")
    await bot.drain()
    assert wecom.kf_session("wmHold003").state == 3
    assert [c.errcode for c in wecom.calls("kf/send_msg")] == [0]
    async with bot.sessions() as s:
        assert (await s.scalars(select(OutboxItem.status).where(OutboxItem.api == "kf/send_msg"))).all() == ["sent"]


async def test_a_chat_in_the_reception_pool_gets_nothing_until_a_servicer_ends_it(db_url, wecom, clock) -> None:
    bot = await kit.start(db_url, wecom, clock, no_advisor="wecom_pool")
    try:
        await wecom.customer_says("wmHold004", "转人工")  # nobody on duty: the pool
        await bot.drain()
        assert wecom.kf_session("wmHold004").state == 2
        await wecom.customer_says("wmHold004", "我的积分")
        await bot.drain()
        assert wecom.calls("kf/send_msg") == []
        clock.advance(60)
        await wecom.servicer_picks_up("wmHold004", "li.na")
        await wecom.servicer_ends_session("wmHold004")
        await bot.drain()
        assert wecom.calls("kf/send_msg") == []
        await _back_to_the_persona(bot, wecom, clock, "wmHold004")
        assert "积分" in wecom.customer_inbox("wmHold004")[-1]
        assert [c.errcode for c in wecom.calls("kf/send_msg")] == [0, 0]
    finally:
        await bot.stop()


async def test_what_waited_past_the_48_hour_window_ends_expired_with_its_reason(bot, wecom, clock) -> None:
    await _to_advisor(bot, wecom, "wmHold005")
    await wecom.customer_says("wmHold005", "我的积分")
    await bot.drain()
    clock.advance(48 * 3600)
    await bot.drain()
    async with bot.sessions() as s:
        (row,) = (await s.scalars(select(OutboxItem).where(OutboxItem.api == "kf/send_msg"))).all()
    assert row.status == "expired" and "48 h" in row.last_error
    assert wecom.calls("kf/send_msg") == []


async def test_closing_a_ticket_whose_chat_never_left_the_persona_says_so_at_once(bot, wecom, clock) -> None:
    await kit.on_duty(bot, "li.na")
    await wecom.servicer_status("li.na", receiving=False)  # WeCom refuses the transfer: the chat stays ours
    await bot.drain()
    await wecom.customer_says("wmHold006", "我要退款")
    await bot.drain()
    assert wecom.kf_session("wmHold006").state != 3
    received = len(wecom.customer_inbox("wmHold006"))
    clock.advance(60)
    await wecom.staff_sends("zhang.wei", "/resolve 1")
    await bot.drain()
    assert len(wecom.customer_inbox("wmHold006")) == received + 1  # the persona's "ask me again", not held
    assert 95018 not in [c.errcode for c in wecom.calls("kf/send_msg")]


async def test_one_claim_holds_each_customer_by_their_own_chat(bot, wecom, clock) -> None:
    """Answers of several customers leave in one batch: only the one whose chat is the persona's
    goes; the one with an advisor and the one whose chat a person ended wait, each for their reason."""
    for ext in ("wmHold007", "wmHold008"):
        await _to_advisor(bot, wecom, ext)
        await wecom.customer_says(ext, "我的积分")
        await bot.drain()
    clock.advance(5)
    await wecom.servicer_ends_session("wmHold008")  # ended: nothing until the customer writes again
    await bot.drain()
    assert (wecom.kf_session("wmHold007").state, wecom.kf_session("wmHold008").state) == (3, 4)
    sent = len(wecom.calls("kf/send_msg"))
    await wecom.customer_says("wmHold009", "我的积分")
    clock.advance(61)  # what waited is due again, with the new answer
    await bot.drain()
    assert "积分" in wecom.customer_inbox("wmHold009")[-1]
    assert len(wecom.calls("kf/send_msg")) == sent + 1  # the other two never reached WeCom
    async with bot.sessions() as s:
        waiting = {row.customer_id: row.last_error for row in (await s.scalars(select(OutboxItem).where(
            OutboxItem.api == "kf/send_msg", OutboxItem.status == "pending"))).all()}
    advisor, ended = [await kit.find_customer(bot, ext) for ext in ("wmHold007", "wmHold008")]
    assert waiting.keys() == {advisor.id, ended.id}
    assert "service_state 3" in waiting[advisor.id] and "service_state 4" in waiting[ended.id]
