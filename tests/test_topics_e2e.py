"""Interest-group topics through the emulator: groups learned from WeCom, one post per fire time
across two bot processes, owner confirmation, results read back for the digest."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from bot.appkeys import SCHEDULER
from handlers.topics.service import add_schedule, set_schedule_status
from storage.models import AuditLog, InterestChat, TopicPost
from tests.community_kit import at, run_due_jobs, service, start_bot
from tests.harness import BotUnderTest, make_config

COMMUNITY: dict[str, Any] = {
    "groups": [{"key": "skincare", "name": "护肤同好会", "tag": "护肤", "chat_name_contains": "护肤"}],
    "schedules": [{"group": "skincare", "cron": "0 20 * * *"}],
    "topics": [{"group": "skincare", "text": "换季了，大家的护肤步骤有什么变化吗？"},
               {"group": "skincare", "text": "新品试用装开放申请", "link": "https://example.com/trial",
                "link_title": "申请试用", "product": True}],
}


async def learn_groups(bot, wecom, clock) -> None:
    await wecom.create_group("wrSkin0001", "zhang.wei", "柚见护肤交流1群")
    await wecom.create_group("wrSkin0002", "li.na", "柚见护肤交流2群")
    await wecom.create_group("wrFood0001", "li.na", "吃货小分队")
    await bot.drain()
    clock.advance(5)  # group details are read a moment after the event (customer-contact.md §2)
    await bot.drain()


async def test_two_bot_processes_post_a_topic_once_and_read_back_delivery(db_url, wecom, clock) -> None:
    clock.set(at(3, 2, 19))
    first = await start_bot(db_url, wecom, clock, community=COMMUNITY)
    second = await BotUnderTest.start(make_config(db_url, wecom.base_url, community=COMMUNITY), clock)
    try:
        await learn_groups(first, wecom, clock)
        assert len(wecom.calls("externalcontact/groupchat/get")) == 3
        async with first.sessions() as s:
            linked = sorted((await s.scalars(select(InterestChat.chat_id))).all())
        assert linked == ["wrSkin0001", "wrSkin0002"]  # matched by name; the food group is not
        clock.set(at(3, 2, 19, 59))
        await asyncio.gather(first.app[SCHEDULER].start(), second.app[SCHEDULER].start())
        clock.set(at(3, 2, 20) + 5)
        ran = await asyncio.gather(first.app[SCHEDULER].tick(), second.app[SCHEDULER].tick())
        assert sum(name.startswith("topic:") for r in ran for name, _ in r) == 1
        await asyncio.gather(first.drain(), second.drain())
        calls = wecom.calls("externalcontact/add_msg_template")
        assert sorted((c.body["sender"], tuple(c.body["chat_id_list"])) for c in calls) == [
            ("li.na", ("wrSkin0002",)), ("zhang.wei", ("wrSkin0001",))]
        assert all(c.body["chat_type"] == "group" and "换季了" in c.body["text"]["content"] for c in calls)
        assert all("确认" in wecom.staff_inbox(owner)[-1] for owner in ("zhang.wei", "li.na"))
        # zhang.wei confirms in the client; li.na has not yet
        mine = next(c for c in calls if c.body["sender"] == "zhang.wei")
        assert wecom.confirm_group_msg(mine.response["msgid"]) == 1
        assert "换季了" in wecom.group_inbox("wrSkin0001")[-1]
        clock.set(at(3, 2, 20, 35))
        await run_due_jobs(first)
        await run_due_jobs(second)
        assert len(wecom.calls("externalcontact/get_groupmsg_send_result")) == 2
        async with first.sessions() as s:
            posts = {p.sender: (p.sent, p.pending, p.failed) for p in (await s.scalars(select(TopicPost))).all()}
        assert posts == {"zhang.wei": (1, 0, 0), "li.na": (0, 1, 0)}
    finally:
        await second.stop()
        await first.stop()


async def test_a_schedule_added_at_run_time_reaches_the_other_process_and_pausing_stops_it(
        db_url, wecom, clock) -> None:
    clock.set(at(3, 2, 9))
    community = {**COMMUNITY, "schedules": []}
    first = await start_bot(db_url, wecom, clock, community=community)
    second = await BotUnderTest.start(make_config(db_url, wecom.base_url, community=community), clock)
    try:
        await learn_groups(first, wecom, clock)
        await second.app[SCHEDULER].start()
        async with service(first) as ctx:  # e.g. a staff command handled by the first process
            schedule = await add_schedule(ctx, "skincare", "30 12 * * *", actor="li.na")
        clock.set(at(3, 2, 9, 1))
        await run_due_jobs(second)
        assert f"topic:{schedule.id}" in second.app[SCHEDULER].jobs
        clock.set(at(3, 2, 12, 30) + 1)
        await run_due_jobs(second)
        assert len(wecom.calls("externalcontact/add_msg_template")) == 2
        async with service(first) as ctx:
            await set_schedule_status(ctx, schedule.id, "paused", actor="li.na")
        clock.set(at(3, 3, 9))
        await run_due_jobs(second)
        assert f"topic:{schedule.id}" not in second.app[SCHEDULER].jobs
        clock.set(at(3, 3, 12, 30) + 1)
        await run_due_jobs(second)
        assert len(wecom.calls("externalcontact/add_msg_template")) == 2
    finally:
        await second.stop()
        await first.stop()


async def test_a_post_with_no_known_group_owner_is_skipped_and_the_owner_is_asked_for(db_url, wecom, clock) -> None:
    clock.set(at(3, 2, 19, 59))
    bot = await start_bot(db_url, wecom, clock,
                          community={**COMMUNITY, "groups": [{**COMMUNITY["groups"][0], "chats": ["wrUnknown01"]}]})
    try:
        await bot.app[SCHEDULER].start()
        clock.set(at(3, 2, 20) + 5)
        await run_due_jobs(bot)
        assert wecom.calls("externalcontact/add_msg_template") == []
        clock.advance(5)
        await bot.drain()
        assert [c.body["chat_id"] for c in wecom.calls("externalcontact/groupchat/get")] == ["wrUnknown01"]
        async with bot.sessions() as s:
            (skip,) = (await s.scalars(select(AuditLog).where(AuditLog.action == "topic_skipped"))).all()
        assert skip.detail["reason"] == "no chat with a known owner"
    finally:
        await bot.stop()


async def test_an_operator_posts_the_next_topic_now_and_the_owners_send_it_from_the_client(
        db_url, wecom, clock) -> None:
    """`/topic post <兴趣群>`: the next topic of the rotation goes to each owner's 群发助手 now, ahead of the
    calendar (a discussion opened during a live); a group that cannot post says why."""
    clock.set(at(3, 2, 15))
    bot = await start_bot(db_url, wecom, clock, community=COMMUNITY, staff={"operators": ["li.na"]})
    try:
        await wecom.staff_sends("li.na", "/topic post skincare")
        await bot.drain()
        assert "还没有关联客户群" in wecom.staff_inbox("li.na")[-1]
        assert wecom.calls("externalcontact/add_msg_template") == []

        await learn_groups(bot, wecom, clock)
        await wecom.staff_sends("li.na", "/topic post skincare")
        await bot.drain()
        answer = wecom.staff_inbox("li.na")[-1]
        assert "换季了" in answer and "zhang.wei" in answer and "li.na" in answer and "群发助手" in answer, answer
        calls = wecom.calls("externalcontact/add_msg_template")
        assert sorted(c.body["sender"] for c in calls) == ["li.na", "zhang.wei"]
        mine = next(c for c in calls if c.body["sender"] == "li.na")
        assert wecom.confirm_group_msg(mine.response["msgid"]) == 1
        assert "换季了" in wecom.group_inbox("wrSkin0002")[-1]
        async with bot.sessions() as s:
            posts = (await s.scalars(select(TopicPost))).all()
            (audit,) = (await s.scalars(select(AuditLog).where(AuditLog.action == "topic_posted_now"))).all()
        assert len(posts) == 2 and audit.actor == "li.na"  # counted as posts, as a scheduled one is

        await wecom.staff_sends("li.na", "/topic post skincare")  # a second tap: no second task for the owners
        await bot.drain()
        refused = wecom.staff_inbox("li.na")[-1]
        assert "刚刚发过" in refused and "用法" not in refused, refused
        assert len(wecom.calls("externalcontact/add_msg_template")) == 2
        clock.advance(11 * 60)
        await wecom.staff_sends("li.na", "/topic post skincare")  # later: the rotation's next topic
        await bot.drain()
        assert "新品试用装开放申请" in wecom.staff_inbox("li.na")[-1]
        await wecom.staff_sends("li.na", "/topic post food")
        await bot.drain()
        assert "没有兴趣群 food" in wecom.staff_inbox("li.na")[-1]
    finally:
        await bot.stop()
