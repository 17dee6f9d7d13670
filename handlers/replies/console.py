"""The console's 知识库 page: the entries added at run time (from the console or from staff answers)
with disable / enable, a form to add one, and how many entries the persona and the FAQ file bring.
Changes reach every replica's index after the commit (knowledge.py); operators edit, everyone
signed in reads."""

from __future__ import annotations

from aiohttp import web

from bot.appkeys import CONFIG
from bot.console.actions import Form, act, form_of, values
from bot.console.frame import allowed, frame, reader, session_of, staff_names, tell, who
from bot.console.html import Safe, join, local_time, render, table
from bot.feature import ConsolePage
from handlers.replies.editing import add_entry, set_status
from handlers.replies.knowledge import ENTRY_PREFIX
from handlers.services import Ctx, services_of
from handlers.staff.parsing import number
from storage.repos.replies import KnowledgeRepo

STATUS = {"active": "启用", "disabled": "已停用"}
SOURCE = {"console": "控制台", "answer": "同事回答"}
FILE_SOURCE = {"persona": "人设文件", "file": "FAQ 文件"}

ADD_FORM = """<h2>添加条目</h2><form method="post" action="/console/knowledge/add" class="act" id="knowledge-add">
<input type="hidden" name="csrf" value="$csrf">
<label class="wide">问题（每行一种问法） <textarea name="questions" rows="3" maxlength="2000" required
 placeholder="门店几点关门&#10;晚上几点打烊">$questions</textarea></label>
<label class="wide">回答 <textarea name="answer" rows="3" maxlength="2000" required>$answer</textarea></label>
<button type="submit">加入知识库</button></form>"""


async def knowledge(request: web.Request) -> web.Response:
    return await knowledge_page(request)


async def knowledge_page(request: web.Request, *, form: Form | None = None, error: str = "") -> web.Response:
    tz, csrf = request.config_dict[CONFIG].persona.timezone, session_of(request).csrf
    kb = services_of(request).knowledge
    async with reader(request)() as session:
        repo = KnowledgeRepo(session)
        rows, revision, names = await repo.all(), await repo.revision(), await staff_names(session)
    may_switch = allowed(request, switch)
    grid = [(f"{ENTRY_PREFIX}{r.id}", render("$q", q=" | ".join(r.questions)), r.answer[:120],
             SOURCE.get(r.source, r.source), who(r.created_by, names), local_time(r.created_at, tz),
             STATUS.get(r.status, r.status), _switch_button(r.id, r.status, csrf) if may_switch else "") for r in rows]
    counts = kb.counts()
    parts: list[Safe] = [render('<h1>知识库</h1><p class="sub">人设文件 $p 条、FAQ 文件 $f 条（改文件后运行 '
                                '<code>wanzi faq reload</code>），下面是运行中添加的条目。本进程的索引版本 $mine，'
                                '数据库版本 $db。</p>', p=counts["persona"], f=counts["file"], mine=kb.revision,
                                db=revision)]
    if error:
        parts.append(render('<p class="alert" role="alert">$e</p>', e=error))
    headers = ["条目", "问题", "回答", "来源", "添加人", "时间", "状态", ""]
    parts.append(table(headers, grid, empty="还没有运行中添加的条目",
                       cls="knowledge"))
    if allowed(request, add):
        v = values(form, questions="", answer="")
        parts.append(render(ADD_FORM, csrf=csrf, questions=v["questions"], answer=v["answer"]))
    # what customers are answered from besides: the persona's and the FAQ file's entries (edited in the files)
    parts.append(render('<h2>文件里的条目</h2><p class="sub">在人设文件或 FAQ 文件里修改，改完运行 '
                        '<code>wanzi faq reload</code>。</p>'))
    parts.append(table(["条目", "问题", "回答", "来源"],
                       [(e.id, render("$q", q=" | ".join(e.questions)), e.answer[:120], FILE_SOURCE[where])
                        for where, e in kb.from_files()], empty="人设文件和 FAQ 文件里没有条目", cls="knowledge-files"))
    return frame(request, "知识库", join(parts), active="knowledge", status=400 if error else 200)


def _switch_button(entry_id: int, status: str, csrf: str) -> Safe:
    to, label = ("disabled", "停用") if status == "active" else ("active", "启用")
    return render('<form method="post" action="/console/knowledge/status" class="inline">'
                  '<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="id" value="$id">'
                  '<input type="hidden" name="status" value="$to">'
                  '<button type="submit" class="secondary">$label</button>'
                  '</form>', csrf=csrf, id=entry_id, to=to, label=label)


def _userid(ctx: Ctx) -> str:
    assert ctx.staff is not None
    return ctx.staff.userid


async def add(request: web.Request) -> web.StreamResponse:
    form = await form_of(request, limit=3000)

    async def work(ctx: Ctx) -> str:
        entry = await add_entry(ctx, form.get("questions", "").splitlines(), form.get("answer", ""),
                                actor=_userid(ctx))
        return (f"已加入知识库：条目 {ENTRY_PREFIX}{entry.id}（{len(entry.questions)} 种问法），"
                "各个进程会在几秒内用上它。")

    outcome = await act(request, work, action="console_knowledge_add", target="knowledge")
    if not outcome.ok:
        return await knowledge_page(request, form=form, error=outcome.error)
    await tell(request, outcome.message)
    raise web.HTTPSeeOther("/console/knowledge")


async def switch(request: web.Request) -> web.StreamResponse:
    form = await form_of(request, limit=32)
    if form.get("status") not in ("active", "disabled"):
        raise web.HTTPBadRequest(text="status is active or disabled")

    async def work(ctx: Ctx) -> str:
        entry = await set_status(ctx, number(form.get("id", ""), "条目编号"), form.get("status") == "active",
                                 actor=_userid(ctx))
        return f"条目 {ENTRY_PREFIX}{entry.id} 已{STATUS[entry.status]}。"

    outcome = await act(request, work, action="console_knowledge_status", target=f"knowledge:{form.get('id', '')}")
    await tell(request, outcome.message or outcome.error)
    raise web.HTTPSeeOther("/console/knowledge")


PAGES = (ConsolePage("/knowledge", knowledge, title="知识库", order=36),
         ConsolePage("/knowledge/add", add, method="POST", role="operator"),
         ConsolePage("/knowledge/status", switch, method="POST", role="operator"))
