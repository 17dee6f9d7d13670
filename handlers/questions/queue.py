"""A question the persona cannot answer: queued with the customer and the recent chat, and a promise
only when someone will keep it.

Who keeps it (`promise_keepers`): the members on duty; in working hours with nobody on duty, the
operators and admins (else every active member). With nobody (no staff at all, or out of hours and
nobody on duty) the persona does not promise a colleague: it says honestly that it does not know yet
and how to reach a person (`reply.unknown`). The question is queued either way, so whoever comes
later can still answer it. A follow-up ("那偏远地区呢" right after "包邮吗") is kept with the question it
leans on (`context["follows"]`): staff read both (`asked`).

The keepers learn of open questions from the `questions.notify` job (every minute, once per fire
time across replicas): one app message listing the open questions with their numbers, at most one
per member per `questions.notify_every_minutes`, and only when there is a question they have not
been told about.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.config import Config
from bot.outbox import TEXT_LIMITS, fit_bytes
from bot.scheduler import Job
from handlers.escalation.config import EscalationConfig
from handlers.escalation.notify import customer_label
from handlers.escalation.routing import in_working_hours, local, next_opening, opening_words
from handlers.escalation.rules import is_question, is_request
from handlers.escalation.tickets import HANDED_QUESTIONS, recent_lines
from handlers.orders.asking import order_alone
from handlers.questions.config import QuestionsConfig
from handlers.questions.wording import asked, more_of
from handlers.replies.history import FOLLOWUP_MINUTES, HISTORY, asked_before, kf_history
from handlers.replies.smalltalk import trouble_said
from handlers.replies.voice import Say
from handlers.services import Ctx
from persona.heard import heard
from persona.matcher import concepts
from persona.wording import in_english, quoted
from storage.models import Customer, Staff, UnansweredQuestion
from storage.repos.replies import HANDED, QuestionNoticeRepo

OPS_ROLES = ("operator", "admin")


async def promise_keepers(ctx: Ctx) -> list[Staff]:
    """The members who will hear about a question asked now; [] when nobody can keep a promise."""
    active = await ctx.repos.staff.list()
    on_duty = [s for s in active if s.on_duty]
    if on_duty:
        return on_duty
    if not in_working_hours(ctx.settings.of(EscalationConfig), local(ctx)):
        return []
    return [s for s in active if s.role in OPS_ROLES] or active


async def person_coming(ctx: Ctx, customer: Customer) -> bool:
    """The customer's chat already has an open ticket (handed over out of hours, or waiting for an advisor):
    what they add is for that colleague, who will read the chat, so the persona says a colleague is on it,
    never "send 人工 when they are back" again."""
    return await ctx.repos.tickets.find_open(customer.id) is not None


def how_to_reach(ctx: Ctx, *, staffed: bool) -> str:
    """What the honest reply says about reaching a person: when advisors are back, the configured
    contact, or asking for a person (WeCom's reception pool or Wanzi's queue take it from there)."""
    opening, contact, ask = _reach(ctx, staffed=staffed)
    parts = [f"同事们{opening_words(local(ctx), opening)} 上线，到时发“人工”就能找到人"] if opening else []
    parts += [contact] if contact else ["发“人工”可以联系客服同事"] if ask else []
    return "；".join(p.rstrip("。；;.") for p in parts) + "。" if parts else ""


def how_to_reach_en(ctx: Ctx, *, staffed: bool) -> str:
    """`how_to_reach` in English, for a customer who wrote in English (reply.unknown's "english" phrasings): when
    advisors are back (the local time, as the Chinese one says it), the configured contact (as configured), or
    asking for a person."""
    opening, contact, ask = _reach(ctx, staffed=staffed)
    parts = []
    if opening:
        days = (opening.date() - local(ctx).date()).days
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"on {opening:%A}"
        parts.append(f'Our colleagues are back {when} at {opening:%H:%M} (China time); send "人工" then to reach '
                     "a person")
    parts += [contact] if contact else ['send "人工" to reach a colleague'] if ask else []
    return "; ".join(p.rstrip("。；;.") for p in parts) + "." if parts else ""


def _reach(ctx: Ctx, *, staffed: bool) -> tuple[datetime | None, str, bool]:
    """When advisors are back (None while they are in, or with no working day configured: no time to promise),
    the configured contact, and whether asking for a person is the way (no contact and nothing else said)."""
    contact = ctx.settings.of(QuestionsConfig).contact.strip()
    escalation = ctx.settings.of(EscalationConfig)
    now = local(ctx)
    opening = next_opening(escalation, now)
    back = opening if staffed and opening > now else None
    return back, contact, not contact and back is None and escalation.enabled


def phrased(question: str, product: str = "", *, also: bool = False) -> str | None:
    """Which phrasings of reply.fallback and reply.unknown fit what the customer wrote (persona/model.py
    SITUATIONS): the price of `product`, a question telling a trouble of the customer's skin ("我最近脸上老是爆痘
    是不是跟换季有关": said back, `trouble_said`), a request ("给我退款": never "好问题！"), a statement (told), or a
    question (None: the usual ones); one question of a message of several whose others were answered (`also`: named,
    routes.py answer_each); one written in English ("english": said in English too)."""
    text = heard(question)
    if product:
        return "priced"
    if also:
        return "also"
    if in_english(question):  # as written: `heard` puts some English shop words in Chinese
        return "english"  # "do you ship to Hong Kong?": the promise in English too
    if is_question(text):
        return "trouble" if trouble_said(text) else None
    return "request" if is_request(text) else "told"


def unknown_facts(question: str, product: str, **facts: str) -> dict[str, str]:
    """The facts of reply.fallback and reply.unknown: the product whose price is asked, the trouble told."""
    return {**facts, "product": product, "concern": trouble_said(heard(question)), "question": question}


# Replies that told the customer how to reach a person (their `how`), as recorded (`key#variant`)
_TOLD_HOW = ("reply.unknown#", "reply.chased_unknown#", "chat.staff_hours#")
AGAIN_MINUTES = 30  # how long "how to reach a person" stays said in a chat


async def told_how_lately(ctx: Ctx, customer: Customer | None) -> bool:
    """Whether the persona told this customer how to reach a person in the last AGAIN_MINUTES: a second
    "I don't know" then says so shortly instead of repeating the hours (three alike in a row read as a robot)."""
    if customer is None:
        return False
    since = ctx.clock.now() - timedelta(minutes=AGAIN_MINUTES)
    return any(m.direction == "out" and m.template_key.startswith(_TOLD_HOW) and m.created_at >= since
               for m in await kf_history(ctx, customer, HISTORY))


async def honest_reply(ctx: Ctx, product: str = "", question: str = "", *, also: bool = False) -> Say:
    """No promise: the persona does not know yet (the price of `product`, when that is the question), and
    says how to reach a person, in words that fit the `question` (`phrased`), or, told that a few minutes
    ago, only that this one is noted too ("again")."""
    staffed = bool(await ctx.repos.staff.list())
    how = how_to_reach(ctx, staffed=staffed)
    slot = phrased(question, product, also=also) if question or product else None
    if how and slot not in ("priced", "also", "english") and await told_how_lately(ctx, ctx.customer):
        slot = "again"
    return Say("reply.unknown", unknown_facts(question, product, how=how, how_en=how_to_reach_en(ctx, staffed=staffed)),
               slot=slot)


async def queue_question(ctx: Ctx, question: str, *, open_kfid: str, product: str = "",
                         also: bool = False) -> tuple[UnansweredQuestion, Say] | None:
    """Queue `question` of the context's customer with the chat so far; returns the row and what the
    persona says about it (the promise, or the honest reply; naming `product` when the question is its
    price, "柚润保湿霜" after "哪款？"; naming the question when `also`: the others of its message were answered).
    With nobody to keep a question's promise and a ticket open for the customer, it is handed to that ticket.
    The LLM worker, which answers later and outside a kf event, says it through its own channel."""
    customer = ctx.customer
    if customer is None:
        return None
    # "那偏远地区呢" leans on "包邮吗"; an order number alone on the question it was sent for
    number = order_alone(heard(question))[0] is not None
    follows = await asked_before(ctx, customer, question, leaning=number)
    if follows or number:
        earlier = await ctx.repos.unanswered.latest_open(
            customer.id, since=ctx.clock.now() - timedelta(minutes=FOLLOWUP_MINUTES))
        if earlier is not None and (number or follows.endswith(earlier.text.strip())):
            # still open: what the customer adds ("订单号是 …", "这个多少钱") joins it, one question for staff
            earlier.context = {**(earlier.context or {}), "more": [*more_of(earlier), question]}
            if (earlier.context or {}).get("promised") or await person_coming(ctx, customer):
                # joined: a colleague is on it, no new promise
                return earlier, Say("chat.ack_pending", slot="english" if in_english(question) else "more")
            return earlier, await honest_reply(ctx, product, question, also=also)
    keepers = await promise_keepers(ctx) if ctx.settings.of(QuestionsConfig).enabled else []
    ticket = None if keepers else await ctx.repos.tickets.find_open(customer.id)
    closest = await ctx.services.knowledge.rank(question, limit=1)
    context = {"name": customer.name, "remark": customer.remark, "messages": await recent_lines(ctx, customer),
               "promised": bool(keepers) or ticket is not None}  # the chat up to the question, before the reply
    if follows:
        context["follows"] = follows
    slot = phrased(question, product, also=also)
    reply = (Say("reply.fallback", unknown_facts(question, product), slot=slot) if keepers
             else Say("chat.ack_pending", slot="english" if in_english(question) else None) if ticket is not None
             else await honest_reply(ctx, product, question, also=also))
    row = ctx.repos.unanswered.add(customer.id, question, now=ctx.clock.now(),
                                   best_faq=closest[0].entry.id if closest else "",
                                   confidence=closest[0].confidence if closest else 0.0,
                                   open_kfid=open_kfid, context=context)
    if ticket is not None:
        # the colleague who takes the chat for its open ticket answers it there (the ticket page's 之后客户又说):
        # handed with the chat as "转人工" hands a waiting question, not a second work item in /questions; a
        # ticket closed with no reply in the chat gives it back to the queue (tickets.py)
        row.status = HANDED
        await ctx.session.flush()
        handed = (ticket.context or {}).get(HANDED_QUESTIONS)
        ticket.context = {**(ticket.context or {}),
                          HANDED_QUESTIONS: [*(handed if isinstance(handed, list) else []), row.id]}
    return row, reply


async def open_question_before(ctx: Ctx, customer: Customer) -> UnansweredQuestion | None:
    """The open question the persona could not answer that the customer's message before this one asked,
    or added to, less than FOLLOWUP_MINUTES ago; None when that message was anything else."""
    earlier = await ctx.repos.unanswered.latest_open(
        customer.id, since=ctx.clock.now() - timedelta(minutes=FOLLOWUP_MINUTES))
    if earlier is None:
        return None
    said = [m for m in await kf_history(ctx, customer, HISTORY) if m.direction == "in" and not m.staff_userid]
    before = said[-2].text.strip() if len(said) >= 2 else ""  # the last row is this message
    return earlier if before and (earlier.text.strip().endswith(before) or before in more_of(earlier)) else None


# A reaction to the reply, not more of the question: an ok, a laugh, a plan or a decision after it ("好的 那我今天就
# 下单", "好吧 我攒攒钱再来", "哦不对 我是在天猫买的", "哈哈哈好吧 我回头问问他", "xswl 她刚还在吐槽冬天脸干").
_REACTS = re.compile(r"^(好|行|嗯|哦|噢|喔|ok|okay|算了|那我|那就|我就|哈|嘿|嘻|呵|xswl|笑死|hhh|233|😂|🤣)", re.I)


async def add_detail(ctx: Ctx, detail: str) -> Say | None:
    """A statement, or a question naming nothing of its own, right after a question the persona could not
    answer ("就是那种卡 她自己拿去挑" after "你们有礼品卡吗"; "电子发票也行 抬头写公司的", then "大概多久能开好"):
    more of that question, one for staff, and the customer told a colleague is on it (or, with no promise
    made, the honest reply again); None when the customer's message before was not that open question."""
    customer = ctx.customer
    if customer is None or _REACTS.match(heard(detail).strip()):
        return None
    earlier = await open_question_before(ctx, customer)
    if earlier is None:
        return None
    earlier.context = {**(earlier.context or {}), "more": [*more_of(earlier), detail]}
    promised = (earlier.context or {}).get("promised") or await person_coming(ctx, customer)
    if promised:
        return Say("chat.ack_pending", slot="english" if in_english(detail) else "more")
    return await honest_reply(ctx, question=detail)


# Chasing the answer to a question the persona could not answer: "刚才问的你还没回我呢", "那你们什么时候能回复我",
# "问到了吗", "同事怎么说", "还要等多久". Not a parcel chased ("快递怎么还没到" names shipping: the orders' reply).
_CHASES = re.compile(
    r"(还|怎么|咋|一直)(都)?(没|没有)(人)?(回|回复|答复|回答|理|给我(个)?(答复|回复|答案|说法))|"
    r"(什么时候|啥时候|多久|几点)(才)?(能|会|可以)?(回复|回我|答复|答复我|给(我)?(个)?(答复|回复|答案|结果|说法|消息)|"
    r"有(答复|结果|答案|回复|消息))|"
    r"(问到|问好|问清楚|查到|有结果|有答案|有答复|有回复|有消息)(了)?(吗|没|没有|么|嘛|不)|"
    r"同事(怎么说|说什么|说啥|回了|回复了|看到了)|"
    r"(刚才|刚刚|之前|前面|上次|昨天)(那个|我)?(问|说)的(问题|事|那个)?(呢|怎么样了|咋样了|有结果)|"
    r"(还要|要|还得|得)等(多久|多长时间|到什么时候|到啥时候|几天)")
CHASE_HOURS = 48  # kf's reply window: an open question older than that is not what the customer is chasing


def chases(text: str) -> bool:
    """The customer asks after an answer they are waiting for, naming nothing of the shop's."""
    said = heard(text)
    return bool(_CHASES.search(said)) and not concepts(said)


def _gist(q: UnansweredQuestion) -> str:
    return quoted(" ".join(q.text.split()).rstrip("？?。.!！~～"), 24)


async def chased(ctx: Ctx, text: str) -> Say | None:
    """A chaser while a question of the customer's is still open: that question named, and either a
    colleague is on it (a promise was made) or, honestly, how to reach a person; never a second "I don't know"
    read as a new question. The question keeps count of the chasers, so staff see who is waiting (`question_line`).
    None when the message does not chase or nothing is open."""
    customer = ctx.customer
    if customer is None or not chases(text):
        return None
    earlier = await ctx.repos.unanswered.latest_open(customer.id, since=ctx.clock.now() - timedelta(hours=CHASE_HOURS))
    if earlier is None:
        return None
    context = earlier.context or {}
    earlier.context = {**context, "chased": int(context.get("chased") or 0) + 1}
    if context.get("promised"):
        return Say("reply.chased", {"question": _gist(earlier)})
    staffed = bool(await ctx.repos.staff.list())
    return Say("reply.chased_unknown", {"question": _gist(earlier), "how": how_to_reach(ctx, staffed=staffed)})


# --- telling staff, batched -----------------------------------------------------------------------

def jobs(config: Config) -> list[Job]:
    return [Job("questions.notify", CronTrigger(minute="*", timezone=config.persona.timezone),
                send_question_notices, misfire_grace_s=300)]


async def send_question_notices(ctx: Ctx, fire_time: datetime) -> None:
    """The job: tell the keepers about open questions, batched."""
    await notify_open_questions(ctx)


def console_link(ctx: Ctx) -> str:
    server = ctx.settings.server
    base = server.public_url or f"http://{server.host}:{server.port}"
    return f"{base.rstrip('/')}/console/questions"


def question_line(ctx: Ctx, q: UnansweredQuestion, customer: Customer | None, *, with_context: bool) -> str:
    who = customer_label(customer) if customer is not None else "（客户数据已删除）"
    chased = int((q.context or {}).get("chased") or 0)
    waiting = f"（客户已催 {chased} 次）" if chased else ""
    head = f"#{q.id} {who} · {local(ctx, q.created_at):%m-%d %H:%M}{waiting}\n问：{' '.join(asked(q).split())[:200]}"
    if not with_context:
        return head
    before = [m for m in (q.context or {}).get("messages") or [] if m.get("text") != q.text][-3:]
    lines = [f"  {m.get('who', '')} {m.get('at', '')}：{' '.join(str(m.get('text', '')).split())[:60]}"
             for m in before]
    return "\n".join([head, *lines])


async def open_list(ctx: Ctx, questions: list[UnansweredQuestion], *, newer_than: int = 0, title: str,
                    listing: bool = False) -> str:
    """The open questions as one app text (≤2048 bytes): the new ones with a little context first,
    then the older ones, cut from the oldest with a count of what was left out and where to see it:
    /questions from a notice, the console from /questions itself (`listing`). Nothing points to "all"
    when all are shown."""
    new = [q for q in questions if q.id > newer_than]
    old = [q for q in questions if q.id <= newer_than]
    blocks = []
    for q in list(reversed(new)) + list(reversed(old)):
        customer = await ctx.session.get(Customer, q.customer_id) if q.customer_id else None
        blocks.append(question_line(ctx, q, customer, with_context=q.id > newer_than))
    tail = ["发送 /answer 编号 回答 回复客户（末尾加 +faq 同时存入知识库），/questions close 编号 关闭不用回答的",
            console_link(ctx)]
    where = "请在控制台查看" if listing else "发送 /questions 或在控制台查看"
    limit = TEXT_LIMITS["message/send"]
    shown = len(blocks)
    while True:
        more = [f"……还有 {len(blocks) - shown} 个，{where}"] if shown < len(blocks) else []
        text = "\n\n".join([title, *blocks[:shown], *more, "\n".join(tail)])
        if len(text.encode()) <= limit or shown <= 1:
            return fit_bytes(text, limit)
        shown -= 1


async def notify_open_questions(ctx: Ctx) -> int:
    """One app message to each keeper with questions they have not heard of, unless they had one in
    the last `notify_every_minutes`. Returns how many members were told."""
    config = ctx.settings.of(QuestionsConfig)
    if not config.enabled:
        return 0
    keepers = await promise_keepers(ctx)
    questions = await ctx.repos.unanswered.open()
    if not keepers or not questions:
        return 0
    newest = max(q.id for q in questions)
    now, every = ctx.clock.now(), timedelta(minutes=config.notify_every_minutes)
    notices = QuestionNoticeRepo(ctx.session)
    seen = await notices.of([s.userid for s in keepers])
    told = 0
    for member in keepers:
        last = seen.get(member.userid)
        if last is not None and (last.last_question_id >= newest or now - last.sent_at < every):
            continue
        newer_than = last.last_question_id if last is not None else 0
        fresh = sum(1 for q in questions if q.id > newer_than)
        title = f"❓ 有 {len(questions)} 个客户问题小助手答不上来，等你回答（新 {fresh} 个）："
        ctx.outbox.app_text(ctx.settings.wecom.agent_id, member.userid,
                            await open_list(ctx, questions, newer_than=newer_than, title=title))
        notices.record(last, member.userid, now=now, last_question_id=newest)
        told += 1
    return told
