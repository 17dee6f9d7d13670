"""Questions about one's own check-ins, in the customer's own words: "我连续打卡几天了", "打卡断了还能补吗",
"怎么补卡". Answered with the customer's streak and total in their camp and what a make-up card still
allows, never counted as a check-in (sandbox trial, 2026-12-05: "打卡断了还能补吗" was counted as day 1
of the camp, "我连续打卡几天了" got a promise to ask a colleague). What the camp rewards ("打卡有奖励吗",
"坚持7天能拿到什么") is answered with its milestones and how far the customer is from the next one (the late
sandbox of 2026-12-05: "打卡有奖励吗" got "今天的卡已经打好啦", "坚持7天能拿到什么" a promise to ask). Their place
("我排第几名啊", "我的排名", "打卡排行榜": "收到～" in the midnight sandbox) is their own rank on the leaderboard staff
see, and today's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from handlers.checkin.campaigns import days_of, eligible, is_over
from handlers.checkin.config import CheckinConfig
from handlers.checkin.service import _choose, _md, rewards_text, streak
from handlers.checkin.stats import place_of
from handlers.escalation.rules import is_question
from handlers.replies.voice import Say
from handlers.services import Ctx
from handlers.topics.localtime import local_day
from persona.heard import heard
from storage.models import CheckinCampaign, CheckinParticipant
from storage.repos import CampaignRepo

_TRIM = " \t。.!！?？~～呀啊呢哦嘛吧啦"
_ME = r"(?:我|我的|我这|我现在|我已经|我目前|我一共|我总共)?"
# how far the customer got: "我连续打卡几天了", "我打了几天卡了", "我的打卡记录", "我今天打卡了吗"
_PROGRESS = (rf"{_ME}(?:现在|已经|一共|总共|目前)?(?:连续|累计)?(?:打卡|打了|坚持了?|签到)(?:了)?"
             r"(?:几|多少)天(?:卡)?(?:了)?|"
             rf"(?:帮我)?(?:查一下|查查|查下|看看|看一下)?{_ME}打卡(?:记录|进度|情况|天数)|"
             r"(?:帮我)?(?:查一下|查查|查下|看看|看一下)(?:我的?)?打卡|我的打卡|"
             rf"{_ME}今天(?:的卡)?(?:打卡|打过卡|打了卡|签到)(?:了|过)?(?:吗|没|没有|么)|"
             # the day of the camp they are on, asked of themselves: "我这是第几天了", "今天打到第几天了"
             rf"{_ME}(?:这|今天|现在)?(?:是|算|到|打到|坚持到)?第几天(?:了|啦)?")
# a missed day and whether it can be made up: "打卡断了还能补吗", "漏打卡了怎么办", "昨天忘打卡了", "怎么补卡"
_MISSED = r"(?:打卡)?(?:断了|断签了?|中断了|漏了|漏打了?|漏打卡了?|没打卡)|忘(?:了|记)?打(?:卡)?了?"
_IF = r"(?:昨天|前天|之前|上次|我|那|要是|如果|万一|哪天|有一天|中间|有天)"  # "要是哪天忘了打还能补吗"
_MAKEUP = (rf"{_IF}*(?:{_MISSED})(?:一天|两天|几天|一次)?(?:了)?(?:的话)?[，,]?"
           r"(?:还|那|我)?(?:能|可以|能不能|可不可以|怎么|咋|该怎么)?(?:补|补卡|补上|补打|办|弄)?(?:吗|么|嘛|不|没|啊)?|"
           r"(?:请问|那)?(?:我)?(?:还|现在)?(?:能|可以|能不能|可不可以)?(?:怎么|如何|咋)?补卡"
           r"(?:吗|么|嘛|不|怎么弄|怎么补|怎么用|怎么搞|怎么操作|咋弄|咋补|咋整|咋办|怎么办|规则|是什么|有什么规则|的规则|"
           r"有几次|能补几次|几次)?")
# one's place: "我排第几名啊", "我的排名", "今天我是第几个打卡的", "打卡排行榜"
_RANK = (rf"(?:今天)?{_ME}(?:现在|今天|目前|打卡|在)*(?:是)?"
         r"(?:排(?:在|到)?(?:第)?几(?:名|位)?|排名(?:是)?(?:多少|第几|几)?(?:名|位)?|排名(?:怎么样|如何)|名次(?:是)?(?:多少|第几)?|"
         r"第几(?:名|位|个)(?:打卡|打的卡|来打卡)?(?:的)?)(?:了)?(?:吗|么|呢)?|"
         r"(?:帮我)?(?:查一下|查查|看看|看一下)?(?:打卡)?(?:排行榜|榜单)(?:呢|怎么样|给我看看)?|"
         rf"{_ME}(?:在)?(?:打卡)?(?:排行榜|榜)上(?:吗|么|没|有我吗)?")
RANKED = re.compile(_RANK)
# how the camp works or is joined: "打卡活动怎么参加", "怎么打卡", "打卡规则是什么" (the sandbox of 2026-12-06:
# "打卡活动怎么参加" began with the keyword and was counted as day 1); answered as what the camp rewards, which
# says how
_ACT = r"(?:打卡|签到)(?:活动)?"
_HOW = r"(?:怎么|如何|咋|怎样)(?:样)?"
_JOIN = (rf"(?:请问|那)?(?:我)?{_ACT}(?:要|该)?{_HOW}(?:才能)?(?:参加|参与|报名|加入|玩|弄|算|进行|操作)|"
         rf"(?:请问|那)?(?:我)?(?:要|该)?{_HOW}(?:才能|才算|可以)?(?:参加|参与|报名|加入)?{_ACT}|"
         rf"(?:请问)?{_ACT}(?:是什么|是啥|的规则|规则|有什么规则|规则是什么|怎么回事)")
JOINING = re.compile(_JOIN)
ASKED = re.compile(rf"{_PROGRESS}|{_MAKEUP}|{_RANK}|{_JOIN}")
# what the camp rewards: "打卡有奖励吗", "坚持7天能拿到什么", "有什么奖励吗 坚持下来", "打满21天送啥". A camp word
# ("坚持" only as 坚持下来/坚持N天: "坚持用面霜有什么好处" asks about the cream) and a reward word, in either order.
_CAMP = (r"(?:打卡|签到|打满|全勤|连续(?:打|签|\d|[一二三四五六七八九十两])|"
         r"坚持(?:下来|打卡|签到|到底|到最后|完|\d+天|[一二三四五六七八九十两]+天|几天|多少天))")
_REWARD = (r"(?:奖励|奖品|礼物|礼品|福利|好处|送(?:什么|啥|些什么)|(?:拿|得|领)(?:到)?(?:什么|啥)|给(?:什么|啥)|"
           r"(?:能|可以)?(?:换|兑)(?:什么|啥))")
REWARDS = re.compile(rf".{{0,16}}(?:{_CAMP}.{{0,12}}{_REWARD}|{_REWARD}.{{0,12}}{_CAMP}).{{0,12}}")


def asks_about_checkins(ctx: Ctx, text: str) -> bool:
    """A question about the customer's own check-ins; the bare keywords ("打卡", "补卡") are requests."""
    said = heard(text.strip()).strip(_TRIM)
    config = ctx.settings.of(CheckinConfig)
    if said in (heard(config.keyword), heard(config.makeup_keyword)):
        return False
    return ASKED.fullmatch(said) is not None or asks_about_rewards(text)


