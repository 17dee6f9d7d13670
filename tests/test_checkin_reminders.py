"""Daily check-in reminders: only to who has not checked in, once a day, never in quiet hours."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.appkeys import SCHEDULER
from handlers.checkin.campaigns import create_campaign
from storage.models import CheckinReminder, Customer, OutboxItem
from tests.community_kit import at, run_due_jobs, service, start_bot


async def camp(db_url, wecom, clock, remind_at: str):
    clock.set(at(3, 1, 12))
    bot = await start_bot(db_url, wecom, clock, community={"quiet_hours": "22:00-08:00"})
    async with service(bot) as ctx:
        await create_campaign(ctx, key="skin7", name="7天护肤打卡", start=date(2026, 3, 2), days=7,
                              remind_at=remind_at, actor="li.na")
    return bot


async def customer_says(bot, wecom, clock, ext: str, text: str, when: float) -> None:
    clock.set(when)
    await wecom.customer_says(ext, text)
    await bot.drain()


def reminders(wecom, ext: str) -> list[str]:
    return [t for t in wecom.customer_inbox(ext) if "还没打卡" in t or "温柔提醒" in t]


async def test_only_those_who_have_not_checked_in_are_reminded_once(db_url, wecom, clock) -> None:
    bot = await camp(db_url, wecom, clock, "20:00")
    try:
        for ext in ("wmDone0001", "wmLazy0001", "wmQuiet001"):
            await customer_says(bot, wecom, clock, ext, "打卡", at(3, 2, 9))
        await customer_says(bot, wecom, clock, "wmQuiet001", "退订", at(3, 2, 9, 1))
        await customer_says(bot, wecom, clock, "wmDone0001", "打卡", at(3, 3, 10))
        clock.set(at(3, 3, 19, 45))
        await bot.app[SCHEDULER].start()
        clock.set(at(3, 3, 19, 50))
        await run_due_jobs(bot)
        assert reminders(wecom, "wmLazy0001") == []  # not yet 20:00
        for minute in (0, 10, 20):
            clock.set(at(3, 3, 20, minute))
            await run_due_jobs(bot)
        assert len(reminders(wecom, "wmLazy0001")) == 1
        assert reminders(wecom, "wmDone0001") == []  # checked in today
        assert reminders(wecom, "wmQuiet001") == []  # opted out of pushes
        async with bot.sessions() as s:
            (row,) = (await s.scalars(select(OutboxItem).join(CheckinReminder,
                                                              CheckinReminder.outbox_id == OutboxItem.id))).all()
        assert row.kind == "push" and row.status == "sent"
        # Two evenings later the kf window (48 h after their last message) has closed: WeCom would
        # refuse the message, so none is queued, and the day is marked so we do not retry all night.
        for minute in (55, 60):
            clock.set(at(3, 4, 19, 0) + minute * 60)
            await run_due_jobs(bot)
        assert len(reminders(wecom, "wmLazy0001")) == 1
        assert len(reminders(wecom, "wmDone0001")) == 1  # wrote yesterday: still reachable, not checked in
        async with bot.sessions() as s:
            rows = (await s.execute(select(CheckinReminder.day, Customer.external_userid, CheckinReminder.outbox_id)
                                    .join(Customer, Customer.id == CheckinReminder.customer_id))).all()
        assert sorted((day.day, ext, outbox is not None) for day, ext, outbox in rows) == [
            (3, "wmLazy0001", True), (4, "wmDone0001", True), (4, "wmLazy0001", False)]
    finally:
        await bot.stop()


async def test_no_reminder_is_sent_in_quiet_hours(db_url, wecom, clock) -> None:
    bot = await camp(db_url, wecom, clock, "22:30")
    try:
        await customer_says(bot, wecom, clock, "wmNight001", "打卡", at(3, 2, 9))
        clock.set(at(3, 3, 22, 25))
        await bot.app[SCHEDULER].start()
        for hour, minute in ((22, 30), (22, 40), (22, 50)):
            clock.set(at(3, 3, hour, minute))
            await run_due_jobs(bot)
        assert reminders(wecom, "wmNight001") == []
        assert await bot.count(CheckinReminder) == 0
    finally:
        await bot.stop()


async def test_a_reminder_missed_while_down_is_not_sent_late_into_quiet_hours(db_url, wecom, clock) -> None:
    bot = await camp(db_url, wecom, clock, "21:50")
    try:
        await customer_says(bot, wecom, clock, "wmDown0001", "打卡", at(3, 2, 9))
        clock.set(at(3, 3, 21, 45))
        await bot.app[SCHEDULER].start()
        await run_due_jobs(bot)
        clock.set(at(3, 3, 22, 5))  # "down" from 21:45 to 22:05: the 21:50 and 22:00 fire times come late
        await run_due_jobs(bot)
        assert reminders(wecom, "wmDown0001") == []
    finally:
        await bot.stop()
