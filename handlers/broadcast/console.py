"""The console's 群发 page: pick a tag (with its audience size) and one of the persona's broadcast
templates, preview the count and the text in the persona's voice, confirm. Preview and confirm are
/broadcast and /confirm (handlers/broadcast/service.py): the same pending broadcast, the same push
gate, the same chunked worker, and only the role that may run those commands."""

from __future__ import annotations

from aiohttp import web

from bot.appkeys import CONFIG
from bot.console.actions import Form, act, form_of, values
from bot.console.frame import allowed, context, frame, reader, session_of, tell
from bot.console.html import Safe, join, local_time, render, table
from bot.feature import ConsolePage
from handlers.broadcast.service import (
    BROADCAST_ROLE,
    Proposal,
    broadcast_text,
    confirm_broadcast,
    pending_proposal,
    propose_broadcast,
)
from handlers.services import Ctx
from storage.models import Customer, Tag

STATE = {"sending": "发送中", "done": "已排入队列"}
HISTORY = 10

PICK_FORM = """<h2>新的群发</h2>
<form method="post" action="/console/broadcast/preview" class="act" id="broadcast-pick">
<input type="hidden" name="csrf" value="$csrf">
<label>标签（人数为带此标签的好友客户） <select name="tag" required>$tags</select></label>
<fieldset class="templates"><legend>人设群发模板（[broadcasts]）</legend>$templates</fieldset>
<button type="submit">预览人数和内容</button></form>"""
TEMPLATE = """<label class="choice"><input type="radio" name="template" value="$name"$checked required>
<b>$name</b><span class="text">$text</span></label>"""
PROPOSAL = """<section class="proposal" id="broadcast-proposal"><h2>待确认：$name → 标签「$tag」</h2>
<p class="summary">$summary</p>
<div class="previews"><figure><figcaption>$sample_label</figcaption><p class="bubble">$sample</p></figure>$friends</div>
<form method="post" action="/console/broadcast/confirm" class="inline">
<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="pending" value="$id">
<button type="submit">确认发送</button></form> <span class="hint">$minutes 分钟内有效；确认后分批排入发件箱，\
受频次上限、免打扰时段和退订约束。</span></section>"""


async def _sample(ctx: Ctx, tag: Tag) -> Customer | None:
    """Someone the broadcast would reach, to show the text as they would read it."""
    for customer in await ctx.repos.tags.customers_with([tag.id], limit=50):
        if customer.status == "active" and not customer.opted_out:
            return customer
    return None


async def _proposal(request: web.Request, ctx: Ctx, p: Proposal) -> Safe:
    sample = await _sample(ctx, p.tag)
    personal = broadcast_text(ctx, p.template, sample)
    label = f"以 {sample.name or sample.remark or sample.external_userid} 为例，客户收到的内容" if sample \
        else "客户收到的内容"
    friends = render('<figure><figcaption>企业微信好友（员工确认的群发任务，不带称呼）</figcaption>'
                     '<p class="bubble">$t</p></figure>', t=p.preview) if p.preview != personal else Safe("")
    return render(PROPOSAL, name=p.template, tag=p.tag.name, summary=p.summary, sample_label=label,
                  sample=personal, friends=friends, csrf=session_of(request).csrf, id=p.pending.id, minutes=p.minutes)


async def broadcast(request: web.Request) -> web.Response:
    return await broadcast_page(request)


