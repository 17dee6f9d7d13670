"""The digest's numbers from persona, community and escalation tables, against one Monday played
through the emulator and counted by hand.

Day D is Monday 2026-03-02 (Asia/Shanghai). A 7-day check-in camp started on D-1; customers
ask questions the persona cannot answer, escalate to advisors who answer early, late or not at
all, invite friends, and one topic goes to two interest groups at 20:00.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from handlers.checkin.campaigns import create_campaign
from handlers.digest.build import build_digest, daily_series
from handlers.escalation.digest import nearest_rank
from handlers.points.service import adjust_points
from handlers.topics.posts import post_topic
from storage.models import TopicSchedule
from storage.repos import CustomerRepo, PushRepo, StageRepo
from tests import escalation_kit as kit
from tests.community_kit import SHANGHAI, at, service
from tests.digest_scenario import assert_digest_matches
from tests.test_referral_e2e import SPRING, join, scan
from tests.test_topics_e2e import COMMUNITY, learn_groups

D = date(2026, 3, 2)


def on_d(hour: int, minute: int = 0, day: int = 2) -> float:
    return at(3, day, hour, minute)


@pytest.fixture
async def bot(db_url, wecom, clock):
    clock.set(on_d(12, day=1))
    bot = await kit.BotUnderTest.start(kit.make_config(
        db_url, wecom.base_url, staff=kit.STAFF, community=COMMUNITY,
        escalation={"leads": ["wang.fang"], "sla_minutes": 30, "sla_minutes_by_level": ["vip=15"]},
        checkin={"window": "06:00-23:00", "points_per_checkin": 1},
        referral={"campaigns": [SPRING], "leave_grace_hours": 1},
        points={"levels": [{"name": "柚芽", "min": 0}]}), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    yield bot
    await bot.stop()


async def says(bot, wecom, clock, ext: str, text: str, when: float) -> None:
    clock.set(when)
    await wecom.customer_says(ext, text)
    await bot.drain()


async def advisor_answers(bot, wecom, clock, ext: str, when: float) -> None:
    clock.set(when)
    await wecom.servicer_says(ext, "您好，我来帮您处理", userid=wecom.kf_session(ext).servicer_userid)
    await bot.drain()


async def play(bot, wecom, clock) -> None:
    async with service(bot) as ctx:
        await create_campaign(ctx, key="read7", name="7天阅读打卡", start=date(2026, 3, 1), days=7, actor="li.na")
    await learn_groups(bot, wecom, clock)

    # D-1: two campers check in; one unanswered question ten seconds before midnight.
    await says(bot, wecom, clock, "wmCampA01", "打卡", on_d(20, day=1))
    await says(bot, wecom, clock, "wmCampC01", "打卡", on_d(20, 5, day=1))
    await says(bot, wecom, clock, "wmAsk0000", "可以开发票吗？", on_d(23, 59, day=1) + 50)

    # D: A and the newcomer B check in, C does not; staff add 10 points and take 2 (all A has: no balance goes below 0).
    await says(bot, wecom, clock, "wmCampA01", "打卡", on_d(8))
    await says(bot, wecom, clock, "wmCampB01", "打卡", on_d(8, 10))
    clock.set(on_d(9))
    async with service(bot) as ctx:
        await adjust_points(ctx, "wmCampC01", 10, reason="活动补发", actor="zhang.wei")
        await adjust_points(ctx, "wmCampA01", -2, reason="误发扣回", actor="zhang.wei")

    # D: three questions the persona cannot answer, two of them the same.
    await says(bot, wecom, clock, "wmAsk0001", "你们的门店几点关门？", on_d(9, 30))
    await says(bot, wecom, clock, "wmAsk0002", "请问一下 你们的门店几点关门", on_d(9, 31))  # one question
    await says(bot, wecom, clock, "wmAsk0003", "可以开发票吗", on_d(9, 32))

    # D: four tickets; first responses after 5 min, 40 min (10 late), never (late), 1 min.
    await kit.on_duty(bot, "li.na", "wang.fang")
    await kit.customer(bot, "wmVip0001", name="陈洁", vip=True)
    await says(bot, wecom, clock, "wmVip0001", "我要退款", on_d(10))  # VIP: 15 min
    await advisor_answers(bot, wecom, clock, "wmVip0001", on_d(10, 5))
    clock.set(on_d(10, 30))
    await wecom.servicer_ends_session("wmVip0001")
    await bot.drain()
    await says(bot, wecom, clock, "wmReg0001", "转人工", on_d(10, 40))  # due 11:10
    await advisor_answers(bot, wecom, clock, "wmReg0001", on_d(11, 20))
    await says(bot, wecom, clock, "wmReg0002", "我要投诉", on_d(11))  # due 11:30, never answered
    await says(bot, wecom, clock, "wmReg0003", "人工", on_d(13))
    await advisor_answers(bot, wecom, clock, "wmReg0003", on_d(13, 1))

    # D: an invite counts; a second friend leaves within the grace hour and does not.
    clock.set(on_d(14))
    config_id = await join(bot, wecom, "wmInviter1")
    await scan(bot, wecom, clock, config_id, "wmNewFr01")
    await scan(bot, wecom, clock, config_id, "wmNewFr02")
    clock.set(on_d(14, 10))
    await wecom.customer_deletes_staff("zhang.wei", "wmNewFr02")
    await bot.drain()

    # D: stage moves and pushes held back, as the tagging rules and the push gate record them.
    clock.set(on_d(15))
    async with bot.sessions.begin() as s:
        found = await CustomerRepo(s).find_many(["wmCampA01", "wmCampB01", "wmCampC01"])
        ids = {c.external_userid: c.id for c in found}
        assert len(ids) == 3
        stages = StageRepo(s)
        await stages.add(ids["wmCampA01"], "兴趣", source="rule:test", now=clock.now())
        await stages.add(ids["wmCampB01"], "兴趣", source="rule:test", now=clock.now())
        await stages.add(ids["wmCampC01"], "意向", source="rule:test", now=clock.now())
        pushes = PushRepo(s)
        pushes.suppress(ids["wmCampA01"], "push.spring", "quiet_hours", now=clock.now())
        pushes.suppress(ids["wmCampB01"], "push.spring", "quiet_hours", now=clock.now())
        pushes.suppress(ids["wmCampC01"], "push.spring", "daily_cap", now=clock.now())

    # D 20:00: the skincare topic goes to both skincare groups (one task per owner).
    clock.set(on_d(20))
    async with service(bot) as ctx:
        schedule_id = await ctx.session.scalar(select(TopicSchedule.id))
        assert schedule_id is not None
        await post_topic(ctx, schedule_id, datetime(2026, 3, 2, 20, tzinfo=SHANGHAI))
    await bot.drain()

    # D+1, ten seconds after midnight: the next day's.
    await says(bot, wecom, clock, "wmCampB01", "打卡", on_d(0, day=3) + 10)
    await says(bot, wecom, clock, "wmAsk0004", "可以开发票吗？", on_d(0, day=3) + 20)


EXPECTED = {
    "activity.checkin_rate": 2 / 3,  # A and B of A, B, C (C joined D-1, B on D)
    "value.points_issued": 12,  # A's and B's check-in points + staff's 10 for C; the −2 is not issued
    "conversion.referrals": 1,  # friend 2 left within the hour
    "service.unanswered": 3,  # not the one ten seconds before midnight, nor the one after
    "conversion.stage_transitions": 3,
    "outreach.pushes_suppressed": 3,
    "service.escalations_opened": 4,
    "service.escalations_resolved": 1,  # the VIP's chat ended by the advisor
    "service.first_response_median": 300,  # of 60, 300, 2400 s
    "service.first_response_p90": 2400,
    "service.sla_breaches": 2,  # answered 10 minutes late; never answered
}
EXPECTED_BREAKDOWNS = {
    "activity.checkin_by_campaign": (("7天阅读打卡", pytest.approx(2 / 3)),),
    "activity.topics": (("换季了，大家的护肤步骤有什么变化吗？", 2),),
    "service.top_questions": (("你们的门店几点关门", 2), ("可以开发票吗", 1)),
    "conversion.stages_entered": (("兴趣", 2), ("意向", 1)),
    "outreach.suppressed_by_reason": (("免打扰时段", 2), ("当天推送已达上限", 1)),  # stored keys, read in words
}
EXPECTED_PREVIOUS = {"activity.checkin_rate": 1.0, "value.points_issued": 2, "service.unanswered": 1,
                     "service.escalations_opened": 0, "service.first_response_median": None}


async def test_the_operations_numbers_of_a_played_monday_match_the_hand_count(bot, wecom, clock) -> None:
    await play(bot, wecom, clock)
    async with bot.sessions() as s:
        digest = await build_digest(s, D, "Asia/Shanghai", now=clock.now())
    assert_digest_matches(digest, EXPECTED, EXPECTED_BREAKDOWNS, EXPECTED_PREVIOUS)


def test_first_response_percentiles_are_real_waits_by_nearest_rank() -> None:
    assert nearest_rank([], 0.5) is None
    assert nearest_rank([300.0], 0.9) == 300.0
    assert nearest_rank([2400.0, 60.0, 300.0], 0.5) == 300.0
    assert nearest_rank([float(s) for s in range(1, 11)], 0.9) == 9.0


async def test_todays_view_counts_a_missed_deadline_only_once_it_has_passed(bot, wecom, clock) -> None:
    """The console shows today's digest while the day runs: a ticket due at 10:30 and still waiting
    is not a breach at 10:20, and is one at 10:40."""
    await kit.on_duty(bot, "li.na", "wang.fang")
    await says(bot, wecom, clock, "wmReg0009", "转人工", on_d(10))  # due 10:30, never answered
    counts = {}
    for hour, minute in ((10, 20), (10, 40)):
        clock.set(on_d(hour, minute))
        async with bot.sessions() as s:
            digest = await build_digest(s, D, "Asia/Shanghai", now=clock.now())
            series = await daily_series(s, ["service.sla_breaches"], D, "Asia/Shanghai", days=1, now=clock.now())
        counts[(hour, minute)] = (digest.value("service.sla_breaches"), series["service.sla_breaches"][-1][1])
    assert counts == {(10, 20): (0, 0), (10, 40): (1, 1)}


async def test_a_chat_a_servicer_reopened_is_no_first_response_wait(bot, wecom, clock) -> None:
    """A servicer writing into an ended chat opens a ticket that nobody waited on: it counts as
    opened, but not as a 0-second first response pulling the median down."""
    await kit.on_duty(bot, "li.na", "wang.fang")
    await says(bot, wecom, clock, "wmReg0008", "转人工", on_d(10))
    await advisor_answers(bot, wecom, clock, "wmReg0008", on_d(10, 10))
    clock.set(on_d(11))
    await wecom.customer_enters_kf("wmReo0008", welcome=False)
    await bot.drain()
    await wecom.servicer_says("wmReo0008", "您好，上次的问题还需要帮忙吗？", userid="li.na")
    await bot.drain()
    clock.set(on_d(23, 59))
    async with bot.sessions() as s:
        digest = await build_digest(s, D, "Asia/Shanghai", now=clock.now())
    assert digest.value("service.escalations_opened") == 2
    assert digest.value("service.first_response_median") == 600
