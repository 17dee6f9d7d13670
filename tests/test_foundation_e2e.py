"""End to end through the emulator: welcomes, kf chats, retries, token refresh, crashes, deadlines."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import KfCursor, OutboxItem
from tests.harness import BotUnderTest, make_config


async def outbox_rows(bot: BotUnderTest) -> list[OutboxItem]:
    async with bot.sessions() as s:
        return list((await s.scalars(select(OutboxItem).order_by(OutboxItem.id))).all())


async def test_a_new_friend_is_welcomed_in_the_persona_voice(wanzi, wecom) -> None:
    delivery = await wecom.add_friend("zhang.wei", "wmNew0001", state="spring_sale", name="陈洁")
    assert delivery.statuses == [200]
    await wanzi.drain()
    (call,) = wecom.calls("externalcontact/send_welcome_msg")
    assert call.errcode == 0
    assert "小柚" in call.body["text"]["content"]
    assert wecom.customer_inbox("wmNew0001") == [call.body["text"]["content"]]


async def test_a_callback_delivered_three_times_welcomes_once(wanzi, wecom) -> None:
    delivery = await wecom.add_friend("zhang.wei", "wmRetry01", state="expo")
    for _ in range(2):  # WeCom re-sends the identical body when an ack is late
        again = await wecom.deliver(delivery.plain)
        assert again.statuses == [200]
    await wanzi.drain()
    assert len(wecom.calls("externalcontact/send_welcome_msg")) == 1


async def test_no_welcome_code_means_no_call(wanzi, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmNoCode01", welcome=False)
    await wanzi.drain()
    assert wecom.calls("externalcontact/send_welcome_msg") == []


async def test_a_welcome_code_past_20_seconds_expires_with_a_reason(wanzi, wecom, clock) -> None:
    await wecom.add_friend("zhang.wei", "wmLate0001")
    await wanzi.app[__import__("bot.appkeys", fromlist=["INBOX"]).INBOX].process_due()  # queued, not sent
    clock.advance(25)
    await wanzi.drain()
    assert wecom.calls("externalcontact/send_welcome_msg") == []
    (row,) = await outbox_rows(wanzi)
    assert row.status == "expired"
    assert "deadline" in row.last_error


async def test_a_kf_customer_gets_an_answer_once(wanzi, wecom) -> None:
    await wecom.customer_says("wmKf00001", "你好，请问面霜适合干皮吗？")
    await wanzi.drain()
    (sync,) = wecom.calls("kf/sync_msg")
    assert sync.body["token"]  # the callback's Token is used
    replies = wecom.customer_inbox("wmKf00001")
    assert len(replies) == 1 and replies[0]
    # A later notification re-reading nothing new must not answer again.
    await wecom.customer_enters_kf("wmKf00002", welcome=False)
    await wanzi.drain()
    assert len(wecom.customer_inbox("wmKf00001")) == 1


async def test_token_invalidated_mid_run_is_refreshed_once_and_retried(wanzi, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmTok0001")
    await wanzi.drain()
    wecom.invalidate_tokens()
    await wecom.add_friend("li.na", "wmTok0002")
    await wanzi.drain()
    welcomes = wecom.calls("externalcontact/send_welcome_msg")
    assert [c.errcode for c in welcomes] == [0, 40014, 0]
    assert len(wecom.calls("gettoken")) == 2


async def test_rate_limited_send_backs_off_then_succeeds(wanzi, wecom) -> None:
    wecom.faults.inject("kf/send_msg", errcode=45009, times=2)
    await wecom.customer_says("wmRate001", "在吗")
    await wanzi.drain()
    sends = wecom.calls("kf/send_msg")
    assert [c.errcode for c in sends] == [45009, 45009, 0]
    assert len(wecom.customer_inbox("wmRate001")) == 1


async def test_system_busy_beyond_in_call_retries_is_retried_by_the_outbox(wanzi, wecom, clock) -> None:
    wecom.faults.inject("kf/send_msg", errcode=-1, times=4)  # more than the client's 3 retries
    await wecom.customer_says("wmBusy001", "在吗")
    await wanzi.drain()
    (row,) = [r for r in await outbox_rows(wanzi) if r.api == "kf/send_msg"]
    assert row.status == "pending" and row.last_errcode == -1
    clock.advance(600)
    await wanzi.drain()
    assert len(wecom.customer_inbox("wmBusy001")) == 1
    assert [r.status for r in await outbox_rows(wanzi)] == ["sent"]


async def test_an_outbox_row_survives_a_crash_and_is_delivered_once(db_url, wecom, clock) -> None:
    config = make_config(db_url, wecom.base_url)
    first = await BotUnderTest.start(config, clock)
    wecom.connect(f"{first.url}/wecom/callback")
    await wecom.customer_says("wmCrash01", "你好")
    from bot.appkeys import INBOX

    while await first.app[INBOX].process_due():
        pass
    # The worker claims the reply, then the process dies before calling WeCom.
    async with first.sessions.begin() as s:
        from storage.queues import OutboxRepo

        claimed = await OutboxRepo(s).claim_due(now=clock.now(), lease_s=60, limit=10)
    assert [r.api for r in claimed] == ["kf/send_msg"]
    await first.stop()
    assert wecom.calls("kf/send_msg") == []

    second = await BotUnderTest.start(config, clock)
    try:
        await second.drain()
        assert wecom.calls("kf/send_msg") == []  # the dead worker's lease still holds
        clock.advance(61)
        await second.drain()
        await second.drain()
        assert len(wecom.calls("kf/send_msg")) == 1
        assert [r.status for r in await outbox_rows(second)] == ["sent"]
    finally:
        await second.stop()


async def test_a_delivered_row_is_not_sent_again_after_restart(db_url, wecom, clock) -> None:
    config = make_config(db_url, wecom.base_url)
    first = await BotUnderTest.start(config, clock)
    wecom.connect(f"{first.url}/wecom/callback")
    await wecom.add_friend("zhang.wei", "wmOnce001")
    await first.drain()
    await first.stop()
    second = await BotUnderTest.start(config, clock)
    try:
        clock.advance(3600)
        await second.drain()
        assert len(wecom.calls("externalcontact/send_welcome_msg")) == 1
    finally:
        await second.stop()


async def test_the_kf_cursor_survives_a_restart(db_url, wecom, clock) -> None:
    config = make_config(db_url, wecom.base_url)
    first = await BotUnderTest.start(config, clock)
    wecom.connect(f"{first.url}/wecom/callback")
    await wecom.customer_says("wmCur0001", "第一条")
    await first.drain()
    async with first.sessions() as s:
        cursor = (await s.get(KfCursor, "wkWanziDemoKf01")).cursor
    assert cursor
    await first.stop()

    second = await BotUnderTest.start(config, clock)
    wecom.connect(f"{second.url}/wecom/callback")
    try:
        await wecom.customer_says("wmCur0001", "第二条")
        await second.drain()
        last_sync = wecom.calls("kf/sync_msg")[-1]
        assert last_sync.body["cursor"] == cursor
        assert len(wecom.customer_inbox("wmCur0001")) == 2  # one answer per message, none repeated
    finally:
        await second.stop()


async def test_staff_help_command_is_answered_in_the_app(wanzi, wecom) -> None:
    async with wanzi.sessions.begin() as s:
        from storage.repos import StaffRepo

        await StaffRepo(s).upsert("li.na", role="operator", now=wanzi.clock.now())
    await wecom.staff_sends("li.na", "/help")
    await wanzi.drain()
    (text,) = wecom.staff_inbox("li.na")
    assert "/help" in text


async def test_outbox_metrics_show_depth(wanzi, wecom) -> None:
    await wecom.add_friend("zhang.wei", "wmMet0001")
    await wanzi.drain()
    async with wanzi.http.get(f"{wanzi.url}/metrics") as r:
        text = await r.text()
    assert 'wanzi_outbox_depth{status="sent"} 1.0' in text
    assert 'wanzi_outbox_sent_total{api="externalcontact/send_welcome_msg"} 1.0' in text
