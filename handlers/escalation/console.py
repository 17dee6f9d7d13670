"""The console's escalation queue over the `ticket` table, with claim and resolve.

Claim and resolve run the same functions as /claim and /resolve, inside the console's
transaction: the kf chat moves to the member or back to the persona, the first-response clock
stops, and every step is audited as "ticket.<action>". The member is whoever logged in to the
console, by WeCom userid or by the name in the staff table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import ColumnElement, and_, or_, select, true

from bot.appkeys import CLOCK, CONFIG
from bot.console.actions import act, form_of
from bot.console.frame import (
    actor,
    allowed,
    context,
    frame,
    path_id,
    reader,
    session_of,
    staff_names,
    tell,
    wake_delivery,
    who,
    writer,
)
from bot.console.html import Safe, join, local_time, render, table
from bot.errors import CommandError
from bot.feature import ConsolePage
from bot.roles import Role
from handlers.escalation.commands import DUTY, claimed, off_hours, run_duty
from handlers.escalation.notify import customer_label
from handlers.escalation.rules import Trigger
from handlers.escalation.tickets import ASSIGNED, WAITING, claim_ticket, resolve_ticket
from handlers.services import Ctx
from handlers.staff.parsing import switch
from storage.models import AuditLog, Customer, Message, Staff, Ticket
from storage.repos import AuditRepo, StaffRepo
from storage.views import ConsoleViews

RESOLVED_SHOWN = timedelta(hours=24)  # recently closed tickets stay in the list for a day
LIMIT = 200
TICKET_STATUS = {"open": "待接单", "claimed": "处理中", "resolved": "已解决"}


@dataclass(frozen=True, slots=True)
class TicketView:
    id: int
    customer_name: str
    external_userid: str
    summary: str  # what the customer needs, short
    status: str  # open | claimed | resolved
    opened_at: datetime
    assignee: str = ""  # staff userid
    sla_due_at: datetime | None = None
    customer_id: int = 0


def view_of(ticket: Ticket, customer: Customer) -> TicketView:
    # Waiting for a human (queued, or routed but not yet answered) is what "open" means to staff.
    waiting = ticket.status in WAITING or (ticket.status == ASSIGNED and ticket.first_response_at is None)
    status = "resolved" if ticket.status == "resolved" else "open" if waiting else "claimed"
    question = " ".join(ticket.question.split())
    summary = Trigger.parse(ticket.reason).label + (f"：{question[:60]}" if question else "")
    return TicketView(id=ticket.id, customer_name=customer_label(customer), external_userid=customer.external_userid,
                      summary=summary, status=status, opened_at=ticket.created_at, assignee=ticket.advisor_userid,
                      sla_due_at=ticket.due_at if ticket.first_response_at is None else None, customer_id=customer.id)


def visible_to(advisor: str | None) -> ColumnElement[bool]:
    """An advisor sees their own tickets and those waiting for anyone; operators and admins see all."""
    if advisor is None:
        return true()
    return or_(Ticket.advisor_userid == advisor, and_(Ticket.status == "queued", Ticket.advisor_userid == ""))


async def ticket_queue(ctx: Ctx, *, advisor: str | None = None) -> list[TicketView]:
    """Open tickets oldest first, then those closed in the last day."""
    since = ctx.clock.now() - RESOLVED_SHOWN
    rows = (await ctx.session.execute(
        select(Ticket, Customer).join(Customer, Customer.id == Ticket.customer_id)
        .where((Ticket.status != "resolved") | (Ticket.resolved_at >= since), visible_to(advisor))
        .order_by(Ticket.status == "resolved", Ticket.created_at).limit(LIMIT))).all()
    return [view_of(t, c) for t, c in rows]


async def _member(ctx: Ctx, login: str) -> Staff | None:
    found = await ctx.repos.staff.find(login)
    if found is not None:
        return found
    named = [s for s in await ctx.repos.staff.list() if s.name == login]
    return named[0] if len(named) == 1 else None


async def claim(ctx: Ctx, ticket_id: int, login: str) -> str:
    member = await _member(ctx, login)
    if member is None:
        return f"「{login}」不是已登记的员工，不能接单。"
    try:
        async with ctx.session.begin_nested():
            ticket, customer = await claim_ticket(ctx.with_(staff=member), ticket_id, member)
    except CommandError as exc:
        return str(exc)
    return claimed(ticket, customer, member)


async def resolve(ctx: Ctx, ticket_id: int, login: str) -> str:
    member = await _member(ctx, login)
    if member is None:
        return f"「{login}」不是已登记的员工，不能结单。"
    try:
        async with ctx.session.begin_nested():
            ticket, customer, handed_back = await resolve_ticket(ctx.with_(staff=member), ticket_id, member)
    except CommandError as exc:
        return str(exc)
    return f"已解决 #{ticket.id}（{customer_label(customer)}）" + ("，会话已交还小助手" if handed_back else "")


async def escalations(request: web.Request) -> web.Response:
    config, clock = request.config_dict[CONFIG], request.config_dict[CLOCK]
    me = session_of(request)
    async with reader(request)() as session:
        ctx = context(request, session)
        queue = await ticket_queue(ctx, advisor=me.userid if me.role == Role.ADVISOR else None)
        late_hours = off_hours(ctx)  # what being on duty means out of hours, as /duty says it
        member = await StaffRepo(session).find(me.userid)
        names = await staff_names(session)
        views = ConsoleViews(session)
        opens = {t.customer_id for t in queue
                 if me.role != Role.ADVISOR or await views.serves(me.userid, t.customer_id)}
    on_duty = member is not None and member.on_duty
    csrf, tz, now = me.csrf, config.persona.timezone, clock.now()
    rows = []
    for t in queue:
        actions: list[Safe] = []
        if t.status == "open":
            actions.append(_button(t.id, "claim", "接单", csrf))
        if t.status in ("open", "claimed"):
            actions.append(_button(t.id, "resolve", "解决", csrf))
        late = t.sla_due_at is not None and t.status != "resolved" and t.sla_due_at < now
        due = local_time(t.sla_due_at, tz) if t.sla_due_at else "—"
        rows.append((render('<a href="/console/tickets/$id">$id</a>', id=t.id),
                     render('$n<br><small>$e</small>', e=t.external_userid, n=render(
                         '<a href="/console/customers/$c">$n</a>', c=t.customer_id, n=t.customer_name)
                         if t.customer_id in opens else t.customer_name), t.summary,
                     render('<span class="status-$s">$label</span>', s=t.status,
                            label=TICKET_STATUS.get(t.status, t.status)),
                     who(t.assignee, names) if t.assignee else "—", local_time(t.opened_at, tz),
                     render('<span class="$cls">$d</span>', cls="late" if late else "", d=due), join(actions)))
    toggle = render('<form method="post" action="/console/escalations/duty" class="inline duty" id="duty">'
                    '<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="on" value="$to">'
                    '<button type="submit" class="secondary">$label</button></form>', csrf=csrf,
                    to="off" if on_duty else "on", label="下岗" if on_duty else "上岗") \
        if allowed(request, duty) else Safe("")
    state = render('<span class="$cls">$s</span>', cls="on-duty" if on_duty else "off-duty",
                   s=("在岗" if late_hours else "在岗：会被分配转人工工单") if on_duty else "不在岗：不会被分配新工单")
    hours_note = render('<p class="sub">$n</p>', n=late_hours) if on_duty and late_hours else Safe("")
    grid = table(["#", "客户", "诉求", "状态", "负责人", "创建", "SLA 截止", "操作"], rows, empty="队列是空的",
                 cls="tickets")
    waiting = [t for t in queue if t.status == "open"]
    late_n = sum(1 for t in waiting if t.sla_due_at is not None and t.sla_due_at < now)
    counts = render('<p class="counts">待接单 <b>$w</b> · 处理中 <b>$c</b> · 超过首响时限 <b class="$cls">$l</b>'
                    ' · 最近一天已解决 <b>$r</b></p>', w=len(waiting), c=sum(1 for t in queue if t.status == "claimed"),
                    l=late_n, cls="late" if late_n else "", r=sum(1 for t in queue if t.status == "resolved"))
    body = render('<h1>升级工单</h1><div class="sub">当前登录：$me · $state $toggle</div>$hours$counts$grid',
                  me=me.label, state=state, toggle=toggle, hours=hours_note, counts=counts if queue else Safe(""),
                  grid=grid)
    return frame(request, "升级工单", body, active="escalations")


def _button(ticket_id: int, action: str, label: str, csrf: str, *, back: str = "") -> Safe:
    target = f"/console/escalations/{ticket_id}/{action}" + (f"?from={back}" if back else "")
    return render('<form method="post" action="$target" class="inline">'
                  '<input type="hidden" name="csrf" value="$csrf"><button type="submit">$label</button></form>',
                  target=target, csrf=csrf, label=label)


async def ticket_action(request: web.Request) -> web.StreamResponse:
    action, ticket_id = request.match_info["action"], path_id(request)
    staff, clock = session_of(request).userid, request.config_dict[CLOCK]
    async with writer(request).begin() as session:
        do = claim if action == "claim" else resolve
        message = await do(context(request, session), ticket_id, staff)
        AuditRepo(session).record(actor=actor(request), action=f"ticket_{action}", target=str(ticket_id),
                                  now=clock.now())
    wake_delivery(request)  # the handover messages (kf trans, notices) leave now
    back = "/console/escalations" if request.query.get("from") != "ticket" else f"/console/tickets/{ticket_id}"
    await tell(request, message)
    raise web.HTTPSeeOther(back)


# What each audited step of a ticket (handlers/escalation: audit(ctx, ticket, "<step>")) means to staff.
STEP_WORDS = {
    "opened": "转人工，开单", "queued": "排队等待顾问", "pooled": "进入微信客服待接入池", "assigned": "分配给顾问",
    "first_response": "首次响应", "first_response_withdrawn": "首次响应撤回（转接失败）", "claimed": "接单",
    "resolved": "结单", "held_for_opening": "非接待时间，等上班后处理", "kf_picked_up": "在企业微信里接入会话",
    "kf_transferred": "微信客服会话已转给顾问", "kf_reopened": "客户重新发起会话",
    "kf_session_lapsed": "微信客服会话已超时结束", "pool_refused": "放入待接入池失败", "transfer_failed": "转接失败",
    "queue_breach": "排队超时，已通知主管", "reminded": "超时提醒负责人",
    "reroute_failed": "超时改派失败（没有配置主管）", "rerouted": "超时改派",
}


def step_words(step: str, detail: dict[str, Any], names: dict[str, str]) -> tuple[str, str]:
    """(what happened, its particulars) of one audited step, in Chinese; an unknown step shows as stored."""
    particulars = []
    if step == "opened" and detail.get("reason"):
        particulars.append(Trigger.parse(str(detail["reason"])).label)
    if step in ("assigned", "rerouted", "transfer_failed") and detail.get("advisor"):
        particulars.append(f"给 {who(str(detail['advisor']), names)}")
    if detail.get("note"):
        particulars.append(f"备注：{detail['note']}")
    if detail.get("errcode"):
        particulars.append(f"企业微信错误码 {detail['errcode']}")
    return STEP_WORDS.get(step, step), "；".join(particulars) or "—"


def step_actor(actor: str, customer: Customer, names: dict[str, str]) -> str:
    if actor == "system":
        return "系统"
    if actor.startswith("customer:"):
        return f"客户 {customer_label(customer)}" if actor == f"customer:{customer.id}" else "客户"
    return who(actor.removeprefix("console:"), names)


STATUS_WORDS = {"queued": "排队中", "pooled": "待接入池", "assigned": "已分配", "resolved": "已解决"}


async def ticket_page(request: web.Request) -> web.Response:
    """One ticket: who asked what, its context when it was opened, where it stands, what happened."""
    config, ticket_id = request.config_dict[CONFIG], path_id(request)
    tz = config.persona.timezone
    async with reader(request)() as session:
        me = session_of(request)
        ticket = await session.scalar(select(Ticket).where(
            Ticket.id == ticket_id, visible_to(me.userid if me.role == Role.ADVISOR else None)))
        if ticket is None:  # or another advisor's: not even its existence is shown
            raise web.HTTPNotFound(text="没有这张工单，或它不是你负责的工单。")
        customer = await session.get(Customer, ticket.customer_id)
        trail = (await session.scalars(select(AuditLog).where(AuditLog.target == f"ticket:{ticket.id}")
                                       .order_by(AuditLog.id))).all()
        names = await staff_names(session)
        opens = me.role != Role.ADVISOR or await ConsoleViews(session).serves(me.userid, ticket.customer_id)
        since = await said_since(session, ticket)
    assert customer is not None
    view = view_of(ticket, customer)
    snapshot = ticket.context or {}
    facts = [("客户", render('<a href="/console/customers/$id">$name</a>', id=customer.id, name=view.customer_name)
              if opens else view.customer_name),
             ("诉求", view.summary), ("状态", STATUS_WORDS.get(ticket.status, ticket.status)),
             ("负责人", who(ticket.advisor_userid, names) if ticket.advisor_userid else "—"),
             ("创建", local_time(ticket.created_at, tz)),
             ("首响时限", local_time(ticket.due_at, tz) if ticket.due_at else "—"),
             ("首次响应", local_time(ticket.first_response_at, tz) if ticket.first_response_at else "—"),
             ("结单", f"{local_time(ticket.resolved_at, tz)} · {who(ticket.resolved_by, names)}"
              if ticket.resolved_at else "—"),
             ("标签", "、".join(snapshot.get("tags") or []) or "—")]
    dl = join(render("<dt>$k</dt><dd>$v</dd>", k=k, v=v) for k, v in facts)
    messages = [render('<li><span class="meta">$who $at</span><span class="text">$text</span></li>',
                       who=m.get("who", ""), at=m.get("at", ""), text=m.get("text", ""))
                for m in snapshot.get("messages") or []]
    later = [render('<li><span class="meta">$at</span><span class="text">$text</span></li>',
                    at=local_time(m.created_at, tz), text=m.text) for m in since]
    steps = [(local_time(a.created_at, tz), *step_words(a.action.removeprefix("ticket."), a.detail or {}, names),
              step_actor(a.actor, customer, names)) for a in trail]
    csrf = session_of(request).csrf
    actions: list[Safe] = []
    if view.status == "open":
        actions.append(_button(ticket.id, "claim", "接单", csrf, back="ticket"))
    if view.status in ("open", "claimed"):
        actions.append(_button(ticket.id, "resolve", "解决", csrf, back="ticket"))
    body = render('<p><a href="/console/escalations">← 升级工单</a></p><h1>工单 #$id</h1>'
                  '<dl class="profile">$dl</dl><p>$actions</p><h3>问题</h3><p>$question</p>'
                  '<h3>转人工时的最近消息</h3><ol class="history">$messages</ol>$later<h3>处理记录</h3>$steps',
                  id=ticket.id, dl=dl,
                  later=render('<h3>之后客户又说</h3><ol class="history">$items</ol>', items=join(later))
                  if later else Safe(""),
                  actions=join(actions), question=ticket.question or "—",
                  messages=join(messages) if messages else Safe("<li>没有消息</li>"),
                  steps=table(["时间", "步骤", "说明", "操作人"], steps, empty="没有记录"))
    return frame(request, f"工单 #{ticket.id}", body, active="escalations")


SAID_SINCE_SHOWN = 20


async def said_since(session: Any, ticket: Ticket) -> list[Message]:
    """What the customer wrote after the ticket was opened (until it was resolved), the latest 20, oldest
    first: a customer whose chat waits in WeCom's pool gets no reply from the persona, and "我要投诉" written
    then must reach the advisor who opens the ticket, not only the hand-off's snapshot."""
    found = select(Message).where(Message.customer_id == ticket.customer_id, Message.direction == "in",
                                  Message.created_at > ticket.created_at)
    if ticket.resolved_at is not None:
        found = found.where(Message.created_at <= ticket.resolved_at)
    rows = (await session.scalars(found.order_by(Message.id.desc()).limit(SAID_SINCE_SHOWN))).all()
    return list(reversed(rows))


async def duty(request: web.Request) -> web.StreamResponse:
    """上岗/下岗 for the signed-in member: what /duty on|off does (queued tickets are routed at once)."""
    word = (await form_of(request, limit=8)).get("on", "")

    async def work(ctx: Ctx) -> str:
        return await run_duty(ctx, switch(word))

    outcome = await act(request, work, action="console_duty", target=session_of(request).userid,
                        detail={"on": word})
    await tell(request, outcome.message or outcome.error)
    raise web.HTTPSeeOther("/console/escalations")


PAGES = (ConsolePage("/escalations", escalations, title="升级工单", order=30),
         ConsolePage("/escalations/duty", duty, method="POST", role=DUTY.role),
         ConsolePage("/tickets/{id}", ticket_page),
         ConsolePage("/escalations/{id}/{action:claim|resolve}", ticket_action, method="POST"))
