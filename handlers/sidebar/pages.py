"""The chat sidebar (聊天工具栏) pages under /console/sidebar.

`GET /console/sidebar` is the page an admin registers in the app's chat toolbar. It is only a
shell: its script (bot/console/static/sidebar.js) registers the JS-SDK with the server's
signature, asks the client which customer or customer group the chat is with, and loads the
fragment below for that id. The server decides what the signed-in member may see (access.py);
every action runs the same functions as the staff commands and the console (/tag, /untag,
claim/resolve), and quick replies are sent into the chat by the page with sendChatMessage: the
server only renders them.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from aiohttp import web

from bot.appkeys import CLIENT, CLOCK, CONFIG
from bot.console.frame import actor, context, reader, signed_in, wake_delivery, who, writer
from bot.console.html import Safe, join, local_time, render
from bot.console.jssdk import SIDEBAR, script_urls, sign_in_url
from bot.context import Context
from bot.errors import ApiError, CommandError, TransportError
from bot.feature import ConsolePage
from handlers.customers.commands import CustomerArgs, status_label
from handlers.customers.notes import MAX_NOTE_CHARS, add_note
from handlers.escalation.console import TICKET_STATUS, claim, resolve
from handlers.sidebar.access import Followers, visible_customer, visible_group
from handlers.sidebar.cards import CustomerCard, GroupCard, Reply, customer_card, group_card, quick_replies
from handlers.tagging.commands import run_tag, run_untag
from storage.models import Customer
from storage.repos import AuditRepo

DENIED = ('<section class="card denied"><h1>$title</h1><p>$why</p>'
          '<p class="hint">需要查看的话，请联系运营或管理员。</p></section>')
DIRECTION = {"in": "客户", "out": "我方"}


# --- the page ---------------------------------------------------------------------------------


SHELL = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>丸子 · 客户侧边栏</title>
<link rel="stylesheet" href="/console/static/console.css">
<link rel="stylesheet" href="/console/static/sidebar.css">
$sdk
<script src="/console/static/sidebar.js" defer></script>
</head>
<body class="sidebar" data-csrf="$csrf" data-base="$base">
<header class="side-top"><span class="brand">丸子</span><span class="who">$who</span>
<a href="$again" title="用企业微信重新登录">重新登录</a></header>
<main id="panel" aria-live="polite"><p class="status">正在连接企业微信……</p></main>
</body>
</html>
"""


async def sidebar_page(request: web.Request) -> web.Response:
    me, config = signed_in(request), request.config_dict[CONFIG]
    sdk = join(render('<script src="$u"></script>', u=u) for u in script_urls(config))
    html = render(SHELL, sdk=sdk, csrf=me.csrf, base=SIDEBAR, who=me.label, again=sign_in_url(SIDEBAR))
    return web.Response(text=html, content_type="text/html", charset="utf-8")


# --- a customer -------------------------------------------------------------------------------


def _followers(request: web.Request) -> Followers:
    """The members WeCom lists as following a customer (externalcontact/get follow_user)."""
    client = request.config_dict[CLIENT]

    async def followers(external_userid: str) -> set[str]:
        try:
            answer = await client.call("externalcontact/get", {"external_userid": external_userid})
        except (ApiError, TransportError):  # not a contact of the corp (84061), or WeCom unreachable: no
            return set()
        return {str(f.get("userid", "")) for f in answer.get("follow_user") or [] if isinstance(f, dict)}

    return followers


async def _audit(request: web.Request, action: str, target: str, **detail: object) -> None:
    async with writer(request).begin() as session:
        AuditRepo(session).record(actor=actor(request), action=action, target=target[:128], detail=detail,
                                  now=request.config_dict[CLOCK].now())


def _fragment(html: Safe, status: int = 200) -> web.Response:
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def _denied(title: str, why: str) -> web.Response:
    return _fragment(render(DENIED, title=title, why=why), status=404)


