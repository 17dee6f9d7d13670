"""The outbox: what waits, what failed and why, and a retry button (the same as `wanzi outbox retry`).

A retried row goes back to pending with a fresh attempt count; a sent row is never sent again,
and a welcome_code that expired will expire again (WeCom's 20 s are gone).
"""

from __future__ import annotations

from aiohttp import web

from bot.appkeys import CLOCK, CONFIG, READER, SESSIONS
from bot.console.frame import MAX_ID, actor, frame, session_of, staff_names, tell, wake_delivery, who
from bot.console.html import join, local_time, render, table, url
from storage.models import OutboxItem
from storage.queues import FAILED, OutboxRepo
from storage.repos import AuditRepo
from storage.views import ConsoleViews

TABS = {"pending": ("待发送", ("pending", "sending")), "failed": ("失败", FAILED),
        "sent": ("已发送", ("sent",))}
STATUS = {"pending": "待发送", "sending": "发送中", "sent": "已发送", "dead": "失败", "expired": "已过期"}
KIND = {"reply": "回复", "answer": "回复", "welcome": "欢迎语", "push": "推送", "notice": "员工通知",
        "sync": "同步企业微信"}
SHOWN = 100  # rows a tab lists, newest first


def recipient(row: OutboxItem, customers: dict[int, str], staff: dict[str, str]) -> str:
    """Whom a row is for: the customer, or the members an app message (message/send) goes to."""
    if row.customer_id:
        return customers.get(row.customer_id, "")
    touser = row.payload.get("touser") if isinstance(row.payload, dict) else None
    if not isinstance(touser, str) or not touser:
        return ""
    return "员工 " + "、".join(who(u, staff) for u in touser.split("|")[:5])


async def outbox_page(request: web.Request) -> web.Response:
    config = request.config_dict[CONFIG]
    tab = request.query.get("tab", "failed")
    if tab not in TABS:
        tab = "failed"
    label, statuses = TABS[tab]
    async with request.config_dict[READER]() as session:
        views = ConsoleViews(session)
        rows = await views.outbox(statuses, limit=SHOWN)
        names = await views.customer_names([r.customer_id for r in rows if r.customer_id])
        staff = await staff_names(session)
        depth = await OutboxRepo(session).depth()
    tz = config.persona.timezone
    csrf = session_of(request).csrf
    tabs = join(render('<a href="$href" class="$cls">$label（$n）</a>', href=url("/console/outbox", tab=key),
                       cls="active" if key == tab else "", label=name, n=sum(depth.get(s, 0) for s in sts))
                for key, (name, sts) in TABS.items())
    cells = []
    for r in rows:
        pick = render('<input type="checkbox" name="id" value="$id" aria-label="选择 $id">', id=r.id) \
            if r.status in FAILED else ""
        cells.append((pick, r.id, r.api, KIND.get(r.kind, r.kind), STATUS.get(r.status, r.status), r.attempts,
                      r.last_errcode or "", r.last_error or "", recipient(r, names, staff),
                      local_time(r.created_at, tz), local_time(r.sent_at or r.due_at, tz)))
    total = sum(depth.get(s, 0) for s in statuses)
    grid = table(["", "#", "接口", "类型", "状态", "次数", "错误码", "原因", "收件人", "创建", "发送/到期"], cells,
                 empty=f"没有{label}的消息", cls="outbox")
    if total > len(rows):
        grid = join([render('<p class="sub">只列出最新的 $n 条，共 $total 条。</p>', n=len(rows), total=total), grid])
    body = render('<h1>发件箱</h1><nav class="tabs">$tabs</nav>$form', tabs=tabs, form=grid)
    if tab == "failed" and rows:
        body = render('<h1>发件箱</h1><nav class="tabs">$tabs</nav>'
                      '<form method="post" action="/console/outbox/retry" class="retry">'
                      '<input type="hidden" name="csrf" value="$csrf">$grid'
                      '<div class="actions"><button type="submit" name="scope" value="selected">重试所选</button>'
                      '<button type="submit" name="scope" value="all">全部重试</button></div></form>',
                      tabs=tabs, csrf=csrf, grid=grid)
    return frame(request, "发件箱", body, active="outbox")


async def retry(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    clock = request.config_dict[CLOCK]
    async with request.config_dict[SESSIONS].begin() as session:
        repo = OutboxRepo(session)
        if form.get("scope") == "all":
            ids = [r.id for r in await repo.list(statuses=FAILED, limit=10_000)]
        else:
            raw = [str(v) for v in form.getall("id", [])][:1000]
            if any(not v.isdigit() or len(v) > 19 or int(v) > MAX_ID for v in raw):
                raise web.HTTPBadRequest(text="要重试的消息编号必须是数字。")
            ids = [int(v) for v in raw]
        n = await repo.retry(ids, now=clock.now()) if ids else 0
        AuditRepo(session).record(actor=actor(request), action="outbox_retry", target=f"{n} rows",
                                  detail={"ids": ids[:100]}, now=clock.now())
    if n:
        wake_delivery(request)
    await tell(request, f"已重新排队 {n} 条（已发送的不会重发；过期的欢迎语会再次过期）")
    raise web.HTTPSeeOther(url("/console/outbox", tab="pending" if n else "failed"))
