"""Customers: search by external id, name or remark; one customer's tags, stage, facts and history.

Opening a customer's page is written to the audit log (who looked at whose data, PIPL). On the page,
staff tag and untag (advisors: the customers they serve), set VIP and assign an advisor with the
functions /tag, /untag, /vip and /assign run; features add their own forms (`Feature.customer_panels`).
"""

from __future__ import annotations

from typing import Awaitable, Callable

from aiohttp import web

from bot import roles
from bot.appkeys import CLOCK, CONFIG, FACTS, PANELS, PERSONA
from bot.appkeys import PAGES as MOUNTED
from bot.config import Config
from bot.console.actions import Form, act, form_of, values
from bot.console.frame import actor, allowed, context, frame, path_id, reader, signed_in, staff_names, tell, who, writer
from bot.console.html import Safe, join, local_time, render, table, url
from bot.feature import ConsolePage, PageHandler
from bot.roles import Role, member_words
from handlers.customers.commands import ASSIGN, VIP, assign_advisor, set_vip, status_label
from handlers.greeting.config import channel_name
from handlers.services import Ctx
from handlers.staff.parsing import switch
from handlers.tagging.commands import TAG, UNTAG, tag_customer, untag_customer
from storage.models import Customer
from storage.repos import AuditRepo, CustomerRepo
from storage.views import ConsoleViews

PAGE_SIZE = 50


def _page_number(request: web.Request) -> int:
    raw = request.query.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise web.HTTPBadRequest(text="页码要写成 1 到 100000 之间的数字。")
    return int(raw)
DIRECTION = {"in": "收", "out": "发"}
KIND = {"chat": "聊天", "answer": "回复", "welcome": "欢迎语", "push": "推送", "notice": "通知"}


def _tags(names: list[str], *, untag_at: str = "", csrf: str = "") -> Safe:
    """Tag chips; with `untag_at`, each with a button that takes it off (/untag)."""
    if not names:
        return Safe("—")
    if not untag_at:
        return join(render('<span class="tag">$t</span>', t=t) for t in names)
    return render('<ul class="tags">$chips</ul>', chips=join(
        render('<li class="tag">$t<form method="post" action="$a" class="inline"><input type="hidden" name="csrf" '
               'value="$csrf"><input type="hidden" name="tag" value="$t"><button type="submit" class="x" '
               'title="去掉标签 $t" aria-label="去掉标签 $t">×</button></form></li>', t=t, a=untag_at, csrf=csrf)
        for t in names))


