"""Check-in camps through the emulator: a 7-day camp, make-up cards, milestones, kind refusals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from handlers.checkin.campaigns import create_campaign
from storage.models import Checkin, CommunityReward, PointsEntry
from tests.community_kit import at, service, start_bot

CAMP = {"window": "06:00-23:00", "makeup_limit": 1, "makeup_days": 2, "points_per_checkin": 1}
POINTS = {"levels": [{"name": "柚芽", "min": 0, "rights": "生日祝福"},
                     {"name": "柚苗", "min": 20, "rights": "新品试用"}]}


@pytest.fixture
async def camp_bot(db_url, wecom, clock):
    clock.set(at(3, 1, 12))
    bot = await start_bot(db_url, wecom, clock, checkin=CAMP, points=POINTS)
    async with service(bot) as ctx:
        await create_campaign(ctx, key="read7", name="7天阅读打卡", start=date(2026, 3, 2), days=7,
                              milestones=[{"day": 3, "points": 5},
                                          {"day": 7, "points": 20, "badge": "坚持7天", "coupon": "满99减10券"}],
                              actor="li.na")
    yield bot
    await bot.stop()


async def says(bot, wecom, clock, ext: str, text: str, when: float) -> list[str]:
    """The customer writes at a local time; returns the bot's new answers."""
    clock.set(when)
    before = len(wecom.customer_inbox(ext))
    await wecom.customer_says(ext, text)
    await bot.drain()
    replies: list[str] = wecom.customer_inbox(ext)[before:]
    return replies


async def test_a_seven_day_camp_with_a_skipped_day_made_up_reaches_the_milestone_once(camp_bot, wecom, clock):
    ext = "wmReader01"
    (day1,) = await says(camp_bot, wecom, clock, ext, "打卡 今天读了20页", at(3, 2, 8))
    assert " 1 天" in day1 and "第 1 " in day1  # streak 1, first today
    (ack,) = await says(camp_bot, wecom, clock, ext, "打卡", at(3, 3, 9))
    assert " 2 天" in ack
    ack, milestone3 = await says(camp_bot, wecom, clock, ext, "打卡", at(3, 4, 9))
    assert " 3 天" in ack and "3天" in milestone3 and "5 积分" in milestone3
    # day 4 (March 5) skipped; on day 5 the make-up card fills it and the streak is whole again
    (made_up,) = await says(camp_bot, wecom, clock, ext, "补卡", at(3, 6, 7, 30))
    assert "3月5日" in made_up and " 4 " in made_up
    for day in (6, 7):  # days 5 and 6
        (ack,) = await says(camp_bot, wecom, clock, ext, "打卡", at(3, day, 21))
        assert f" {day - 1} 天" in ack
    day7 = await says(camp_bot, wecom, clock, ext, "打卡 读完啦", at(3, 8, 10))
    assert len(day7) == 3  # the ack, the milestone celebration, the new level
    assert " 7 天" in day7[0]
    assert "7天" in day7[1] and "满99减10券" in day7[1] and "坚持7天" in day7[1] and "20 积分" in day7[1]
    assert "柚苗" in day7[2]  # 7 + 20 points passed the 20-point level
    again = await says(camp_bot, wecom, clock, ext, "打卡", at(3, 8, 11))
    assert len(again) == 1 and "已经" in again[0]  # duplicate: kindly refused, no second milestone
    async with camp_bot.sessions() as s:
        rows = list((await s.scalars(select(Checkin).order_by(Checkin.day))).all())
        rewards = await s.scalar(select(func.count()).select_from(CommunityReward))
        points = await s.scalar(select(func.sum(PointsEntry.delta)))
    assert [r.day.day for r in rows] == [2, 3, 4, 5, 6, 7, 8]
    assert [r.kind for r in rows].count("makeup") == 1
    assert rewards == 2
    assert points == 7 + 5 + 20
    assert sum("满99减10券" in t for t in wecom.customer_inbox(ext)) == 1
    assert sum("5 积分" in t for t in wecom.customer_inbox(ext)) == 1  # day-3 milestone once, not daily