def asks_about_rewards(text: str) -> bool:
    """A question about what the camp rewards (a question, so "打卡 今天的奖励是跑完5公里" stays a check-in)."""
    said = heard(text.strip()).strip(_TRIM)
    return REWARDS.fullmatch(said) is not None and is_question(text)


@dataclass
class _Standing:
    """The customer's camp as a question about it finds it."""
    campaign: CheckinCampaign
    today: date
    participant: CheckinParticipant | None
    days: list[date]
    facts: dict[str, object]


async def checkin_answer(ctx: Ctx, text: str) -> list[Say]:
    """The answer to a question about the customer's check-ins: the camp's rewards, or where they stand."""
    customer = ctx.customer
    assert customer is not None
    today = local_day(ctx.settings, ctx.clock.now())
    campaign, _, answer = await _choose(ctx, customer, "", today)
    if campaign is None:
        return [answer] if answer else []
    repo = CampaignRepo(ctx.session)
    participant = await repo.participant(campaign.id, customer.id)
    days = await repo.days_of(campaign.id, customer.id) if participant else []
    facts: dict[str, object] = {"campaign": campaign.name, "days": days_of(campaign), "window": campaign.daily_window,
                                "keyword": ctx.settings.of(CheckinConfig).keyword}
    if is_over(campaign, today):
        return [Say("checkin.ended", {**facts, "total": len(days)})]
    standing = _Standing(campaign, today, participant, days, facts)
    if asks_about_rewards(text) or JOINING.fullmatch(heard(text.strip()).strip(_TRIM)):
        return _rewards(standing)
    if RANKED.fullmatch(heard(text.strip()).strip(_TRIM)) and participant is not None and days:
        return await _place(ctx, standing)
    return await _progress(ctx, standing)