async def customer_list(request: web.Request) -> web.Response:
    config = request.config_dict[CONFIG]
    q = request.query.get("q", "").strip()[:64]
    number = _page_number(request)
    async with reader(request)() as session:
        views, me = ConsoleViews(session), signed_in(request)
        scope = me.userid if me.role == Role.ADVISOR else None  # an advisor sees the customers they serve
        customers = await views.customers(q, advisor=scope, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        tags = await views.tags_of([c.id for c in customers])
        total = await views.count_customers(advisor=scope)
        matched = await views.count_customers(q, advisor=scope) if q else total
    async with writer(request).begin() as session:  # who looked at which customers (PIPL), like a detail view
        AuditRepo(session).record(actor=actor(request), action="console_list_customers", target=q[:128],
                                  detail={"shown": len(customers)}, now=request.config_dict[CLOCK].now())
    tz, persona = config.persona.timezone, request.config_dict[PERSONA]
    rows = [(render('<a href="$href">$name</a>$vip', href=f"/console/customers/{c.id}", name=c.name or "（未命名）",
                    vip=Safe(' <span class="vip">VIP</span>') if c.is_vip else Safe("")),
             c.external_userid, c.remark or "—", channel_name(config, c.channel) or "—",
             persona.stage_label(c.stage) or "—",
             _tags(tags.get(c.id, [])),
             status_label(c), local_time(c.last_inbound_at, tz) or "—") for c in customers]
    form = render('<form class="search" method="get" action="/console/customers">'
                  '<input name="q" value="$q" placeholder="客户 ID / 昵称 / 备注" autofocus>'
                  '<button type="submit">搜索</button></form><p class="sub">$summary</p>',
                  q=q, summary=(f"你服务的客户（你添加的、你是专属顾问的、或有你的工单的）共 {total} 位" if scope
                                else f"共 {total} 位客户") + (f"，“{q}”匹配 {matched} 位" if q else "，按最近互动排序"))
    body = join([render("<h1>客户</h1>"), form,
                 table(["昵称", "外部联系人 ID", "备注", "渠道", "阶段", "标签", "状态", "最近发言"], rows,
                       empty="没有找到客户" if number == 1 else "这一页没有客户了", cls="customers"),
                 _pager(q, number, matched)])
    return frame(request, "客户", body, active="customers")


def _pager(q: str, number: int, matched: int) -> Safe:
    """第 51–100 位，共 N 位 with the pages before and after, once there are more than fit one page."""
    if matched <= PAGE_SIZE and number == 1:
        return Safe("")
    first, last = (number - 1) * PAGE_SIZE + 1, min(number * PAGE_SIZE, matched)
    shown = f"第 {first}–{last} 位，共 {matched} 位" if first <= last else f"共 {matched} 位"
    before = render('<a href="$u">← 上一页</a>', u=url("/console/customers", q=q, page=number - 1)) \
        if number > 1 else Safe("")
    after = render('<a href="$u">下一页 →</a>', u=url("/console/customers", q=q, page=number + 1)) \
        if number * PAGE_SIZE < matched else Safe("")
    return render('<nav class="pager">$before<span>$shown</span>$after</nav>', before=before, shown=shown, after=after)


def _actions(request: web.Request, customer_id: int) -> Safe:
    """Links to the features' customer actions (e.g. export, erase) the member's role may open."""
    me = signed_in(request)
    links = [render('<a href="$href">$label</a>', href=f"/console{p.path.replace('{id}', str(customer_id))}",
                    label=p.customer_action)
             for p in request.config_dict[MOUNTED]
             if p.customer_action and p.method == "GET" and roles.allows(me.role, p.role)]
    return render('<p class="actions">$links</p>', links=join(links)) if links else Safe("")


async def customer_detail(request: web.Request) -> web.Response:
    return await customer_page(request)


async def customer_page(request: web.Request, *, form: Form | None = None, error: str = "") -> web.Response:
    """One customer; `form` and `error` when a form on it failed (shown again with what was typed)."""
    config, clock = request.config_dict[CONFIG], request.config_dict[CLOCK]
    customer_id = path_id(request)
    async with writer(request).begin() as session:
        views, me = ConsoleViews(session), signed_in(request)
        if me.role == Role.ADVISOR and not await views.serves(me.userid, customer_id):
            # another advisor's: not even its existence
            raise web.HTTPNotFound(text="没有这位客户，或TA不是你服务的客户。")
        try:
            customer = await CustomerRepo(session).get(customer_id)
        except LookupError:
            raise web.HTTPNotFound(text="没有这位客户，或TA不是你服务的客户。") from None
        tags = (await views.tags_of([customer.id])).get(customer.id, [])
        history = await views.history(customer.id)
        members_known = await staff_names(session)
        friends = [who(f.userid, members_known) for f in await CustomerRepo(session).friendships(customer)
                   if f.ended_at is None] or ([who(customer.owner_userid, members_known)] if customer.owner_userid
                                              else [])
        facts: list[tuple[str, str]] = []
        ctx = context(request, session)
        for fact in request.config_dict[FACTS]:
            facts += await fact(ctx, customer)
        panels = [Safe(await panel(request, ctx, customer, form)) for panel in request.config_dict[PANELS]]
        members = [m for m in await ctx.repos.staff.list() if m.active] if allowed(request, assign) else []
        may_tag = allowed(request, tag)
        known_tags = await ctx.repos.tags.all() if may_tag else []
        AuditRepo(session).record(actor=actor(request), action="console_view_customer",
                                  target=customer.external_userid, now=clock.now())
    tz, csrf, base = config.persona.timezone, signed_in(request).csrf, f"/console/customers/{customer.id}"
    vip = render("$state $button", state="是" if customer.is_vip else "否",
                 button=_post(f"{base}/vip", csrf, "取消 VIP" if customer.is_vip else "设为 VIP",
                              on="off" if customer.is_vip else "on") if allowed(request, vip_switch) else "")
    advisor: object = customer.advisor_userid or "—"
    if members:
        chosen = values(form, advisor=customer.advisor_userid)["advisor"]
        options = join(render('<option value="$u"$sel>$label</option>', u=m.userid,
                              sel=Safe(" selected") if m.userid == chosen else Safe(""),
                              label=member_words(m.name, m.userid)) for m in members)
        none = Safe("" if chosen else '<option value="" disabled selected>（未分配）</option>')
        advisor = render('<form method="post" action="$a" class="inline" id="assign"><input type="hidden" name="csrf" '
                         'value="$csrf"><select name="advisor" aria-label="专属顾问" required>$none$o</select> '
                         '<button type="submit" class="secondary">指定</button></form>',
                         a=f"{base}/advisor", csrf=csrf, none=none, o=options)
    profile = [("外部联系人 ID", customer.external_userid), ("备注", customer.remark or "—"),
               ("渠道", _channel(config, customer.channel)), ("添加员工", "、".join(friends) or "—"),
               ("专属顾问", advisor), ("VIP", vip),
               ("阶段", request.config_dict[PERSONA].stage_label(customer.stage) or "—"),
               ("状态", status_label(customer) + (
                   f"（{local_time(customer.lost_at, tz, '%Y-%m-%d %H:%M')}）" if customer.lost_at else "")),
               ("推送", "已退订" if customer.opted_out else "接收"),
               ("首次出现", local_time(customer.first_seen_at, tz, "%Y-%m-%d %H:%M")), *facts]
    dl = join(render("<dt>$k</dt><dd>$v</dd>", k=k, v=v) for k, v in profile)
    lines = [render('<li class="msg $dir"><span class="meta">$when · $way · $kind</span><span class="text">$text</span>'
                    '</li>', dir=m.direction, when=local_time(m.created_at, tz, "%Y-%m-%d %H:%M:%S"),
                    way=f"{DIRECTION.get(m.direction, m.direction)}·{m.channel}", kind=KIND.get(m.kind, m.kind),
                    text=m.text) for m in history]
    tag_part = _tags(tags, untag_at=f"{base}/untag" if allowed(request, untag) else "", csrf=csrf)
    if may_tag:
        names = join(render('<option value="$v">', v=f"{t.group_name}/{t.name}" if t.group_name else t.name)
                     for t in known_tags)
        tag_part = render('$tags<form method="post" action="$a" class="act compact" id="tag-add"><input type="hidden" '
                          'name="csrf" value="$csrf"><label>打标签 <input name="tag" list="known-tags" maxlength="64" '
                          'required value="$v" placeholder="VIP 或 +新标签"></label><datalist id="known-tags">$names'
                          '</datalist><button type="submit">添加</button></form>', tags=tag_part, a=f"{base}/tags",
                          csrf=csrf, v=values(form, tag="")["tag"], names=names)
    alert = render('<p class="alert" role="alert">$e</p>', e=error) if error else Safe("")
    body = render('<p><a href="$back">← 客户列表</a></p><h1>$name</h1>$actions$alert<dl class="profile">$dl</dl>'
                  '<h3>标签</h3>$tags$panels<h3>消息记录（最近 $n 条）</h3><ol class="history">$lines</ol>',
                  back=url("/console/customers"), name=customer.name or customer.external_userid, alert=alert, dl=dl,
                  actions=_actions(request, customer_id),
                  tags=tag_part, panels=join(panels), n=len(history),
                  lines=join(lines) if lines else Safe("<li>没有消息</li>"))
    return frame(request, customer.name or "客户", body, active="customers", status=400 if error else 200)


def _post(action: str, csrf: str, label: str, **fields: str) -> Safe:
    hidden = join(render('<input type="hidden" name="$k" value="$v">', k=k, v=v) for k, v in fields.items())
    return render('<form method="post" action="$a" class="inline"><input type="hidden" name="csrf" value="$csrf">$h'
                  '<button type="submit" class="secondary">$label</button></form>', a=action, csrf=csrf, h=hidden,
                  label=label)


async def _served(request: web.Request) -> int:
    """The customer a form acts on: 404 for one that does not exist or (an advisor) is not theirs."""
    customer_id, me = path_id(request), signed_in(request)
    async with reader(request)() as session:
        views = ConsoleViews(session)
        found = await session.get(Customer, customer_id)
        if found is None or me.role == Role.ADVISOR and not await views.serves(me.userid, customer_id):
            raise web.HTTPNotFound(text="没有这位客户，或TA不是你服务的客户。")
    return customer_id


CustomerWork = Callable[[Ctx, Customer, Form], Awaitable[str]]


def customer_action(name: str, work: CustomerWork) -> PageHandler:
    """A form on the customer page: run `work` on the customer (the command's function), then back to the
    page with its answer, or the page again with the command's message and what was typed."""

    async def handle(request: web.Request) -> web.StreamResponse:
        customer_id = await _served(request)
        form = await form_of(request, limit=64)
        target = ""

        async def run(ctx: Ctx) -> str:
            nonlocal target
            customer = await ctx.repos.customers.get(customer_id)
            target = customer.external_userid
            return await work(ctx, customer, form)

        outcome = await act(request, run, action=f"console_{name}", target=lambda: target, detail=form)
        if not outcome.ok:
            return await customer_page(request, form=form, error=outcome.error)
        await tell(request, outcome.message)
        raise web.HTTPSeeOther(f"/console/customers/{customer_id}")

    handle.__name__ = name
    return handle


async def _tag(ctx: Ctx, customer: Customer, form: Form) -> str:
    return await tag_customer(ctx, customer, [form.get("tag", "")])


async def _untag(ctx: Ctx, customer: Customer, form: Form) -> str:
    return await untag_customer(ctx, customer, [form.get("tag", "")])


async def _vip(ctx: Ctx, customer: Customer, form: Form) -> str:
    return await set_vip(ctx, customer, switch(form.get("on", "")))


async def _assign(ctx: Ctx, customer: Customer, form: Form) -> str:
    return await assign_advisor(ctx, customer, form.get("advisor", ""))


tag = customer_action("customer_tag", _tag)
untag = customer_action("customer_untag", _untag)
vip_switch = customer_action("customer_vip", _vip)
assign = customer_action("customer_assign", _assign)

PAGES = (ConsolePage("/customers", customer_list, title="客户", order=20),
         ConsolePage("/customers/{id}", customer_detail),
         ConsolePage("/customers/{id}/tags", tag, method="POST", role=TAG.role),
         ConsolePage("/customers/{id}/untag", untag, method="POST", role=UNTAG.role),
         ConsolePage("/customers/{id}/vip", vip_switch, method="POST", role=VIP.role),
         ConsolePage("/customers/{id}/advisor", assign, method="POST", role=ASSIGN.role))


def _channel(config: Config, state: str) -> str:
    """The channel's name with the state staff put on the QR code: 春日焕新（spring_sale）."""
    name = channel_name(config, state)
    return f"{name}（{state}）" if name != state else state or "—"
