"""The console's 活动与话题 page: check-in camps (newest first) with today's rate and leaderboard,
then the interest groups' topics, read through the same summaries staff get from /campaign stats."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from bot.appkeys import CONFIG
from bot.console.frame import context, frame, reader
from bot.console.html import Safe, join, render, table
from bot.feature import ConsolePage
from handlers.checkin.stats import campaign_summary
from handlers.digest.render import fmt_percent
from handlers.topics.console import topics_table
from handlers.topics.localtime import local_day
from storage.models import CheckinCampaign
from storage.repos import CampaignRepo

CAMPAIGN_STATE = {"draft": "未开始", "running": "进行中", "ended": "已结束"}


def state_of(campaign: CheckinCampaign, today: date) -> str:
    if campaign.status != "active" or campaign.end_date < today:
        return "ended"
    return "draft" if campaign.start_date > today else "running"


async def campaigns(request: web.Request) -> web.Response:
    config = request.config_dict[CONFIG]
    parts: list[Safe] = [render("<h1>活动与话题</h1>")]
    async with reader(request)() as session:
        ctx = context(request, session)
        today = local_day(config, ctx.clock.now())
        for c in reversed(await CampaignRepo(session).list(include_ended=True)):
            summary = await campaign_summary(ctx, c.key, top=10)
            day = next((d for d in summary.days if d.day == today), None)
            rate = day.rate if day is not None and day.participants else None
            board = table(["名次", "客户", "得分"], [(i + 1, r.name, f"{r.total:g}")
                                                  for i, r in enumerate(summary.leaderboard)], empty="还没有人上榜")
            parts.append(render(
                '<section class="campaign"><h3>$name <small>$state</small></h3><p class="sub">$when · 参与 $n 人 · '
                '今日打卡率 $rate</p>$board</section>', name=c.name,
                state=CAMPAIGN_STATE[state_of(c, today)], when=f"{c.start_date:%Y-%m-%d} – {c.end_date:%Y-%m-%d}",
                n=summary.participants, rate=fmt_percent(rate) if rate is not None else "—", board=board))
        parts.append(await topics_table(ctx))
    return frame(request, "活动与话题", join(parts), active="campaigns")


PAGES = (ConsolePage("/campaigns", campaigns, title="活动与话题", order=40, role="operator"),)
