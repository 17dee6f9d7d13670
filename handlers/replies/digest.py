"""Digest sections: conversations, the persona's answer rate, top keywords, unanswered questions and
the 猜你想问 offers (made, and settled by the customer picking an entry)."""

from __future__ import annotations

import asyncio
from typing import Mapping

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Breakdown, Metric, Provider, Value, Window, ratio
from bot.wecom.markdown import plain
from handlers.replies.keywords import MAX_TEXTS, top_keywords
from persona.wording import quoted
from storage.models import FaqOffer, Message, UnansweredQuestion

ACTIVE = Metric("activity.active_customers", "活跃客户", "activity", priority=1, note="当天发过消息的客户数")


MESSAGES_IN = Metric("activity.messages_in", "客户消息", "activity", priority=2, note="客户发来的消息条数")


MESSAGES_OUT = Metric("activity.messages_out", "发给客户", "activity", priority=2,
                      note="欢迎语、回复、推送等发给客户的消息条数")


ANSWER_RATE = Metric("service.answer_rate", "人设回答率", "service", kind="rate", priority=2,
                     note="知识库答上的问题 ÷ 客户提出的问题（闲聊、打卡、指令不算问题）")


HUMAN_REPLIES = Metric("service.human_replies", "人工回复", "service", priority=4, note="接待人员在微信客服里发的消息")


KEYWORDS = Metric("activity.top_keywords", "热门关键词", "activity", kind="breakdown", priority=3,
                  note="从当天客户消息里挑出的最有代表性的词（常见的口头语不算；后为提及的消息数）")


ANSWER_TEMPLATE = "reply.faq"
UNANSWERED_TEMPLATES = ("reply.fallback", "reply.unknown")


def from_customer() -> ColumnElement[bool]:
    return and_(Message.direction == "in", Message.customer_id.is_not(None), Message.staff_userid == "")


async def conversations(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    customer_in = from_customer()
    to_customer = and_(Message.direction == "out", Message.customer_id.is_not(None))
    # Only questions count: an answer from the knowledge base against the questions it could not
    # answer (the honest fallback or "I don't know"); small talk, check-ins and commands are no questions.
    persona_answer = and_(Message.direction == "out", Message.template_key.like(f"{ANSWER_TEMPLATE}%"))
    not_answered = and_(Message.direction == "out", or_(*(Message.template_key.like(f"{key}%")
                                                          for key in UNANSWERED_TEMPLATES)))
    # A servicer's kf message is stored inbound with the customer and the servicer (staff app messages
    # have no customer): no `channel` test, so the scan stays inside ix_message_digest.
    human = and_(Message.direction == "in", Message.customer_id.is_not(None), Message.staff_userid != "")

    def tally(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    row = (await session.execute(select(
        tally(customer_in), func.count(distinct(case((customer_in, Message.customer_id)))),
        tally(to_customer), tally(persona_answer), tally(human), tally(not_answered),
    ).where(window.covers(Message.created_at)))).one()
    messages_in, active, messages_out, answers, humans, fallbacks = (int(v or 0) for v in row)
    return {ACTIVE.key: active, MESSAGES_IN.key: messages_in, MESSAGES_OUT.key: messages_out,
            ANSWER_RATE.key: ratio(answers, answers + fallbacks), HUMAN_REPLIES.key: humans}


async def keywords(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    n = func.count().label("n")
    rows = (await session.execute(
        select(Message.text, n).where(window.covers(Message.created_at), from_customer())
        .group_by(Message.text).order_by(n.desc()).limit(MAX_TEXTS))).all()
    # "[image]" placeholders go; markup (a customer's <font> tags) is no topic
    texts = [(plain(str(t)), int(c)) for t, c in rows if t and not str(t).startswith("[")]
    if not texts:
        return {KEYWORDS.key: Breakdown()}
    ranked = await asyncio.to_thread(top_keywords, texts, 10)  # jieba is CPU work: keep the loop free
    return {KEYWORDS.key: Breakdown(tuple(ranked))}


CONVERSATIONS = Provider("conversations", (ACTIVE, MESSAGES_IN, MESSAGES_OUT, ANSWER_RATE, HUMAN_REPLIES),
                         compute=conversations, order=20)


KEYWORD_PROVIDER = Provider("keywords", (KEYWORDS,), compute=keywords, order=40)


UNANSWERED = Metric("service.unanswered", "未回答问题", "service", priority=2, better=-1,
                    note="人设没有把握回答、记入待补充问答的客户问题数")


TOP_QUESTIONS = Metric("service.top_questions", "热门问题", "service", kind="breakdown", priority=3,
                       note="当天未回答问题中出现最多的问题（后为次数）")


CLARIFY_OFFERED = Metric("service.clarify_offered", "猜你想问", "service", priority=4,
                         note="知识库没把握时列出候选问题请客户选择的次数")


CLARIFY_RESOLVED = Metric("service.clarify_resolved", "猜你想问选中", "service", priority=4,
                          note="客户从候选问题中选中一个、得到答案的次数")


TOP = 5


_TRIM = " \t\r\n?？!！。.~～"


def _label(text: str) -> str:
    """The question as inert words (it is shown in staff markdown), cut after the markup is gone; without a lead-in,
    so "请问一下 门店几点关门" and "门店几点关门" count as one question."""
    return plain(quoted(text.strip(_TRIM), len(text)).strip(_TRIM), 30).strip(_TRIM)


async def unanswered(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    n = func.count().label("n")
    rows = (await session.execute(select(UnansweredQuestion.text, n)
                                  .where(window.covers(UnansweredQuestion.created_at))
                                  .group_by(UnansweredQuestion.text))).all()
    counts: dict[str, int] = {}
    for text, c in rows:
        label = _label(str(text or ""))
        if label:
            counts[label] = counts.get(label, 0) + int(c)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    offers = await session.scalar(select(func.count()).select_from(FaqOffer).where(window.covers(FaqOffer.offered_at)))
    resolved = await session.scalar(select(func.count()).select_from(FaqOffer).where(
        FaqOffer.status == "resolved", FaqOffer.settled_at.is_not(None), window.covers(FaqOffer.settled_at)))
    return {UNANSWERED.key: sum(int(c) for _, c in rows), TOP_QUESTIONS.key: Breakdown(tuple(ranked)),
            CLARIFY_OFFERED.key: int(offers or 0), CLARIFY_RESOLVED.key: int(resolved or 0)}


# 猜你想问 lives here: an offer is the step before a question is queued, and it adds no provider
UNANSWERED_PROVIDER = Provider("unanswered", (UNANSWERED, TOP_QUESTIONS, CLARIFY_OFFERED, CLARIFY_RESOLVED),
                               compute=unanswered, order=90)
