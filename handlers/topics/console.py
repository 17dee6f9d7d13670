"""Interest groups in the console: the 兴趣群 page (groups and their customer groups, the topic
rotation, the posting schedules) and the topics table of the 活动与话题 page.

Operators add a group, link a customer group, add, pause and resume topics and schedules here with
the functions /group and /topic run (handlers/topics/groups.py, service.py), and see the same
messages when something is wrong."""

from __future__ import annotations

from datetime import datetime
from typing import Awaitable, Callable
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.appkeys import CLOCK, CONFIG
from bot.console.actions import Form, act, form_of, values
from bot.console.frame import allowed, frame, reader, session_of, staff_names, tell, who
from bot.console.html import Safe, join, render, table
from bot.crontab import crontab
from bot.feature import ConsolePage, PageHandler
from handlers.services import Ctx
from handlers.staff.parsing import number
from handlers.topics.commands import GROUP, TOPIC, added_text, posted_text, status_text
from handlers.topics.groups import add_interest_group, link_chat
from handlers.topics.localtime import zone
from handlers.topics.posts import post_now
from handlers.topics.service import add_schedule, add_topic, set_schedule_status, set_topic_status
from storage.models import CustomerGroup, InterestChat, InterestGroup
from storage.repos import InterestRepo, TopicRepo

TOPIC_STATE = {"active": "轮换中", "paused": "已暂停"}
SCHEDULE_STATE = {"active": "启用", "paused": "已暂停"}


async def topics_table(ctx: Ctx) -> Safe:
    groups = {g.id: g.name for g in await InterestRepo(ctx.session).all()}
    rows = [(f"{groups.get(t.interest_group_id, '')} · {t.text[:40]}", TOPIC_STATE.get(t.status, t.status),
             t.post_count) for t in await TopicRepo(ctx.session).topics()]
    return render('<h2>话题</h2>$t<p><a href="/console/topics">管理兴趣群、话题和发布时间 →</a></p>',
                  t=table(["话题", "状态", "发言"], rows, empty="还没有话题"))


GROUP_FORM = """<h3>新建或修改兴趣群</h3><form method="post" action="/console/topics/groups" class="act" id="group-add">
<input type="hidden" name="csrf" value="$csrf">
<label>标识 <input name="group_key" value="$group_key" maxlength="32" required placeholder="skincare"></label>
<label>名称 <input name="group_name" value="$group_name" maxlength="64" required placeholder="护肤同好会"></label>
<label>兴趣标签（可选） <input name="group_tag" value="$group_tag" maxlength="64" placeholder="兴趣:护肤"></label>
<button type="submit">保存兴趣群</button></form>"""
LINK_FORM = """<h3>关联客户群</h3><form method="post" action="/console/topics/link" class="act" id="group-link">
<input type="hidden" name="csrf" value="$csrf">
<label>兴趣群 <select name="link_group" required>$groups</select></label>
<label>客户群 ID <input name="chat_id" value="$chat_id" maxlength="64" required placeholder="wrOgQhDgAA..."></label>
<button type="submit">关联客户群</button></form>"""
TOPIC_FORM = """<h3>添加话题</h3><form method="post" action="/console/topics/add" class="act" id="topic-add">
<input type="hidden" name="csrf" value="$csrf">
<label>兴趣群 <select name="topic_group" required>$groups</select></label>
<label class="wide">话题内容 <textarea name="text" rows="2" maxlength="1000" required
 placeholder="换季了，大家的护肤步骤有什么变化吗？">$text</textarea></label>
<label class="check"><input type="checkbox" name="product" value="1"$product> 产品话题（受频率限制）</label>
<button type="submit">加入轮换</button></form>"""
SCHEDULE_FORM = """<h3>添加发布时间</h3>
<form method="post" action="/console/topics/schedules" class="act" id="schedule-add">
<input type="hidden" name="csrf" value="$csrf">
<label>兴趣群 <select name="schedule_group" required>$groups</select></label>
<label>时间（分 时 日 月 周）
 <input name="cron" value="$cron" maxlength="64" required placeholder="0 20 * * 2,4"></label>
<button type="submit">添加发布时间</button></form>"""


def _options(groups: list[InterestGroup], chosen: str) -> Safe:
    return join(render('<option value="$k"$sel>$name（$k）</option>', k=g.key, name=g.name,
                       sel=Safe(" selected") if g.key == chosen else Safe("")) for g in groups)


def _chat(link: InterestChat, chat: CustomerGroup | None, names: dict[str, str]) -> str:
    """A linked chat with its owner, who confirms the posts (as /group list names them)."""
    if chat is None or not chat.name:
        return f"{link.chat_id}（等待企业微信返回群信息）"
    return f"{chat.name}（群主 {who(chat.owner_userid, names)}）" if chat.owner_userid else chat.name


