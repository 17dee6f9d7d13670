"""The console's 客户洞察 page: the KOC ranking with the parts of each score, the button that
runs /koc tag, and the latest suggestions customers gave (as /suggestions lists them)."""

from __future__ import annotations

from aiohttp import web

from bot.appkeys import CONFIG
from bot.console.actions import act, form_of
from bot.console.frame import allowed, context, frame, reader, session_of, staff_names, tell
from bot.console.frame import who as member
from bot.console.html import Safe, join, local_time, render, table
from bot.feature import ConsolePage
from handlers.insights.commands import KOC, MAX_LIST, count
from handlers.insights.config import KocConfig
from handlers.insights.koc import care_text, fmt, formula, koc_scores, tag_top_kocs, who
from handlers.services import Ctx
from storage.models import Customer
from storage.repos.insights import SuggestionRepo

SUGGESTIONS_SHOWN = MAX_LIST

TAG_FORM = """<form method="post" action="/console/insights/koc-tag" class="act compact" id="koc-tag">
<input type="hidden" name="csrf" value="$csrf">
<label>前 <input name="n" value="$n" size="3" maxlength="2" required> 位中 ≥$min 分的客户</label>
<button type="submit">打上「$tag」$care</button></form>"""

async def insights(request: web.Request) -> web.Response:
    return await insights_page(request)

async def insights_page(request: web.Request, *, error: str = "") -> web.Response:
    config = request.config_dict[CONFIG]
    cfg, tz = config.of(KocConfig), config.persona.timezone
    parts: list[Safe] = [render('<h1>客户洞察</h1><p class="sub">KOC：$formula。</p>', formula=formula(cfg))]
    if error:
        parts.append(render('<p class="alert" role="alert">$e</p>', e=error))
    async with reader(request)() as session:
        ctx = context(request, session)
        ranked = await koc_scores(ctx, limit=cfg.top)
        suggestions = await SuggestionRepo(session).recent(SUGGESTIONS_SHOWN)
        names = await staff_names(session)
    rows = [(i, render('<a href="$href">$name</a>', href=f"/console/customers/{s.customer.id}",
                       name=who(s.customer)), fmt(s.score(cfg)), s.why(cfg),
             member(s.customer.advisor_userid, names) if s.customer.advisor_userid else "—")
            for i, s in enumerate(ranked, 1)]
    parts.append(render("<h2>KOC 排行</h2>$t", t=table(["#", "客户", "得分", "得分构成", "专属顾问"], rows,
                                                       empty="还没有 KOC 候选", cls="koc")))
    if allowed(request, koc_tag):
        care = f"并交 {member(cfg.advisor, names)} 1:1 跟进" if cfg.advisor else ""
        parts.append(render(TAG_FORM, csrf=session_of(request).csrf, n=str(cfg.top), min=fmt(cfg.min_score),
                            tag=cfg.tag_ref.name, care=care))
    lines = [(local_time(s.created_at, tz), render('<a href="$href">$name</a>', href=f"/console/customers/{c.id}",
                                                    name=who(c)), given, s.text) for s, c, given in suggestions]
    parts.append(render("<h2>客户建议</h2>$t", t=table(["时间", "客户", "累计", "建议"], lines,
                                                     empty="还没有客户建议", cls="suggestions")))
    return frame(request, "客户洞察", join(parts), active="insights", status=400 if error else 200)

async def suggestions_fact(ctx: Ctx, customer: Customer) -> list[tuple[str, str]]:
    """The customer page's 客户建议 line: how many they gave and the latest."""
    latest = await SuggestionRepo(ctx.session).of_customer(customer.id, limit=1)
    if not latest:
        return []
    given = await SuggestionRepo(ctx.session).count_of(customer.id)
    return [("客户建议", f"{given} 条，最近：{latest[0].text[:60]}")]


async def koc_tag(request: web.Request) -> web.StreamResponse:
    form = await form_of(request, limit=8)

    async def work(ctx: Ctx) -> str:
        assert ctx.staff is not None
        cfg = ctx.settings.of(KocConfig)
        return care_text(cfg, await tag_top_kocs(ctx, count(form.get("n", "")), actor=ctx.staff.userid))

    outcome = await act(request, work, action="console_koc_tag", target=form.get("n", ""))
    if not outcome.ok:
        return await insights_page(request, error=outcome.error)
    await tell(request, outcome.message)
    raise web.HTTPSeeOther("/console/insights")

PAGES = (ConsolePage("/insights", insights, title="客户洞察", order=48, role=KOC.role),
         ConsolePage("/insights/koc-tag", koc_tag, method="POST", role=KOC.role))