async def broadcast_page(request: web.Request, *, form: Form | None = None, error: str = "") -> web.Response:
    me, tz = session_of(request), request.config_dict[CONFIG].persona.timezone
    parts: list[Safe] = [render('<h1>群发</h1><p class="sub">按标签把人设的群发模板发给客户：48 小时内在微信客服里'
                                '聊过的直接发送，其余企业微信好友生成群发任务，由添加他们的员工在客户端确认。</p>')]
    if error:
        parts.append(render('<p class="alert" role="alert">$e</p>', e=error))
    async with reader(request)() as session:
        ctx = context(request, session)
        member = await ctx.repos.staff.find(me.userid)
        proposal = await pending_proposal(ctx.with_(staff=member)) if member is not None else None
        if proposal is not None and allowed(request, confirm):
            parts.append(await _proposal(request, ctx, proposal))
        if allowed(request, preview):
            sizes = await ctx.repos.tags.audience_sizes()
            tags = [t for t in await ctx.repos.tags.all() if sizes.get(t.id)]
            v = values(form, tag=f"{proposal.tag.group_name}/{proposal.tag.name}" if proposal else "",
                       template=proposal.template if proposal else "")
            options = join(render('<option value="$v"$sel>$label（$n 人）</option>', v=f"{t.group_name}/{t.name}",
                                  label=f"{t.group_name}/{t.name}" if t.group_name else t.name, n=sizes[t.id],
                                  sel=Safe(" selected") if f"{t.group_name}/{t.name}" == v["tag"] else Safe(""))
                           for t in tags)
            templates = join(render(TEMPLATE, name=name, text=broadcast_text(ctx, name, None),
                                    checked=Safe(" checked") if name == v["template"] else Safe(""))
                             for name in sorted(ctx.persona.broadcasts))
            if not tags or not ctx.persona.broadcasts:
                parts.append(render('<p class="empty">$why</p>', why="还没有带标签的客户。" if not tags
                                    else "人设文件里还没有 [broadcasts] 群发模板。"))
            else:
                parts.append(render(PICK_FORM, csrf=me.csrf, tags=options, templates=templates))
        recent = await ctx.repos.pending.recent("broadcast", statuses=tuple(STATE), limit=HISTORY)
        names = {t.id: t.name for t in await ctx.repos.tags.get_many([int(r.payload["tag_id"]) for r in recent])}
    rows = [(local_time(r.created_at, tz), r.staff_userid, names.get(int(r.payload["tag_id"]), "（已删除）"),
             r.payload.get("template", ""), STATE.get(r.status, r.status), r.payload.get("queued", 0),
             r.payload.get("suppressed", 0)) for r in recent]
    grid = table(["发起于", "发起人", "标签", "模板", "状态", "已排入", "未发送（频次等）"], rows, empty="还没有群发",
                 cls="broadcasts")
    parts.append(render("<h2>最近的群发</h2>$t", t=grid))
    return frame(request, "群发", join(parts), active="broadcast", status=400 if error else 200)


async def preview(request: web.Request) -> web.StreamResponse:
    form = await form_of(request, limit=130)

    async def work(ctx: Ctx) -> str:
        p = await propose_broadcast(ctx, form.get("tag", ""), form.get("template", ""))
        return f"已生成群发预览：可触达 {p.audience.reachable} 人，请核对人数和内容后确认发送。"

    outcome = await act(request, work, action="console_broadcast_preview", target=form.get("tag", ""),
                        detail={"template": form.get("template", "")})
    if not outcome.ok:
        return await broadcast_page(request, form=form, error=outcome.error)
    await tell(request, outcome.message)
    raise web.HTTPSeeOther("/console/broadcast")


async def confirm(request: web.Request) -> web.StreamResponse:
    raw = (await form_of(request, limit=19)).get("pending", "")
    if not raw.isdigit():
        raise web.HTTPBadRequest(text="待确认的群发编号必须是数字。")

    async def work(ctx: Ctx) -> str:
        return await confirm_broadcast(ctx, pending_id=int(raw))

    outcome = await act(request, work, action="console_broadcast_confirm", target=raw)
    if not outcome.ok:
        return await broadcast_page(request, error=outcome.error)
    await tell(request, outcome.message)
    raise web.HTTPSeeOther("/console/broadcast")


PAGES = (ConsolePage("/broadcast", broadcast, title="群发", order=60, role=BROADCAST_ROLE),
         ConsolePage("/broadcast/preview", preview, method="POST", role=BROADCAST_ROLE),
         ConsolePage("/broadcast/confirm", confirm, method="POST", role=BROADCAST_ROLE))