async def test_the_streak_and_todays_rank_are_in_the_acknowledgement(camp_bot, wecom, clock):
    await says(camp_bot, wecom, clock, "wmFirst01", "打卡", at(3, 2, 7))
    (ack,) = await says(camp_bot, wecom, clock, "wmSecond1", "打卡", at(3, 2, 8))
    assert "2" in ack  # second to check in today
    (ack2,) = await says(camp_bot, wecom, clock, "wmSecond1", "打卡", at(3, 3, 6, 30))
    assert "2 天" in ack2 or "2/7" in ack2 or "连续 2" in ack2


@pytest.mark.parametrize("text,when,expect", [
    ("打卡", at(3, 2, 5, 30), "还没到打卡时间"),  # before the daily window
    ("打卡", at(3, 2, 23, 30), "明天"),  # late: today's window has closed, come back tomorrow
    ("打卡", at(3, 1, 10), "3月2日才开始"),  # before the campaign
    ("补卡", at(3, 2, 10), "没有需要补的卡"),  # nothing missed yet
])
async def test_out_of_rules_messages_get_a_clear_answer_and_count_nothing(camp_bot, wecom, clock, text, when, expect):
    (answer,) = await says(camp_bot, wecom, clock, "wmRules01", text, when)
    assert expect in answer
    assert await camp_bot.count(Checkin) == 0


async def test_after_the_end_a_checkin_is_thanked_not_counted(camp_bot, wecom, clock):
    await says(camp_bot, wecom, clock, "wmLate0001", "打卡", at(3, 8, 9))
    (answer,) = await says(camp_bot, wecom, clock, "wmLate0001", "打卡", at(3, 9, 9))
    assert "结束" in answer and "1 天" in answer
    assert await camp_bot.count(Checkin) == 1


async def test_make_up_cards_are_limited(camp_bot, wecom, clock):
    ext = "wmMakeup01"
    await says(camp_bot, wecom, clock, ext, "打卡", at(3, 2, 9))
    # March 3 and 4 missed; one make-up card allowed
    (first,) = await says(camp_bot, wecom, clock, ext, "补卡", at(3, 5, 9))
    assert "3月4日" in first
    (second,) = await says(camp_bot, wecom, clock, ext, "补卡", at(3, 5, 9, 5))
    assert "用完" in second
    assert await camp_bot.count(Checkin) == 2


async def test_a_photo_before_or_after_the_checkin_is_kept_as_its_proof(camp_bot, wecom, clock):
    clock.set(at(3, 2, 9))
    await wecom.customer_sends_image("wmPhoto001")
    await camp_bot.drain()
    await says(camp_bot, wecom, clock, "wmPhoto001", "打卡 跑了5公里", at(3, 2, 9, 2))
    await says(camp_bot, wecom, clock, "wmPhoto002", "打卡", at(3, 2, 9, 3))
    clock.set(at(3, 2, 9, 5))
    await wecom.customer_sends_image("wmPhoto002")
    await camp_bot.drain()
    await says(camp_bot, wecom, clock, "wmPhoto003", "打卡", at(3, 2, 9, 6))
    clock.set(at(3, 2, 9, 30))  # too long after the check-in to be its proof
    await wecom.customer_sends_image("wmPhoto003")
    await camp_bot.drain()
    async with camp_bot.sessions() as s:
        rows = {r.content or r.id: r.has_photo for r in (await s.scalars(select(Checkin).order_by(Checkin.id))).all()}
    assert list(rows.values()) == [True, True, False]
    assert "跑了5公里" in rows


async def test_a_check_in_while_the_chat_waits_for_a_person_counts_and_is_confirmed_after_the_hand_back(
        camp_bot, wecom, clock):
    ext = "wmReader09"
    await says(camp_bot, wecom, clock, ext, "转人工", at(3, 2, 10))  # nobody on duty: WeCom's reception pool
    assert wecom.kf_session(ext).state == 2
    assert await says(camp_bot, wecom, clock, ext, "打卡 今天读了20页", at(3, 2, 10, 1)) == []  # 95018 otherwise
    async with camp_bot.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Checkin)) == 1  # counted all the same
    clock.set(at(3, 2, 10, 5))
    await wecom.servicer_picks_up(ext, "li.na")
    await wecom.servicer_ends_session(ext)
    await camp_bot.drain()
    await says(camp_bot, wecom, clock, ext, "好的谢谢", at(3, 2, 10, 6))
    clock.set(at(3, 2, 10, 8))  # what waited leaves at its next look
    await camp_bot.drain()
    assert " 1 天" in wecom.customer_inbox(ext)[-1]
    assert 95018 not in [c.errcode for c in wecom.calls("kf/send_msg")]