async def _visible(request: web.Request, external_userid: str) -> Customer | None:
    """The customer, if the signed-in member may see them; a refusal is audited."""
    me = signed_in(request)
    async with reader(request)() as session:
        customer, why = await visible_customer(context(request, session), me.userid, me.role, external_userid,
                                               _followers(request))
    if customer is None:
        await _audit(request, "sidebar_denied", external_userid, why=why)
    return customer


def _customer_denied() -> web.Response:
    return _denied("看不到这位客户", "丸子没有这位客户的资料，或你不是TA的跟进人。")


async def customer_view(request: web.Request) -> web.Response:
    customer = await _visible(request, request.query.get("ext", ""))
    if customer is None:
        return _customer_denied()
    await _audit(request, "sidebar_view_customer", customer.external_userid)
    return await _customer_answer(request, customer.id)


async def _customer_answer(request: web.Request, customer_id: int, notice: str = "", ok: bool = True
                           ) -> web.Response:
    async with reader(request)() as session:
        ctx = context(request, session)
        customer = await ctx.repos.customers.get(customer_id)
        card = await customer_card(ctx, customer)
        replies = quick_replies(ctx, name=customer.name)
    tz = request.config_dict[CONFIG].persona.timezone
    return _fragment(customer_html(card, replies, tz, notice=notice, ok=ok))


Action = Callable[[Context[Any]], Awaitable[str]]


async def _act(request: web.Request, action: Action) -> tuple[str, bool]:
    """Run a staff action as the signed-in member, all or nothing; (message, succeeded)."""
    me = signed_in(request)
    async with writer(request).begin() as session:
        ctx = context(request, session)
        member = await ctx.repos.staff.find(me.userid)
        try:
            async with session.begin_nested():
                message = await action(ctx.with_(staff=member))
        except CommandError as exc:
            return str(exc), False
    wake_delivery(request)  # mark_tag, kf transfers and follow-ups leave now
    return message, True


async def _posted_customer(request: web.Request) -> tuple[dict[str, str], Customer | None]:
    form = {k: str(v) for k, v in (await request.post()).items()}
    return form, await _visible(request, form.get("ext", ""))


async def tag(request: web.Request) -> web.Response:
    """The same function as `/tag <客户> <标签>` (a `+新标签` creates one in 员工标签)."""
    form, customer = await _posted_customer(request)
    if customer is None:
        return _customer_denied()
    word, ext = form.get("tag", "").strip()[:65], customer.external_userid
    if not word or " " in word:
        return await _customer_answer(request, customer.id, "请写一个标签名（新标签前加 +）。", ok=False)
    message, ok = await _act(request, lambda ctx: run_tag(ctx, CustomerArgs(ext, (word,))))
    return await _customer_answer(request, customer.id, message, ok)


async def untag(request: web.Request) -> web.Response:
    """The same function as `/untag <客户> <标签>`."""
    form, customer = await _posted_customer(request)
    if customer is None:
        return _customer_denied()
    word, ext = form.get("tag", "").strip()[:130], customer.external_userid
    message, ok = await _act(request, lambda ctx: run_untag(ctx, CustomerArgs(ext, (word,))))
    return await _customer_answer(request, customer.id, message, ok)


async def note(request: web.Request) -> web.Response:
    form, customer = await _posted_customer(request)
    if customer is None:
        return _customer_denied()
    me, customer_id = signed_in(request), customer.id

    async def keep(ctx: Context[Any]) -> str:
        await add_note(ctx, await ctx.repos.customers.get(customer_id), form.get("text", ""), actor=me.userid)
        return "备注已保存。"

    message, ok = await _act(request, keep)
    return await _customer_answer(request, customer.id, message, ok)


