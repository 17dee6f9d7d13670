"""The console's 活动与话题 page: check-in camps (newest first) with today's rate and leaderboard,
then the interest groups' topics, read through the same summaries staff get from /campaign stats.

Operators create a camp and end one early here with the functions /campaign create and /campaign
end run (handlers/checkin/campaigns.py), and see the same messages when a field is wrong."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from bot.appkeys import CONFIG
from bot.console.actions import Form, act, form_of, values
from bot.console.frame import allowed, context, frame, reader, session_of, tell
from bot.console.html import Safe, join, render, table
from bot.feature import ConsolePage
from handlers.checkin.campaigns import create_campaign, end_campaign
from handlers.checkin.commands import CAMPAIGN, created_text, ended_text
from handlers.checkin.stats import campaign_summary
from handlers.digest.render import fmt_percent
from handlers.services import Ctx
from handlers.staff.parsing import number, parse_date
from handlers.topics.console import topics_table
from handlers.topics.localtime import local_day
from storage.models import CheckinCampaign
from storage.repos import CampaignRepo

CAMPAIGN_STATE = {"draft": "未开始", "running": "进行中", "ended": "已结束"}
MILESTONE_ROWS = 3  # blank milestone rows on the form; a row without a day is ignored
MILESTONE_FIELDS = ("day", "points", "badge", "coupon")

CREATE_FORM = """<h2>新建打卡活动</h2>
<form method="post" action="/console/campaigns/create" class="act" id="campaign-create">
<input type="hidden" name="csrf" value="$csrf">
<label>标识 <input name="key" value="$key" maxlength="32" required placeholder="read21"></label>
<label>名称 <input name="name" value="$name" maxlength="64" required placeholder="21天阅读打卡"></label>
<label>开始日期 <input type="date" name="start" value="$start" required></label>
<label>天数 <input type="number" name="days" value="$days" min="1" max="366" required></label>
<label>仅限标签（可选） <input name="tag" value="$tag" maxlength="64" placeholder="兴趣:阅读"></label>
<fieldset><legend>里程碑（可选）：第几天达成，奖励积分、徽章、券</legend>$milestones</fieldset>
<button type="submit">创建活动</button></form>"""
MILESTONE = """<div class="row">
<label>第几天 <input type="number" name="m${i}_day" value="$day" min="1" max="366"></label>
<label>积分 <input type="number" name="m${i}_points" value="$points" min="0" max="100000"></label>
<label>徽章 <input name="m${i}_badge" value="$badge" maxlength="64"></label>
<label>券 <input name="m${i}_coupon" value="$coupon" maxlength="64"></label></div>"""


def state_of(campaign: CheckinCampaign, today: date) -> str:
    if campaign.status != "active" or campaign.end_date < today:
        return "ended"
    return "draft" if campaign.start_date > today else "running"


def create_form(request: web.Request, today: date, form: Form | None) -> Safe:
    v = values(form, key="", name="", start=today.isoformat(), days="7", tag="")
    rows = [render(MILESTONE, i=i, **{k: (form or {}).get(f"m{i}_{k}", "") for k in MILESTONE_FIELDS})
            for i in range(1, MILESTONE_ROWS + 1)]
    return render(CREATE_FORM, csrf=session_of(request).csrf, milestones=join(rows), **v)


def _end_button(request: web.Request, campaign: CheckinCampaign) -> Safe:
    return render('<form method="post" action="/console/campaigns/end" class="inline">'
                  '<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="key" value="$key">'
                  '<button type="submit" class="secondary">提前结束</button></form>',
                  csrf=session_of(request).csrf, key=campaign.key)


async def campaigns(request: web.Request) -> web.Response:
    return await campaigns_page(request)


async def campaigns_page(request: web.Request, *, form: Form | None = None, error: str = "") -> web.Response:
    config = request.config_dict[CONFIG]
    parts: list[Safe] = [render("<h1>活动与话题</h1>")]
    if error:
        parts.append(render('<p class="alert" role="alert">$e</p>', e=error))
    may_end = allowed(request, end)
    async with reader(request)() as session:
        ctx = context(request, session)
        today = local_day(config, ctx.clock.now())
        camps = await CampaignRepo(session).list(include_ended=True)
        if not camps:
            parts.append(render('<p class="empty">还没有打卡活动。</p>'))
        for c in reversed(camps):
            summary = await campaign_summary(ctx, c.key, top=10)
            day = next((d for d in summary.days if d.day == today), None)
            rate = day.rate if day is not None and day.participants else None
            board = table(["名次", "客户", "已打卡（天）", "连续（天）"],  # days, as /campaign stats counts them
                          [(r.rank, r.name, r.total, r.streak) for r in summary.leaderboard], empty="还没有人上榜")
            state = state_of(c, today)
            parts.append(render(
                '<section class="campaign" data-key="$key"><h3>$name <small>$state</small> $end</h3>'
                '<p class="sub">$when · 参与 $n 人 · 今日打卡率 $rate</p>$board</section>', key=c.key, name=c.name,
                state=CAMPAIGN_STATE[state], when=f"{c.start_date:%Y-%m-%d} – {c.end_date:%Y-%m-%d}",
                n=summary.participants, rate=fmt_percent(rate) if rate is not None else "—", board=board,
                end=_end_button(request, c) if may_end and state != "ended" else ""))
        if allowed(request, create):
            parts.append(create_form(request, today, form))
        parts.append(await topics_table(ctx))
    return frame(request, "活动与话题", join(parts), active="campaigns", status=400 if error else 200)


def _milestones(form: Form) -> list[dict[str, Any]]:
    out = []
    for i in range(1, MILESTONE_ROWS + 1):
        day = form.get(f"m{i}_day", "")
        if not day:
            continue
        out.append({"day": number(day, "里程碑天数"), "points": number(form.get(f"m{i}_points") or "0", "里程碑积分"),
                    "badge": form.get(f"m{i}_badge", "")[:64], "coupon": form.get(f"m{i}_coupon", "")[:64]})
    return out


async def create(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)

    async def work(ctx: Ctx) -> str:
        assert ctx.staff is not None
        c = await create_campaign(ctx, key=form.get("key", "")[:64], name=form.get("name", "")[:64],
                                  start=parse_date(form.get("start", "")), days=number(form.get("days", ""), "天数"),
                                  tag=form.get("tag", "")[:64], milestones=_milestones(form), actor=ctx.staff.userid)
        return created_text(c)

    outcome = await act(request, work, action="console_campaign_create", target=form.get("key", ""))
    if not outcome.ok:
        return await campaigns_page(request, form=form, error=outcome.error)
    await tell(request, outcome.message)
    raise web.HTTPSeeOther("/console/campaigns")


async def end(request: web.Request) -> web.StreamResponse:
    key = (await form_of(request, limit=64)).get("key", "")

    async def work(ctx: Ctx) -> str:
        assert ctx.staff is not None
        return ended_text(await end_campaign(ctx, key, actor=ctx.staff.userid))

    outcome = await act(request, work, action="console_campaign_end", target=key)
    if not outcome.ok:
        return await campaigns_page(request, error=outcome.error)
    await tell(request, outcome.message)
    raise web.HTTPSeeOther("/console/campaigns")


PAGES = (ConsolePage("/campaigns", campaigns, title="活动与话题", order=40, role="operator"),
         ConsolePage("/campaigns/create", create, method="POST", role=CAMPAIGN.role),
         ConsolePage("/campaigns/end", end, method="POST", role=CAMPAIGN.role))