@pytest.mark.parametrize("question", ["打卡断了还能补吗", "我连续打卡几天了", "补卡怎么弄？", "漏打卡了怎么办",
                                      "补卡咋弄"])
async def test_a_question_about_ones_checkins_tells_the_days_and_make_up_cards_and_counts_nothing(
        camp_bot, wecom, clock, question):
    """The sandbox of 2026-12-05: "打卡断了还能补吗" was counted as a check-in, "我连续打卡几天了" got a promise
    to ask a colleague."""
    ext = "wmReader07"
    await says(camp_bot, wecom, clock, ext, "打卡", at(3, 2, 9))
    await says(camp_bot, wecom, clock, ext, "打卡", at(3, 3, 9))
    (answer,) = await says(camp_bot, wecom, clock, ext, question, at(3, 5, 9))  # March 4 missed
    assert "7天阅读打卡" in answer and "2 天" in answer, answer  # two days counted
    assert "补卡" in answer and "1 次" in answer and "同事" not in answer, answer  # makeup_limit 1, none used
    async with camp_bot.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Checkin)) == 2


async def test_once_the_make_up_cards_are_used_the_progress_says_so(camp_bot, wecom, clock):
    ext = "wmReader08"
    await says(camp_bot, wecom, clock, ext, "打卡", at(3, 2, 9))
    await says(camp_bot, wecom, clock, ext, "补卡", at(3, 4, 9))  # fills March 3: the only card
    (answer,) = await says(camp_bot, wecom, clock, ext, "我打卡几天了", at(3, 4, 10))
    assert "累计打卡 2 天" in answer and "连续 2 天" in answer and "补卡机会已经没有" in answer, answer


async def test_a_customer_not_in_the_camp_yet_is_told_how_to_start(camp_bot, wecom, clock):
    (answer,) = await says(camp_bot, wecom, clock, "wmReader09", "我连续打卡几天了", at(3, 3, 9))
    assert "还没参加「7天阅读打卡」" in answer and "“打卡”" in answer, answer
    async with camp_bot.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Checkin)) == 0


@pytest.mark.parametrize("question", ["打卡有奖励吗", "坚持7天能拿到什么", "有什么奖励吗 坚持下来", "打卡有什么福利？"])
async def test_asked_what_the_camp_rewards_the_persona_tells_the_milestones_and_the_days_to_the_next(
        camp_bot, wecom, clock, question):
    """The late sandbox of 2026-12-05: "打卡有奖励吗" got "今天的卡已经打好啦" and "坚持7天能拿到什么" a promise to
    ask a colleague, although the camp's milestones were configured."""
    ext = "wmReader10"
    await says(camp_bot, wecom, clock, ext, "打卡", at(3, 2, 9))
    (answer,) = await says(camp_bot, wecom, clock, ext, question, at(3, 2, 10))
    assert "累计 3 天：5 积分" in answer and "累计 7 天：20 积分、「坚持7天」徽章、满99减10券" in answer, answer
    assert "累计 1 天" in answer and "2 天" in answer and "同事" not in answer, answer  # 2 days to day 3
    async with camp_bot.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Checkin)) == 1  # the question counted nothing


async def test_a_check_in_that_speaks_of_a_reward_is_still_a_check_in(camp_bot, wecom, clock):
    (ack,) = await says(camp_bot, wecom, clock, "wmReader11", "打卡 今天给自己的奖励是读完一章", at(3, 2, 9))
    assert " 1 天" in ack and "第 1 " in ack, ack


async def test_rewards_asked_before_joining_and_after_the_last_milestone(camp_bot, wecom, clock):
    (new,) = await says(camp_bot, wecom, clock, "wmReader12", "打卡有奖励吗", at(3, 2, 9))
    assert "“打卡”" in new and "累计 7 天：20 积分" in new, new
    async with camp_bot.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Checkin)) == 0
    ext = "wmReader13"
    for day in range(2, 9):
        await says(camp_bot, wecom, clock, ext, "打卡", at(3, day, 9))
    (done,) = await says(camp_bot, wecom, clock, ext, "打卡有什么奖励", at(3, 8, 12))
    assert "全部拿到" in done and "累计 7 天" in done, done