async def ticket(request: web.Request) -> web.Response:
    """Claim or resolve the customer's ticket: the console's and /claim, /resolve's functions."""
    form, customer = await _posted_customer(request)
    if customer is None:
        return _customer_denied()
    action, raw, me, customer_id = form.get("action", ""), form.get("ticket", ""), signed_in(request), customer.id
    if action not in ("claim", "resolve") or not raw.isdigit() or len(raw) > 18:
        return await _customer_answer(request, customer_id, "无法识别的操作。", ok=False)

    async def run(ctx: Context[Any]) -> str:
        found = await ctx.repos.tickets.find(int(raw))
        if found is None or found.customer_id != customer_id:  # only this customer's tickets from here
            raise CommandError(f"这位客户没有工单 #{raw}。")
        return await (claim if action == "claim" else resolve)(ctx, int(raw), me.userid)

    message, ok = await _act(request, run)
    if ok:
        await _audit(request, f"ticket_{action}", raw, via="sidebar")
    return await _customer_answer(request, customer_id, message, ok)


async def replies(request: web.Request) -> web.Response:
    """Quick replies matching `q` (personalised for the customer `ext` when the member may see them)."""
    q, ext = request.query.get("q", "")[:64], request.query.get("ext", "")
    name = ""
    if ext:
        customer = await _visible(request, ext)
        if customer is None:
            return _customer_denied()
        name = customer.name
    async with reader(request)() as session:
        found = quick_replies(context(request, session), q, name=name)
    return _fragment(replies_html(found, q))


# --- a customer group ---------------------------------------------------------------------------


async def group_view(request: web.Request) -> web.Response:
    me, chat_id = signed_in(request), request.query.get("chat_id", "")
    async with reader(request)() as session:
        ctx = context(request, session)
        group, why = await visible_group(ctx, me.userid, me.role, chat_id)
        card = await group_card(ctx, group) if group is not None else None
        found = quick_replies(ctx)
    if card is None:
        await _audit(request, "sidebar_denied", chat_id, why=why)
        return _denied("看不到这个客户群", "丸子还不认识这个群，或你不是群主、也不在群里。")
    await _audit(request, "sidebar_view_group", chat_id)
    return _fragment(group_html(card, found, request.config_dict[CONFIG].persona.timezone))


# --- HTML -----------------------------------------------------------------------------------------


def _hidden(**values: object) -> Safe:
    return join(render('<input type="hidden" name="$k" value="$v">', k=k, v=v) for k, v in values.items())


def _form(path: str, fields: Safe, button: str, *, cls: str = "inline", title: str = "") -> Safe:
    return render('<form method="post" action="$a" data-ajax class="$c">$f<button type="submit" title="$t">$b</button>'
                  '</form>', a=f"{SIDEBAR}/{path}", c=cls, f=fields, b=button, t=title or button)


def _notice(notice: str, ok: bool) -> Safe:
    return render('<p class="$c" role="status">$m</p>', c="flash" if ok else "flash error", m=notice) \
        if notice else Safe("")