def _switch(request: web.Request, action: str, ident: int, status: str, label: str) -> Safe:
    return render('<form method="post" action="$action" class="inline"><input type="hidden" name="csrf" value="$csrf">'
                  '<input type="hidden" name="id" value="$id"><input type="hidden" name="status" value="$status">'
                  '<button type="submit" class="secondary">$label</button></form>', action=action,
                  csrf=session_of(request).csrf, id=ident, status=status, label=label)


def _toggle(request: web.Request, action: str, ident: int, status: str) -> Safe:
    if status == "active":
        return _switch(request, action, ident, "paused", "暂停")
    return _switch(request, action, ident, "active", "恢复")


WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def next_post(cron: str, tz: ZoneInfo, now: datetime) -> str:
    """When a schedule fires next, in the community's time zone: what "0 20 * * 2,4" means to a manager."""
    try:
        upcoming = crontab(cron, timezone=tz).get_next_fire_time(None, now)
    except ValueError:
        return "时间写法有误"
    if upcoming is None:
        return "—"
    at = upcoming.astimezone(tz)
    return f"{at:%m-%d %H:%M}（{WEEKDAYS[at.weekday()]}）"

POST_FORM = """<h3>立即发一条</h3><form method="post" action="/console/topics/post" class="act" id="topic-post">
<input type="hidden" name="csrf" value="$csrf">
<label>兴趣群 <select name="post_group" required>$groups</select></label>
<button type="submit">把下一条话题发给群主确认</button>
<small>不等发布时间：群主在企业微信「群发助手」点发送后出现在群里，占客户群当月的一次群发</small></form>"""


async def topics(request: web.Request) -> web.Response:
    return await topics_page(request)


async def topics_page(request: web.Request, *, form: Form | None = None, error: str = "") -> web.Response:
    csrf = session_of(request).csrf
    v = values(form, group_key="", group_name="", group_tag="", link_group="", chat_id="", topic_group="", text="",
               product="", schedule_group="", cron="", post_group="")
    parts: list[Safe] = [render('<h1>兴趣群</h1><p class="sub">每个兴趣群的话题按轮换顺序，由群主在企业微信里确认后'
                                '发到关联的客户群；产品话题受 [community] product_every 限制。</p>')]
    if error:
        parts.append(render('<p class="alert" role="alert">$e</p>', e=error))
    async with reader(request)() as session:
        repo = InterestRepo(session)
        groups = await repo.all()
        linked = [(g, await repo.chats(g.id)) for g in groups]
        names = {g.id: g.name for g in groups}
        all_topics = await TopicRepo(session).topics()
        schedules = await TopicRepo(session).schedules()
        members = await staff_names(session)
    counts: dict[int, int] = {}
    for t in all_topics:
        counts[t.interest_group_id] = counts.get(t.interest_group_id, 0) + 1
    group_rows = [(g.key, g.name, g.tag or "—",
                   "、".join(_chat(link, chat, members) for link, chat in chats) or "还没有关联",
                   counts.get(g.id, 0)) for g, chats in linked]
    parts.append(render("<h2>兴趣群</h2>$t", t=table(["标识", "名称", "兴趣标签", "客户群", "话题"], group_rows,
                                                    empty="还没有兴趣群", cls="groups")))
    if allowed(request, save_group):
        parts.append(render(GROUP_FORM, csrf=csrf, group_key=v["group_key"], group_name=v["group_name"],
                            group_tag=v["group_tag"]))
    if groups and allowed(request, link):
        parts.append(render(LINK_FORM, csrf=csrf, groups=_options(groups, v["link_group"]), chat_id=v["chat_id"]))
    may_switch = allowed(request, topic_status)
    topic_rows = [(t.id, names.get(t.interest_group_id, ""), t.text[:80] + ("（产品）" if t.is_product else ""),
                   TOPIC_STATE.get(t.status, t.status), t.post_count,
                   _toggle(request, "/console/topics/status", t.id, t.status) if may_switch else "")
                  for t in all_topics]
    grid = table(["#", "兴趣群", "话题", "状态", "已发", ""], topic_rows, empty="还没有话题", cls="topics")
    parts.append(render("<h2>话题（按轮换顺序）</h2>$t", t=grid))
    if groups and allowed(request, add):
        parts.append(render(TOPIC_FORM, csrf=csrf, groups=_options(groups, v["topic_group"]), text=v["text"],
                            product=Safe(" checked") if v["product"] else Safe("")))
    may_switch = allowed(request, schedule_status)
    tz, now = zone(request.config_dict[CONFIG]), request.config_dict[CLOCK].now()
    running = {g.id for g in groups if g.status == "active"}
    schedule_rows = [(s.id, names.get(s.interest_group_id, ""), render("<code>$c</code>", c=s.cron),
                      SCHEDULE_STATE.get(s.status, s.status),
                      next_post(s.cron, tz, now) if s.status == "active" and s.interest_group_id in running
                      else "暂停中，不会发布",
                      _toggle(request, "/console/topics/schedules/status", s.id, s.status) if may_switch else "")
                     for s in schedules]
    headers = ["#", "兴趣群", "时间（分 时 日 月 周）", "状态", "下次发布", ""]
    grid = table(headers, schedule_rows, empty="还没有发布时间", cls="schedules")
    parts.append(render("<h2>发布时间</h2>$t", t=grid))
    if groups and allowed(request, schedule):
        parts.append(render(SCHEDULE_FORM, csrf=csrf, groups=_options(groups, v["schedule_group"]), cron=v["cron"]))
    if schedules and allowed(request, post):
        parts.append(render(POST_FORM, csrf=csrf, groups=_options(groups, v["post_group"])))
    return frame(request, "兴趣群", join(parts), active="topics", status=400 if error else 200)


