"""Questions about one's own check-ins, in the customer's own words: "我连续打卡几天了", "打卡断了还能补吗",
"怎么补卡". Answered with the customer's streak and total in their camp and what a make-up card still
allows, never counted as a check-in (sandbox trial, 2026-12-05: "打卡断了还能补吗" was counted as day 1
of the camp, "我连续打卡几天了" got a promise to ask a colleague).
"""

from __future__ import annotations

import re

from handlers.checkin.campaigns import days_of, eligible, is_over
from handlers.checkin.config import CheckinConfig
from handlers.checkin.service import _choose, _md, streak
from handlers.replies.voice import Say
from handlers.services import Ctx
from handlers.topics.localtime import local_day
from persona.heard import heard
from storage.repos import CampaignRepo

_TRIM = " \t。.!！?？~～呀啊呢哦嘛吧啦"
_ME = r"(?:我|我的|我这|我现在|我已经|我目前|我一共|我总共)?"
# how far the customer got: "我连续打卡几天了", "我打了几天卡了", "我的打卡记录", "我今天打卡了吗"
_PROGRESS = (rf"{_ME}(?:现在|已经|一共|总共|目前)?(?:连续|累计)?(?:打卡|打了|坚持了?|签到)(?:了)?"
             r"(?:几|多少)天(?:卡)?(?:了)?|"
             rf"(?:帮我)?(?:查一下|查查|查下|看看|看一下)?{_ME}打卡(?:记录|进度|情况|天数)|"
             r"(?:帮我)?(?:查一下|查查|查下|看看|看一下)(?:我的?)?打卡|我的打卡|"
             rf"{_ME}今天(?:的卡)?(?:打卡|打过卡|打了卡|签到)(?:了|过)?(?:吗|没|没有|么)")
# a missed day and whether it can be made up: "打卡断了还能补吗", "漏打卡了怎么办", "昨天忘打卡了", "怎么补卡"
_MISSED = r"(?:打卡)?(?:断了|断签了?|中断了|漏了|漏打了?|漏打卡了?|没打卡)|忘(?:了|记)?打卡了?"
_MAKEUP = (rf"(?:昨天|前天|之前|上次|我|那)*(?:{_MISSED})(?:一天|两天|几天|一次)?(?:了)?(?:的话)?[，,]?"
           r"(?:还|那|我)?(?:能|可以|能不能|可不可以|怎么|咋|该怎么)?(?:补|补卡|补上|补打|办|弄)?(?:吗|么|嘛|不|没|啊)?|"
           r"(?:请问|那)?(?:我)?(?:还|现在)?(?:能|可以|能不能|可不可以)?(?:怎么|如何|咋)?补卡"
           r"(?:吗|么|嘛|不|怎么弄|怎么补|怎么用|怎么搞|怎么操作|咋弄|咋补|咋整|咋办|怎么办|规则|是什么|有什么规则|的规则|"
           r"有几次|能补几次|几次)?")
ASKED = re.compile(rf"{_PROGRESS}|{_MAKEUP}")


def asks_about_checkins(ctx: Ctx, text: str) -> bool:
    """A question about the customer's own check-ins; the bare keywords ("打卡", "补卡") are requests."""
    said = heard(text.strip()).strip(_TRIM)
    config = ctx.settings.of(CheckinConfig)
    return said not in (heard(config.keyword), heard(config.makeup_keyword)) and ASKED.fullmatch(said) is not None


async def checkin_progress(ctx: Ctx) -> list[Say]:
    """Where the customer stands in their camp: counted days, streak, and the make-up cards left."""
    customer = ctx.customer
    assert customer is not None
    today = local_day(ctx.settings, ctx.clock.now())
    campaign, _, answer = await _choose(ctx, customer, "", today)
    if campaign is None:
        return [answer] if answer else []
    config = ctx.settings.of(CheckinConfig)
    repo = CampaignRepo(ctx.session)
    facts: dict[str, object] = {"campaign": campaign.name, "days": days_of(campaign), "window": campaign.daily_window,
                                "keyword": config.keyword}
    participant = await repo.participant(campaign.id, customer.id)
    days = await repo.days_of(campaign.id, customer.id) if participant else []
    if is_over(campaign, today):
        return [Say("checkin.ended", {**facts, "total": len(days)})]
    if today < campaign.start_date:
        return [Say("checkin.not_started", {**facts, "start": _md(campaign.start_date)})]
    if participant is None:
        key = "checkin.progress_new" if await eligible(ctx, campaign, customer) else "checkin.not_eligible"
        return [Say(key, facts)]
    left = max(campaign.makeup_limit - participant.makeups_used, 0)
    progress = {**facts, "streak": streak(days, today), "total": len(days), "makeup_keyword": config.makeup_keyword,
                "makeup_days": config.makeup_days, "makeups_left": left}
    return [Say("checkin.progress" if left else "checkin.progress_no_makeup", progress)]
