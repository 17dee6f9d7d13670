"""Customers: search by external id, name or remark; one customer's tags, stage, facts and history.

Opening a customer's page is written to the audit log (who looked at whose data, PIPL).
"""

from __future__ import annotations

from aiohttp import web

from bot import roles
from bot.appkeys import CLOCK, CONFIG, FACTS
from bot.appkeys import PAGES as MOUNTED
from bot.console.frame import actor, context, frame, path_id, reader, signed_in, writer
from bot.console.html import Safe, join, local_time, render, table, url
from bot.feature import ConsolePage
from bot.roles import Role
from storage.repos import AuditRepo, CustomerRepo
from storage.views import ConsoleViews

STATUS = {"active": "好友", "lost": "已流失"}
DIRECTION = {"in": "收", "out": "发"}
KIND = {"chat": "聊天", "answer": "回复", "welcome": "欢迎语", "push": "推送", "notice": "通知"}


def _tags(names: list[str]) -> Safe:
    return join(render('<span class="tag">$t</span>', t=t) for t in names) if names else Safe("—")


async def customer_list(request: web.Request) -> web.Response:
    config = request.config_dict[CONFIG]
    q = request.query.get("q", "").strip()[:64]
    async with reader(request)() as session:
        views, me = ConsoleViews(session), signed_in(request)
        scope = me.userid if me.role == Role.ADVISOR else None  # an advisor sees the customers they serve
        customers = await views.customers(q, advisor=scope)
        tags = await views.tags_of([c.id for c in customers])
        total = await views.count_customers(advisor=scope)
    async with writer(request).begin() as session:  # who looked at which customers (PIPL), like a detail view
        AuditRepo(session).record(actor=actor(request), action="console_list_customers", target=q[:128],
                                  detail={"shown": len(customers)}, now=request.config_dict[CLOCK].now())
    tz = config.persona.timezone
    rows = [(render('<a href="$href">$name</a>', href=f"/console/customers/{c.id}", name=c.name or "（未命名）"),
             c.external_userid, c.remark or "—", c.channel or "—", c.stage or "—", _tags(tags.get(c.id, [])),
             STATUS.get(c.status, c.status), local_time(c.last_inbound_at, tz) or "—") for c in customers]
    form = render('<form class="search" method="get" action="/console/customers">'
                  '<input name="q" value="$q" placeholder="客户 ID / 昵称 / 备注" autofocus>'
                  '<button type="submit">搜索</button></form><p class="sub">$summary</p>',
                  q=q, summary=f"共 {total} 位客户" + (f"，“{q}”匹配 {len(customers)} 位" if q else "，按最近互动排序"))
    body = join([render("<h1>客户</h1>"), form,
                 table(["昵称", "外部联系人 ID", "备注", "渠道", "阶段", "标签", "状态", "最近发言"], rows,
                       empty="没有找到客户", cls="customers")])
    return frame(request, "客户", body, active="customers")


def _actions(request: web.Request, customer_id: int) -> Safe:
    """Links to the features' customer actions (e.g. export, erase) the member's role may open."""
    me = signed_in(request)
    links = [render('<a href="$href">$label</a>', href=f"/console{p.path.replace('{id}', str(customer_id))}",
                    label=p.customer_action)
             for p in request.config_dict[MOUNTED]
             if p.customer_action and p.method == "GET" and roles.allows(me.role, p.role)]
    return render('<p class="actions">$links</p>', links=join(links)) if links else Safe("")


async def customer_detail(request: web.Request) -> web.Response:
    config, clock = request.config_dict[CONFIG], request.config_dict[CLOCK]
    customer_id = path_id(request)
    async with writer(request).begin() as session:
        views, me = ConsoleViews(session), signed_in(request)
        if me.role == Role.ADVISOR and not await views.serves(me.userid, customer_id):
            raise web.HTTPNotFound(text="no such customer")  # another advisor's: not even its existence
        try:
            customer = await CustomerRepo(session).get(customer_id)
        except LookupError:
            raise web.HTTPNotFound(text="no such customer") from None
        tags = (await views.tags_of([customer.id])).get(customer.id, [])
        history = await views.history(customer.id)
        facts: list[tuple[str, str]] = []
        ctx = context(request, session)
        for fact in request.config_dict[FACTS]:
            facts += await fact(ctx, customer)
        AuditRepo(session).record(actor=actor(request), action="console_view_customer",
                                  target=customer.external_userid, now=clock.now())
    tz = config.persona.timezone
    profile = [("外部联系人 ID", customer.external_userid), ("备注", customer.remark or "—"),
               ("渠道", customer.channel or "—"), ("添加员工", customer.owner_userid or "—"),
               ("专属顾问", customer.advisor_userid or "—"), ("阶段", customer.stage or "—"),
               ("状态", STATUS.get(customer.status, customer.status) + (
                   f"（{local_time(customer.lost_at, tz, '%Y-%m-%d %H:%M')}）" if customer.lost_at else "")),
               ("推送", "已退订" if customer.opted_out else "接收"),
               ("首次出现", local_time(customer.first_seen_at, tz, "%Y-%m-%d %H:%M")), *facts]
    dl = join(render("<dt>$k</dt><dd>$v</dd>", k=k, v=v) for k, v in profile)
    lines = [render('<li class="msg $dir"><span class="meta">$when · $way · $kind</span><span class="text">$text</span>'
                    '</li>', dir=m.direction, when=local_time(m.created_at, tz, "%Y-%m-%d %H:%M:%S"),
                    way=f"{DIRECTION.get(m.direction, m.direction)}·{m.channel}", kind=KIND.get(m.kind, m.kind),
                    text=m.text) for m in history]
    body = render('<p><a href="$back">← 客户列表</a></p><h1>$name</h1>$actions<dl class="profile">$dl</dl>'
                  '<h3>标签</h3><p>$tags</p><h3>消息记录（最近 $n 条）</h3><ol class="history">$lines</ol>',
                  back=url("/console/customers"), name=customer.name or customer.external_userid, dl=dl,
                  actions=_actions(request, customer_id), tags=_tags(tags), n=len(history),
                  lines=join(lines) if lines else Safe("<li>没有消息</li>"))
    return frame(request, customer.name or "客户", body, active="customers")


PAGES = (ConsolePage("/customers", customer_list, title="客户", order=20),
         ConsolePage("/customers/{id}", customer_detail))