def customer_html(card: CustomerCard, found: list[Reply], tz: str, *, notice: str = "", ok: bool = True) -> Safe:
    c = card.customer
    ext = c.external_userid
    level = card.points.level.name if card.points.level else "—"
    nxt = f"（再 {card.points.to_next} 分升{card.points.next_level.name}）" if card.points.next_level else ""
    facts = [("渠道", card.channel or "—"), ("阶段", card.stage or "—"),
             ("会员", f"{level} · {card.points.balance} 积分{nxt}"),
             ("订单", card.orders or "暂无订单"),
             ("兑换", card.redemptions or "没有兑换"),
             ("打卡", "；".join(f"{s.campaign} 连续 {s.streak} 天（{s.total}/{s.days}）"
                               + ("，今天已打卡" if s.today else "") for s in card.checkins) or "没有参加"),
             ("邀请", "；".join(f"{i.campaign} 已邀请 {i.count} 位" + (f"，再 {i.next_at - i.count} 位得{i.next_gift}"
                                                                     if i.next_gift else "，奖励全部解锁")
                               for i in card.invites) or "没有参加"),
             ("顾问", who(c.advisor_userid, card.names) if c.advisor_userid else "未分配"),
             ("状态", status_label(c) + ("，已退订推送" if c.opted_out else ""))]
    tags = join(render('<li><span class="tag">$t</span>$f</li>', t=t,
                       f=_form("customer/untag", _hidden(ext=ext, tag=t), "×", cls="untag", title=f"去掉标签 {t}"))
                for t in card.tags) or Safe('<li class="empty">还没有标签</li>')
    add_tag = _form("customer/tag", join([_hidden(ext=ext), Safe(
        '<input name="tag" maxlength="65" required placeholder="标签名，新建在前面加 +" aria-label="标签名">')]),
        "打标签", cls="row")
    body = render(
        '<section class="card customer" data-ext="$ext">$notice<h1>$name$vip</h1><p class="sub">$ext</p>'
        '<dl class="facts">$facts</dl>'
        '<h2>标签</h2><ul class="tags">$tags</ul>$add_tag'
        '<h2>工单</h2>$ticket'
        '<h2>最近消息 <small>微信客服</small></h2>$messages'
        '<h2>备注</h2>$notes'
        '<h2>快捷回复</h2>$replies</section>',
        ext=ext, notice=_notice(notice, ok), name=c.name or c.remark or ext,
        vip=Safe(' <span class="vip">VIP</span>') if card.vip else Safe(""),
        facts=join(render("<dt>$k</dt><dd>$v</dd>", k=k, v=v) for k, v in facts), tags=tags, add_tag=add_tag,
        ticket=_ticket_html(card, ext, tz), messages=_messages_html(card, tz), notes=_notes_html(card, ext, tz),
        replies=_replies_box(found, ext=ext))
    return body


def _ticket_html(card: CustomerCard, ext: str, tz: str) -> Safe:
    t = card.ticket
    if t is None:
        return Safe('<p class="empty">没有未结工单</p>')
    buttons = []
    if t.status == "open":
        buttons.append(_form("customer/ticket", _hidden(ext=ext, ticket=t.id, action="claim"), "接单"))
    if t.status in ("open", "claimed"):
        buttons.append(_form("customer/ticket", _hidden(ext=ext, ticket=t.id, action="resolve"), "解决"))
    return render('<div class="ticket"><p><a href="/console/tickets/$id" target="_blank" rel="noopener">#$id</a> '
                  '$summary</p><p class="sub">$status · $who · $at</p><p class="actions">$buttons</p></div>',
                  id=t.id, summary=t.summary, status=TICKET_STATUS.get(t.status, t.status),
                  who=who(t.assignee, card.names) if t.assignee else "排队中", at=local_time(t.opened_at, tz),
                  buttons=join(buttons))


def _messages_html(card: CustomerCard, tz: str) -> Safe:
    if not card.messages:
        return Safe('<p class="empty">还没有微信客服消息</p>')
    return render('<ol class="history">$items</ol>', items=join(
        render('<li class="$d"><span class="meta">$who · $at</span>$text</li>', d=m.direction,
               who=DIRECTION.get(m.direction, m.direction), at=local_time(m.created_at, tz), text=m.text)
        for m in card.messages))


def _notes_html(card: CustomerCard, ext: str, tz: str) -> Safe:
    items = join(render('<li><span class="meta">$who · $at</span>$text</li>', who=n.staff_userid,
                        at=local_time(n.created_at, tz), text=n.text) for n in card.notes)
    form = _form("customer/note", join([_hidden(ext=ext), render(
        '<textarea name="text" maxlength="$n" rows="2" required placeholder="给这位客户记一笔（同事都能看到）" '
        'aria-label="备注"></textarea>', n=MAX_NOTE_CHARS)]), "保存备注", cls="note")
    return render('<ul class="notes">$items</ul>$form', items=items or Safe('<li class="empty">还没有备注</li>'),
                  form=form)