Work = Callable[[Ctx, Form], Awaitable[str]]


def action(name: str, work: Work, *, target: str) -> PageHandler:
    """A form on the 兴趣群 page: run `work`, then back to the page with its message or its error."""

    async def handle(request: web.Request) -> web.StreamResponse:
        form = await form_of(request, limit=3000)

        async def run(ctx: Ctx) -> str:
            return await work(ctx, form)

        outcome = await act(request, run, action=f"console_{name}", target=form.get(target, ""))
        if not outcome.ok:
            return await topics_page(request, form=form, error=outcome.error)
        await tell(request, outcome.message)
        raise web.HTTPSeeOther("/console/topics")

    handle.__name__ = name
    return handle


def _userid(ctx: Ctx) -> str:
    assert ctx.staff is not None
    return ctx.staff.userid


def _status(form: Form) -> str:
    status = form.get("status", "")
    if status not in ("active", "paused"):
        raise web.HTTPBadRequest(text="状态只能是 active（进行中）或 paused（已暂停）。")
    return status


async def _save_group(ctx: Ctx, form: Form) -> str:
    group = await add_interest_group(ctx, form.get("group_key", "")[:64], form.get("group_name", "")[:64],
                                     tag=form.get("group_tag", "")[:64], actor=_userid(ctx))
    return f"兴趣群 {group.key}「{group.name}」已保存。"


async def _link(ctx: Ctx, form: Form) -> str:
    key, chat_id = form.get("link_group", "")[:64], form.get("chat_id", "")[:64]
    await link_chat(ctx, key, chat_id, actor=_userid(ctx))
    return f"客户群 {chat_id} 已关联到兴趣群 {key}，话题会发到这个群。"


async def _add(ctx: Ctx, form: Form) -> str:
    key = form.get("topic_group", "")[:64]
    topic = await add_topic(ctx, key, form.get("text", ""), product=bool(form.get("product")), actor=_userid(ctx))
    return added_text(key, topic)


async def _topic_status(ctx: Ctx, form: Form) -> str:
    topic = await set_topic_status(ctx, number(form.get("id", ""), "话题编号"), _status(form), actor=_userid(ctx))
    return status_text(topic)


async def _schedule(ctx: Ctx, form: Form) -> str:
    key = form.get("schedule_group", "")[:64]
    row = await add_schedule(ctx, key, form.get("cron", "")[:64], actor=_userid(ctx))
    return f"兴趣群 {key} 将在每个「{row.cron}」发布话题（#{row.id}），几分钟内生效。"


async def _schedule_status(ctx: Ctx, form: Form) -> str:
    row = await set_schedule_status(ctx, number(form.get("id", ""), "时间表编号"), _status(form), actor=_userid(ctx))
    return f"发布时间 #{row.id}「{row.cron}」已{'暂停' if row.status == 'paused' else '恢复'}。"


async def _post(ctx: Ctx, form: Form) -> str:
    return await posted_text(ctx, await post_now(ctx, form.get("post_group", "")[:64], actor=_userid(ctx)))


save_group = action("interest_group_save", _save_group, target="group_key")
link = action("interest_chat_link", _link, target="chat_id")
add = action("topic_add", _add, target="topic_group")
topic_status = action("topic_status", _topic_status, target="id")
schedule = action("topic_schedule_add", _schedule, target="schedule_group")
schedule_status = action("topic_schedule_status", _schedule_status, target="id")
post = action("topic_post", _post, target="post_group")

PAGES = (ConsolePage("/topics", topics, title="兴趣群", order=42, role=TOPIC.role),
         ConsolePage("/topics/groups", save_group, method="POST", role=GROUP.role),
         ConsolePage("/topics/link", link, method="POST", role=GROUP.role),
         ConsolePage("/topics/add", add, method="POST", role=TOPIC.role),
         ConsolePage("/topics/status", topic_status, method="POST", role=TOPIC.role),
         ConsolePage("/topics/schedules", schedule, method="POST", role=TOPIC.role),
         ConsolePage("/topics/schedules/status", schedule_status, method="POST", role=TOPIC.role),
         ConsolePage("/topics/post", post, method="POST", role=TOPIC.role))
