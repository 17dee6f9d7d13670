"""The console's 待答问题 page: the open questions with the customer and the chat before them, an
answer form each (with 「同时加入知识库」), and what was answered in the last day. Answering runs
the function /answer runs, for the signed-in member (advisors may answer)."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import timedelta

from aiohttp import web

from bot.appkeys import CONFIG
from bot.console.actions import Form, act, form_of
from bot.console.frame import allowed, context, frame, path_id, reader, session_of, staff_names, tell, who
from bot.console.html import Safe, join, local_time, render, table
from bot.feature import ConsolePage
from bot.roles import Role
from handlers.escalation.notify import customer_label
from handlers.questions.answer import answer_question, close_question
from handlers.questions.commands import ANSWER
from handlers.questions.wording import asked
from handlers.services import Ctx
from storage.models import Customer, UnansweredQuestion
from storage.views import ConsoleViews

ANSWERED_SHOWN = timedelta(hours=24)
DELIVERY = {"kf": "微信客服", "friend": "好友群发（待员工确认）", "": "—"}
STATUS = {"answered": "已回答", "closed": "已关闭（不回答）", "handed": "已在人工会话里处理"}

ANSWER_FORM = """<form method="post" action="/console/questions/$id/answer" class="act" id="answer-$id">
<input type="hidden" name="csrf" value="$csrf">
<label class="wide">回答 <textarea name="answer" rows="3" maxlength="2000" required>$answer</textarea></label>
<label class="check"><input type="checkbox" name="faq" value="1"$faq> 同时加入知识库</label>
<button type="submit">以小助手的口吻发给客户</button></form>
<form method="post" action="/console/questions/$id/close" class="inline" id="close-$id">
<input type="hidden" name="csrf" value="$csrf"><button type="submit" class="secondary">不需要回答</button></form>"""


def _who(customer: Customer | None, opens: AbstractSet[int] = frozenset()) -> Safe:
    """The customer, linked to their page when the member may open it (an advisor: one they serve)."""
    if customer is None:
        return Safe("（客户数据已删除）")
    if customer.id in opens:
        return render('<a href="/console/customers/$id">$name</a>', id=customer.id, name=customer_label(customer))
    return render("$name", name=customer_label(customer))


def _context(q: UnansweredQuestion) -> Safe:
    lines = [render('<li><span class="meta">$who $at</span><span class="text">$text</span></li>',
                    who=m.get("who", ""), at=m.get("at", ""), text=m.get("text", ""))
             for m in (q.context or {}).get("messages") or [] if m.get("text") != q.text]  # the chat before it
    return render('<ol class="history">$l</ol>', l=join(lines)) if lines else Safe("")


async def questions(request: web.Request) -> web.Response:
    return await questions_page(request)


async def questions_page(request: web.Request, *, form: Form | None = None, failed: int = 0,
                         error: str = "") -> web.Response:
    tz, csrf = request.config_dict[CONFIG].persona.timezone, session_of(request).csrf
    async with reader(request)() as session:
        ctx = context(request, session)
        waiting = await ctx.repos.unanswered.open()
        answered = await ctx.repos.unanswered.settled_since(ctx.clock.now() - ANSWERED_SHOWN)
        people = {c.id: c for c in [await session.get(Customer, i) for i in
                                    {q.customer_id for q in waiting + answered if q.customer_id}] if c is not None}
        names = await staff_names(session)
        me, views = session_of(request), ConsoleViews(session)
        opens = {i for i in people if me.role != Role.ADVISOR or await views.serves(me.userid, i)}
    may_answer = allowed(request, answer)
    parts: list[Safe] = [render('<h1>待答问题</h1><p class="sub">小助手答不上来的客户问题。回答会以小助手的口吻发给客户'
                                '（48 小时内走微信客服，之后走添加TA的同事的好友群发）；勾选「同时加入知识库」后，'
                                '之后换个说法问的客户会直接得到回答。</p>')]
    if error:
        parts.append(render('<p class="alert" role="alert">$e</p>', e=error))
    if not waiting:
        parts.append(Safe("<p>没有待回答的问题。</p>"))
    for q in waiting:
        v = form if form is not None and failed == q.id else {}
        block = render('<section class="question" id="q-$id"><h3>#$id $who · $at</h3><p><strong>问：</strong>$text</p>'
                       '$context$form</section>', id=q.id, who=_who(people.get(q.customer_id or 0), opens),
                       at=local_time(q.created_at, tz), text=asked(q), context=_context(q),
                       form=render(ANSWER_FORM, id=q.id, csrf=csrf, answer=v.get("answer", ""),
                                   faq=Safe(" checked") if v.get("faq") else Safe("")) if may_answer else Safe(""))
        parts.append(block)
    rows = [(q.id, _who(people.get(q.customer_id or 0), opens), asked(q)[:80],
             q.answer[:80] or STATUS.get(q.status, ""),
             who(q.answered_by, names) if q.answered_by else "",
             DELIVERY.get(q.delivery, q.delivery), "是" if q.knowledge_entry_id else "",
             local_time(q.answered_at, tz)) for q in answered]
    headers = ["#", "客户", "问题", "回答", "回答人", "送达", "入知识库", "时间"]
    parts.append(render("<h2>最近一天已回答或关闭</h2>$t", t=table(headers,
                                                       rows, empty="还没有")))
    return frame(request, "待答问题", join(parts), active="questions", status=400 if error else 200)


async def answer(request: web.Request) -> web.StreamResponse:
    """POST /console/questions/{id}/answer: what /answer does, for the signed-in member."""
    number, form = path_id(request), await form_of(request, limit=3000)

    async def work(ctx: Ctx) -> str:
        assert ctx.staff is not None
        done = await answer_question(ctx, number, form.get("answer", ""), staff=ctx.staff,
                                     add_faq=bool(form.get("faq")))
        return done.summary()

    outcome = await act(request, work, action="console_answer", target=f"question:{number}",
                        detail={"faq": bool(form.get("faq"))})
    if not outcome.ok:
        return await questions_page(request, form=form, failed=number, error=outcome.error)
    await tell(request, outcome.message)
    raise web.HTTPSeeOther("/console/questions")


async def close(request: web.Request) -> web.StreamResponse:
    """POST /console/questions/{id}/close: what /questions close does."""
    number = path_id(request)

    async def work(ctx: Ctx) -> str:
        assert ctx.staff is not None
        closed = await close_question(ctx, number, staff=ctx.staff)
        return f"问题 #{closed.id} 已关闭（不回答，客户不会收到消息）。"

    outcome = await act(request, work, action="console_question_close", target=f"question:{number}")
    await tell(request, outcome.message or outcome.error)
    raise web.HTTPSeeOther("/console/questions")


PAGES = (ConsolePage("/questions", questions, title="待答问题", order=35),
         ConsolePage("/questions/{id}/answer", answer, method="POST", role=ANSWER.role),
         ConsolePage("/questions/{id}/close", close, method="POST", role=ANSWER.role))
