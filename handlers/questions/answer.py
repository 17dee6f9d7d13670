"""Answering a queued question for a member of staff (`/answer`, the console's form).

The customer gets the answer in the persona's voice (`reply.answered`): by kf/send_msg while their
kf chat can take it (48 h since their last message, fewer than 5 messages since, the persona holds
the chat: kf.md §4), else as a 1:1 message proposed from the WeCom member who owns them as a friend
(add_msg_template, which that member confirms in the client: customer-contact.md §10). With neither,
the member is told why, and the question stays open. `+faq` also adds the question and answer to the
knowledge base (for every replica, after the commit), even when the answer could not be delivered.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import CommandError
from bot.wecom import kf_window
from handlers.escalation.notify import customer_label
from handlers.escalation.routing import colleague, local, member_label
from handlers.escalation.tickets import POOLED
from handlers.questions.wording import more_of
from handlers.replies.editing import add_entry, check_answer
from handlers.replies.knowledge import ENTRY_PREFIX
from handlers.services import Ctx
from persona.followup import in_context, leans_on
from persona.templates import KF_TEXT
from persona.wording import quoted
from storage.models import Customer, KnowledgeEntry, OutboxItem, Staff, UnansweredQuestion
from storage.repos import KfWindowRepo
from storage.repos.replies import ANSWERED, CLOSED, HANDED


@dataclass(frozen=True, slots=True)
class Answered:
    question: UnansweredQuestion
    customer: Customer | None
    delivery: str  # "kf" | "friend" | "" (not delivered)
    why_not: str = ""  # why not by kf/send_msg
    entry: KnowledgeEntry | None = None
    not_kept: str = ""  # why +faq added nothing

    def summary(self) -> str:
        """What the member reads back."""
        q, who = self.question, customer_label(self.customer) if self.customer else "客户"
        faq = (f"，并已加入知识库（条目 {ENTRY_PREFIX}{self.entry.id}），之后类似的问题小助手会直接回答"
               if self.entry else f"。{self.not_kept}" if self.not_kept else "")
        if self.delivery == "kf":
            return f"已在微信客服里把回答发给 {who}（问题 #{q.id}）{faq}。"
        if self.delivery == "friend":
            owner = self.customer.owner_userid if self.customer else ""
            return (f"微信客服发不到 {who}：{self.why_not}回答已作为 {owner} "
                    f"的一对一群发提交：需要TA在企业微信里确认发送，客户才会收到（问题 #{q.id}）{faq}。")
        return f"回答没有送达：{self.why_not}问题 #{q.id} 仍待回答{faq}。"


async def open_question(ctx: Ctx, number: int) -> UnansweredQuestion:
    """Question #number if it still waits for an answer; CommandError saying why not otherwise."""
    question = await ctx.repos.unanswered.find(number, lock=True)
    if question is None:
        raise CommandError(f"没有问题 #{number}。发送 /questions 查看待回答的问题。")
    if question.status == HANDED and question.answered_at is None:
        raise CommandError(f"问题 #{number} 已随客户的会话交给接待的同事（客户要求了人工），请在会话里直接回复。")
    if question.status in (ANSWERED, CLOSED, HANDED):
        at = local(ctx, question.answered_at) if question.answered_at else None
        when = f"{at:%m-%d %H:%M} " if at else ""
        who = await member_label(ctx, question.answered_by) if question.answered_by else "同事"
        if question.status == HANDED:
            raise CommandError(f"问题 #{number} 已于 {when}由 {who} 在客户的人工会话里处理。")
        if question.status == CLOSED:
            raise CommandError(f"问题 #{number} 已于 {when}由 {who} 关闭（不需要回答）。")
        raise CommandError(f"问题 #{number} 已于 {when}由 {who} 回答过：{question.answer[:60]}")
    return question


async def close_question(ctx: Ctx, number: int, *, staff: Staff, note: str = "") -> UnansweredQuestion:
    """The question needs no answer (spam, a duplicate, settled in another chat): it leaves the queue
    and the notices; nothing is sent to the customer."""
    question = await open_question(ctx, number)
    question.status, question.answered_at, question.answered_by = CLOSED, ctx.clock.now(), staff.userid
    ctx.repos.audit.record(actor=staff.userid, action="question.closed", target=f"question:{question.id}",
                           detail={"note": note[:200]}, now=ctx.clock.now())
    return question


async def kf_blocked(ctx: Ctx, question: UnansweredQuestion, customer: Customer) -> str:
    """Why kf/send_msg cannot reach the customer now ("" when it can)."""
    now, last = ctx.clock.now(), customer.last_inbound_at
    if not question.open_kfid:
        return "客户不是在微信客服里问的。"
    if last is None or not kf_window.is_open(last, now):
        return "客户最后一次发消息已超过 48 小时，微信客服不能再给TA发消息。"
    if await KfWindowRepo(ctx.session).sent_since(customer.id, last) >= kf_window.MESSAGES:
        return f"客户上次发消息后已经收到 {kf_window.MESSAGES} 条消息（微信客服的上限），要等TA再发消息。"
    ticket = await ctx.repos.tickets.find_open(customer.id)
    if ticket is not None and ticket.kf_servicer:
        return f"客户的会话正由 {await member_label(ctx, ticket.kf_servicer)} 接待，请在会话里直接回复。"
    if ticket is not None and ticket.status == POOLED:
        return "客户的会话在微信客服待接入池里，接入后在会话里直接回复。"
    if await ctx.repos.tickets.ended_chat_since(customer.id, last):
        return "客户的微信客服会话已结束，要等TA再发消息。"
    return ""