def _replies_box(found: list[Reply], **scope: str) -> Safe:
    query = {k: v for k, v in scope.items() if v}
    return render('<form method="get" action="$a" data-ajax data-target="#replies" class="row">$h'
                  '<input name="q" type="search" maxlength="64" placeholder="搜索话术和知识库" '
                  'aria-label="搜索快捷回复">'
                  '<button type="submit">搜索</button></form><ul id="replies" class="replies">$list</ul>',
                  a=f"{SIDEBAR}/replies", h=_hidden(**query), list=replies_html(found, ""))


def replies_html(found: list[Reply], q: str) -> Safe:
    if not found:
        return render('<li class="empty">没有找到“$q”相关的话术或知识库答案</li>', q=q)
    return join(render('<li class="reply"><div class="reply-head"><strong>$title</strong><small>$source</small></div>'
                       '<p>$text</p><button type="button" data-send="$text">发送到聊天</button></li>',
                       title=r.title, source=r.source, text=r.text) for r in found)


def group_html(card: GroupCard, found: list[Reply], tz: str) -> Safe:
    g = card.group
    if card.interest is None:
        interest = Safe('<p class="empty">这个群还没有关联兴趣群（运营可以用 /group link 关联）。</p>')
    else:
        i = card.interest
        slots = join(render("<li>$cron · $state</li>", cron=s.cron, state=(
            f"下次 {local_time(s.next_at, tz, '%m-%d %H:%M')}" if s.next_at else "已暂停")) for s in card.slots)
        recent = join(render("<li>$at · $text</li>", at=local_time(at, tz), text=text[:60])
                      for at, text in card.recent_topics)
        interest = render('<p><strong>$name</strong>$tag$paused</p><h3>话题日历</h3><ul class="plain">$slots</ul>'
                          '<p>下一个话题：$next</p>$recent', name=i.name,
                          tag=f" · 兴趣标签 {i.tag}" if i.tag else "",
                          paused="（已暂停）" if i.status != "active" else "",
                          slots=slots or Safe('<li class="empty">还没有排期</li>'), next=card.next_topic or "—",
                          recent=render('<h3>最近发过</h3><ul class="plain">$r</ul>', r=recent) if recent else Safe(""))
    done = sum(1 for m in card.checkins if m.today)
    rows = join(render('<tr><td>$name</td><td>$campaign</td><td class="$cls">$today</td><td>$streak 天</td></tr>',
                       name=m.name, campaign=m.campaign, cls="done" if m.today else "todo",
                       today="已打卡" if m.today else "未打卡", streak=m.streak) for m in card.checkins)
    checkins = render('<p class="sub">今天已打卡 $done / $all 人</p><table class="checkins"><thead><tr><th>成员</th>'
                      '<th>活动</th><th>今天</th><th>连续</th></tr></thead><tbody>$rows</tbody></table>',
                      done=done, all=len(card.checkins), rows=rows) if card.checkins else \
        Safe('<p class="empty">群里没有成员在参加进行中的打卡活动</p>')
    return render('<section class="card group"><h1>$name</h1>'
                  '<p class="sub">群主 $owner · $members 人（认识的客户 $customers 位）</p>'
                  '<h2>兴趣群</h2>$interest<h2>群成员打卡</h2>$checkins<h2>快捷回复</h2>$replies</section>',
                  name=g.name or g.chat_id, owner=card.owner, members=card.members,
                  customers=card.customers, interest=interest, checkins=checkins, replies=_replies_box(found))


PAGES = (
    ConsolePage("/sidebar", sidebar_page),
    ConsolePage("/sidebar/customer", customer_view),
    ConsolePage("/sidebar/customer/tag", tag, method="POST"),
    ConsolePage("/sidebar/customer/untag", untag, method="POST"),
    ConsolePage("/sidebar/customer/note", note, method="POST"),
    ConsolePage("/sidebar/customer/ticket", ticket, method="POST"),
    ConsolePage("/sidebar/replies", replies),
    ConsolePage("/sidebar/group", group_view),
)
