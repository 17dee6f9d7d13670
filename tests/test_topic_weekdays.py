"""Topic calendars read cron weekdays as crontab does (0 and 7 = Sunday, 1 = Monday): "0 20 * * 2,4"
posts on Tuesdays and Thursdays at 20:00, as the README and the /topic help say — not on Wednesdays
and Fridays, APScheduler's own numbering."""

from __future__ import annotations

from bot.appkeys import SCHEDULER
from bot.crontab import crontab
from storage.models import TopicPost
from tests.community_kit import SHANGHAI, at, start_bot
from tests.test_topics_e2e import learn_groups

COMMUNITY = {
    "groups": [{"key": "skincare", "name": "护肤同好会", "tag": "护肤", "chat_name_contains": "护肤"}],
    "schedules": [{"group": "skincare", "cron": "0 20 * * 2,4"}],
    "topics": [{"group": "skincare", "text": "换季了，大家的护肤步骤有什么变化吗？"}],
}


async def test_a_tuesday_and_thursday_calendar_posts_on_tuesday_not_wednesday(sqlite_url, wecom, clock) -> None:
    clock.set(at(3, 2, 19))  # Monday 2026-03-02
    bot = await start_bot(sqlite_url, wecom, clock, community=COMMUNITY)
    try:
        await learn_groups(bot, wecom, clock)
        await bot.app[SCHEDULER].start()
        posted = []
        for day in (2, 3, 4, 5, 6):  # Monday to Friday, 20:00
            clock.set(at(3, day, 20) + 5)
            ran = await bot.app[SCHEDULER].tick()
            await bot.drain()
            if any(name.startswith("topic:") for name, _ in ran):
                posted.append(day)
        assert posted == [3, 5]  # Tuesday and Thursday
        assert await bot.count(TopicPost) == 4  # each evening, one post per group owner (two groups)
    finally:
        await bot.stop()


def test_crontab_weekdays_follow_crontab_numbering() -> None:
    from datetime import datetime

    monday = datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)

    def days(expr: str) -> list[str]:
        trigger, out, t = crontab(expr, SHANGHAI), [], monday
        for _ in range(4):
            t = trigger.get_next_fire_time(None, t)
            out.append(t.strftime("%a"))
            t = t.replace(second=1)
        return out

    assert days("0 9 * * 2,4") == ["Tue", "Thu", "Tue", "Thu"]
    assert days("0 9 * * 0") == days("0 9 * * 7") == days("0 9 * * sun") == ["Sun"] * 4
    assert days("0 9 * * 1-5") == ["Tue", "Wed", "Thu", "Fri"]
    assert days("0 9 * * 5-7") == ["Fri", "Sat", "Sun", "Fri"]
    assert days("0 9 * * */3") == ["Wed", "Sat", "Sun", "Wed"]  # 0,3,6 = Sun, Wed, Sat
