"""The escalation queue (claim, resolve) and campaigns with leaderboards and topics.

Both read from a source in `ConsoleSources`; while a source is missing the page says which
feature brings it, and the claim/resolve forms answer 503 rather than pretending to work.
"""

from __future__ import annotations

from aiohttp import web

from bot.appkeys import CLOCK, CONFIG, SESSIONS
from bot.console.frame import READER, SOURCES, actor, frame, session_of, wake_delivery
from bot.console.html import Safe, join, local_time, render, table, unavailable, url
from handlers.digest.render import fmt_percent
from storage.repos import AuditRepo

TICKET_STATUS = {"open": "待认领", "claimed": "处理中", "resolved": "已解决"}
CAMPAIGN_STATE = {"draft": "未开始", "running": "进行中", "ended": "已结束"}


async def escalations(request: web.Request) -> web.Response:
    tickets = request.config_dict[SOURCES].tickets
    if tickets is None:
        body = unavailable("升级工单", "工单队列尚未接入：人工升级与 SLA 由 issue 5 提供。",
                           "接入方式：在 console/sources.py 的 default_sources() 中提供 TicketSource。")
        return frame(request, "升级工单", body, active="escalations")
    config, clock = request.config_dict[CONFIG], request.config_dict[CLOCK]
    async with request.config_dict[READER]() as session:
        queue = await tickets.queue(session)
    csrf, me, tz, now = session_of(request).csrf, session_of(request).user, config.persona.timezone, clock.now()
    rows = []
    for t in queue:
        actions: list[Safe] = []
        if t.status == "open":
            actions.append(_button(t.id, "claim", "认领", csrf))
        if t.status in ("open", "claimed"):
            actions.append(_button(t.id, "resolve", "解决", csrf))
        late = t.sla_due_at is not None and t.status != "resolved" and t.sla_due_at < now
        due = local_time(t.sla_due_at, tz) if t.sla_due_at else "—"
        rows.append((t.id, render("$n<br><small>$e</small>", n=t.customer_name, e=t.external_userid), t.summary,
                     render('<span class="status-$s">$label</span>', s=t.status, label=TICKET_STATUS.get(t.status, t.status)),
                     t.assignee or "—", local_time(t.opened_at, tz),
                     render('<span class="$cls">$d</span>', cls="late" if late else "", d=due), join(actions)))
    flash = request.query.get("msg", "")
    body = render('<h1>升级工单</h1><p class="sub">当前登录：$me</p>$flash$grid', me=me,
                  flash=render('<p class="flash">$m</p>', m=flash) if flash else Safe(""),
                  grid=table(["#", "客户", "诉求", "状态", "负责人", "创建", "SLA 截止", "操作"], rows,
                             empty="队列是空的", cls="tickets"))
    return frame(request, "升级工单", body, active="escalations")


def _button(ticket_id: int, action: str, label: str, csrf: str) -> Safe:
    return render('<form method="post" action="/console/escalations/$id/$action" class="inline">'
                  '<input type="hidden" name="csrf" value="$csrf"><button type="submit">$label</button></form>',
                  id=ticket_id, action=action, csrf=csrf, label=label)


async def ticket_action(request: web.Request) -> web.StreamResponse:
    tickets = request.config_dict[SOURCES].tickets
    if tickets is None:
        raise web.HTTPServiceUnavailable(text="escalation tickets are not available in this build")
    action = request.match_info["action"]
    try:
        ticket_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    staff, clock = session_of(request).user, request.config_dict[CLOCK]
    async with request.config_dict[SESSIONS].begin() as session:
        do = tickets.claim if action == "claim" else tickets.resolve
        message = await do(session, ticket_id, staff)
        AuditRepo(session).record(actor=actor(request), action=f"ticket_{action}", target=str(ticket_id),
                                  now=clock.now())
    wake_delivery(request)  # the handover messages (kf trans, notices) leave now
    raise web.HTTPSeeOther(url("/console/escalations", msg=message))


async def campaigns(request: web.Request) -> web.Response:
    source = request.config_dict[SOURCES].campaigns
    if source is None:
        body = unavailable("活动与话题", "打卡活动、排行榜和话题尚未接入：由 issue 4 提供。",
                           "接入方式：在 console/sources.py 的 default_sources() 中提供 CampaignSource。")
        return frame(request, "活动与话题", body, active="campaigns")
    tz = request.config_dict[CONFIG].persona.timezone
    parts: list[Safe] = [render("<h1>活动与话题</h1>")]
    async with request.config_dict[READER]() as session:
        for c in await source.campaigns(session):
            board = await source.leaderboard(session, c.id)
            parts.append(render(
                '<section class="campaign"><h3>$name <small>$state</small></h3><p class="sub">$when · 参与 $n 人 · '
                '今日打卡率 $rate</p>$board</section>', name=c.name, state=CAMPAIGN_STATE.get(c.state, c.state),
                when=f"{local_time(c.starts, tz, '%Y-%m-%d')} – {local_time(c.ends, tz, '%Y-%m-%d')}",
                n=c.participants, rate=fmt_percent(c.checkin_rate) if c.checkin_rate is not None else "—",
                board=table(["名次", "客户", "得分"], [(i + 1, r.name, f"{r.score:g}") for i, r in enumerate(board)],
                            empty="还没有人上榜")))
        topics = await source.topics(session)
    parts.append(render("<h2>话题</h2>$t", t=table(["话题", "状态", "发言"], [(t.name, t.state, t.posts) for t in topics],
                                                   empty="还没有话题")))
    return frame(request, "活动与话题", join(parts), active="campaigns")