async def answer_question(ctx: Ctx, number: int, text: str, *, staff: Staff, add_faq: bool = False) -> Answered:
    """Send the answer to question #number in the persona's voice (see the module docstring)."""
    question = await open_question(ctx, number)
    answer = check_answer(ctx, text)
    customer = await ctx.session.get(Customer, question.customer_id) if question.customer_id else None
    entry = None
    # "那偏远地区呢" after "包邮吗": the two as one question, for the knowledge base and the customer alike
    follows = (question.context or {}).get("follows")
    # ... and what the customer added while it was open ("包邮吗" + "那偏远地区呢")
    asked = "，".join([in_context(follows, question.text) if follows else question.text, *more_of(question)])
    not_kept = ""
    if add_faq and leans_on(asked):
        # "这个多少钱" with nothing before it: as a phrasing it would answer every "这个多少钱" with this answer
        not_kept = (f"问题「{asked[:30]}」离开上文看不出问的是什么，没有加入知识库：请在控制台「知识库」"
                    "里写成完整的问题（比如「保湿面霜多少钱」）再添加")
    elif add_faq:
        entry = await add_entry(ctx, [asked], answer, actor=staff.userid, source="answer",
                                question_id=question.id)
        question.knowledge_entry_id = entry.id
    if customer is None:
        return _undelivered(ctx, question, None, "提问的客户数据已删除。", entry)
    key = "reply.answered"
    said = ctx.with_(customer=customer)
    rendered = said.render(key, last_variant=await ctx.repos.messages.last_variant(customer.id, key),
                           name=customer.name, question=quoted(asked), answer=answer)
    size = len(rendered.text.encode())
    if size > KF_TEXT:
        raise CommandError(f"回答太长：加上小助手的话共 {size} 字节，"
                           f"微信客服一条文本最多 {KF_TEXT} 字节，请缩短后重发。")
    template_key = f"{key}#{rendered.variant}"
    why_not = await kf_blocked(ctx, question, customer)
    if not why_not:
        item = ctx.outbox.kf_send(question.open_kfid, customer, rendered.text, kind="answer",
                                  template_key=template_key)
        delivery = "kf"
    elif customer.owner_userid and customer.status == "active":
        item = ctx.outbox.friend_message(customer.owner_userid, customer, rendered.text, template_key=template_key)
        delivery = "friend"
        if customer.owner_userid != staff.userid:
            ctx.outbox.app_text(ctx.settings.wecom.agent_id, customer.owner_userid,
                                f"{colleague(staff)} 回答了客户 {customer_label(customer)} "
                                f"的问题 #{question.id}，"
                                f"已提交为你的一对一群发：请在企业微信里确认发送，客户才会收到。")
    else:
        return _undelivered(ctx, question, customer, why_not + "TA也不是任何同事的企业微信好友。", entry)
    await ctx.session.flush()
    question.status, question.answer, question.answered_at = ANSWERED, answer, ctx.clock.now()
    question.answered_by, question.delivery, question.answer_outbox_id = staff.userid, delivery, item.id
    ctx.repos.audit.record(actor=staff.userid, action="question.answered", target=f"question:{question.id}",
                           detail={"delivery": delivery, "faq": entry.id if entry else None}, now=ctx.clock.now())
    return Answered(question, customer, delivery, why_not=why_not, entry=entry, not_kept=not_kept)


def _undelivered(ctx: Ctx, question: UnansweredQuestion, customer: Customer | None, why_not: str,
                 entry: KnowledgeEntry | None) -> Answered:
    """Nothing reached the customer: without +faq nothing is kept (the member may try again later)."""
    if entry is None:
        raise CommandError(f"回答没有送达：{why_not}问题 #{question.id} 仍待回答。", usage=False)  # typed right
    return Answered(question, customer, "", why_not=why_not, entry=entry)


async def answer_refused(ctx: Ctx, item: OutboxItem) -> None:
    """Outbox follow-up when an answer's row ended dead or expired (WeCom refused it, e.g. 95018: the
    session was not the persona's after all): the question is open again and whoever answered is told,
    in words with the API and the errcode, so the promise is not silently broken."""
    question = await ctx.repos.unanswered.find_by_answer(item.id)
    if question is None or question.status != ANSWERED:
        return
    who = question.answered_by
    question.status, question.answered_at, question.delivery, question.answer_outbox_id = "open", None, "", None
    ctx.repos.audit.record(actor="system", action="question.reopened", target=f"question:{question.id}",
                           detail={"api": item.api, "errcode": item.last_errcode}, now=ctx.clock.now())
    if who:
        code = item.last_errcode if item.last_errcode is not None else "-"
        ctx.outbox.app_text(ctx.settings.wecom.agent_id, who,
                            f"⚠️ 你对问题 #{question.id} 的回答没能送到客户：{item.api} 返回 {code}"
                            f"（{item.last_error[:80] or '未知原因'}）。"
                            f"问题已重新放回待回答，可稍后再试 /answer {question.id}。")