def _rewards(standing: _Standing) -> list[Say]:
    """The camp's milestones and their rewards, and how many days the customer still needs for the next."""
    campaign, total = standing.campaign, len(standing.days)
    facts = {**standing.facts, "points": campaign.points_per_checkin}
    steps = sorted((m for m in campaign.milestones if int(m.get("day") or 0) > 0), key=lambda m: int(m["day"]))
    if not steps:
        return [Say("checkin.rewards_none" if campaign.points_per_checkin else "checkin.rewards_nothing", facts)]
    facts["milestones"] = "；".join(f"累计 {m['day']} 天：{rewards_text(m)}" for m in steps)
    if standing.participant is None:
        return [Say("checkin.rewards_new", facts)]
    ahead = [m for m in steps if int(m["day"]) > total]
    if not ahead:
        return [Say("checkin.rewards_done", {**facts, "total": total})]
    step = ahead[0]
    return [Say("checkin.rewards", {**facts, "total": total, "next_day": int(step["day"]),
                                    "to_next": int(step["day"]) - total, "next_rewards": rewards_text(step)})]


async def _progress(ctx: Ctx, standing: _Standing) -> list[Say]:
    """Where the customer stands in their camp: counted days, streak, and the make-up cards left."""
    campaign, participant, days, facts = standing.campaign, standing.participant, standing.days, standing.facts
    if standing.today < campaign.start_date:
        return [Say("checkin.not_started", {**facts, "start": _md(campaign.start_date)})]
    if participant is None:
        assert ctx.customer is not None
        key = "checkin.progress_new" if await eligible(ctx, campaign, ctx.customer) else "checkin.not_eligible"
        return [Say(key, facts)]
    config = ctx.settings.of(CheckinConfig)
    left = max(campaign.makeup_limit - participant.makeups_used, 0)
    progress = {**facts, "streak": streak(days, standing.today), "total": len(days),
                "makeup_keyword": config.makeup_keyword, "makeup_days": config.makeup_days, "makeups_left": left}
    return [Say("checkin.progress" if left else "checkin.progress_no_makeup", progress)]


async def _place(ctx: Ctx, standing: _Standing) -> list[Say]:
    """The customer's place on the camp's leaderboard, and today's place if they checked in today. Other
    customers are never named: a customer sees only their own place."""
    assert ctx.customer is not None
    campaign, days = standing.campaign, standing.days
    rank, ranked = await place_of(ctx, campaign, ctx.customer.id)
    facts = {**standing.facts, "rank": rank, "ranked": ranked, "total": len(days),
             "streak": streak(days, standing.today)}
    repo = CampaignRepo(ctx.session)
    today = await repo.checkin_on(campaign.id, ctx.customer.id, standing.today) if standing.today in days else None
    if today is None:  # a make-up card only fills a day before today
        return [Say("checkin.rank_not_today", facts)]
    rank_today = await repo.on_time_rank(campaign.id, standing.today, today.id)
    return [Say("checkin.rank", {**facts, "rank_today": rank_today})]


async def camp_on_now(ctx: Ctx) -> list[Say]:
    """"最近有什么活动吗": the running camp the customer may join and has not joined, said before the knowledge
    base's answer; nothing when there is none, or they are in it already."""
    customer = ctx.customer
    assert customer is not None
    today = local_day(ctx.settings, ctx.clock.now())
    repo = CampaignRepo(ctx.session)
    joined = await repo.joined_campaign_ids(customer.id)
    for campaign in await repo.list():
        if (campaign.id not in joined and campaign.start_date <= today and not is_over(campaign, today)
                and await eligible(ctx, campaign, customer)):
            return [Say("checkin.on_now", {"campaign": campaign.name, "days": days_of(campaign),
                                           "window": campaign.daily_window,
                                           "keyword": ctx.settings.of(CheckinConfig).keyword})]
    return []