@pytest.mark.parametrize("question", ["我排第几名啊", "我的排名", "打卡排行榜", "我现在排第几"])
async def test_asked_their_place_a_customer_hears_their_own_rank_and_nobody_elses_name(
        camp_bot, wecom, clock, question):
    """The midnight sandbox of 2026-12-05: "我排第几名啊" right after a check-in got "收到～"."""
    for day in (2, 3):  # Ann: two days, first each morning
        await says(camp_bot, wecom, clock, "wmAnn00001", "打卡", at(3, day, 7))
    await says(camp_bot, wecom, clock, "wmBob00001", "打卡", at(3, 3, 8))  # Bob: one day
    (ack,) = await says(camp_bot, wecom, clock, "wmCat00001", "打卡", at(3, 3, 9))  # Cat: one day, after Bob
    (answer,) = await says(camp_bot, wecom, clock, "wmCat00001", question, at(3, 3, 10))
    assert "累计 1 天" in answer and "3 位" in answer and "第 3 名" in answer, answer  # behind Ann and Bob
    assert "第 3 个打卡" in answer and "同事" not in answer, answer  # third today
    assert "wmAnn" not in answer and "wmBob" not in answer
    async with camp_bot.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Checkin)) == 4  # the question counted nothing
    (later,) = await says(camp_bot, wecom, clock, "wmAnn00001", question, at(3, 4, 6, 30))
    assert "第 1 名" in later and "今天还没打卡" in later, later  # Ann leads; March 4 not checked in yet


async def test_asked_their_place_before_a_first_check_in_a_customer_is_told_how_to_start(camp_bot, wecom, clock):
    (answer,) = await says(camp_bot, wecom, clock, "wmNew000001", "我排第几名啊", at(3, 3, 9))
    assert "还没参加「7天阅读打卡」" in answer, answer


@pytest.mark.parametrize("question", ["打卡活动怎么参加", "怎么打卡", "打卡规则是什么", "坚持几天有奖励"])
async def test_how_the_camp_works_asked_before_joining_counts_nothing_and_says_how(camp_bot, wecom, clock, question):
    # sandbox 2026-12-06: "打卡活动怎么参加" was counted as day 1; "坚持几天有奖励" got a promise to ask a colleague
    (answer,) = await says(camp_bot, wecom, clock, "wmReader20", question, at(3, 2, 9))
    assert "“打卡”" in answer and "累计 7 天：20 积分" in answer, answer
    async with camp_bot.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Checkin)) == 0


@pytest.mark.parametrize("said", ["我要打卡", "我来打卡了", "今天也来打卡", "来打卡啦"])
async def test_a_check_in_with_a_few_words_before_the_keyword_is_a_check_in(camp_bot, wecom, clock, said):
    # sandbox 2026-12-06: "我要打卡" got "嗯嗯，小柚在听～"
    (ack,) = await says(camp_bot, wecom, clock, "wmReader21", said, at(3, 2, 9))
    assert " 1 天" in ack, ack
    async with camp_bot.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Checkin)) == 1


@pytest.mark.parametrize("question", ["你们最近有什么活动吗", "现在有啥活动"])
async def test_asked_what_is_on_a_customer_hears_of_the_running_camp_and_still_the_deals(
        camp_bot, wecom, clock, question):
    # sandbox 2026-12-06: "你们最近有什么活动吗" got only the new-customer coupon while a camp was running
    (answer,) = await says(camp_bot, wecom, clock, "wmReader22", question, at(3, 3, 9))  # one message, as a person
    assert "「7天阅读打卡」" in answer and "“打卡”" in answer, answer
    assert answer.index("“打卡”") < answer.index("199 减 30"), answer  # the knowledge base's deals, a line after it
    async with camp_bot.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Checkin)) == 0
    await says(camp_bot, wecom, clock, "wmReader22", "打卡", at(3, 3, 10))
    answers = await says(camp_bot, wecom, clock, "wmReader22", question, at(3, 3, 11))
    assert not any("7天阅读打卡" in a for a in answers), answers  # in it already: the deals alone
