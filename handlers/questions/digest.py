"""The kept promises of one day: questions answered by staff, how long customers waited, and the
knowledge-base entries those answers became. (Questions opened are `service.unanswered`.)

A question handed over with the chat ("转人工" while it waited, status `handed`) is answered by a
colleague too once the ticket is resolved after someone answered in the chat: its `answered_at` is
then the resolve time, and its wait runs from when it was queued. Until then it is neither in the
queue nor answered: it is counted apart, as handed questions whose ticket was still open at the
day's end (for today: now). Those are read from the tickets (`context.questions`, the ids handed
with each), since a question's own row keeps no time of its hand-over."""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Metric, Provider, Value, Window
from handlers.escalation.digest import nearest_rank
from handlers.escalation.tickets import HANDED_QUESTIONS
from storage.models import KnowledgeEntry, Ticket, UnansweredQuestion
from storage.repos.replies import ANSWERED as ANSWERED_STATUS
from storage.repos.replies import HANDED

ANSWERED = Metric("service.questions_answered", "同事补答问题", "service", priority=2,
                  note="当天由同事用 /answer 或控制台回答、发给客户的未回答问题数，"
                       "加上随转人工交给接待同事、在会话里回答后工单解决时结清的问题")
ANSWER_MEDIAN = Metric("service.question_answer_median", "补答用时中位数", "service", kind="seconds", priority=3,
                       better=-1,
                       note="当天补答的问题从客户提问到同事回答（转人工的问题：到工单解决）的时长中位数（最近秩）")
FAQ_ADDED = Metric("service.faq_from_answers", "补答入知识库", "service", priority=3,
                   note="当天由同事的回答（+faq）新增的知识库条目数")
WITH_ADVISOR = Metric("service.questions_with_advisor", "转人工处理中", "service", priority=3, better=-1,
                      note="当天结束时（今天：此刻）随客户转人工交给接待同事、工单还没解决的未回答问题数："
                           "既不在待答队列，也还不算补答")


async def handed_at_cutoff(session: AsyncSession, window: Window) -> int:
    """Questions in a ticket opened before the day's end (for today: now) and not resolved by then."""
    lists = await session.scalars(select(Ticket.context[HANDED_QUESTIONS]).where(
        Ticket.reason == "asked_for_human", Ticket.created_at < window.cutoff,
        or_(Ticket.resolved_at.is_(None), Ticket.resolved_at >= window.cutoff)))
    return sum(len(ids) for ids in lists if isinstance(ids, list))


async def kept_promises(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    pairs = (await session.execute(select(UnansweredQuestion.created_at, UnansweredQuestion.answered_at).where(
        window.covers(UnansweredQuestion.answered_at),
        UnansweredQuestion.status.in_((ANSWERED_STATUS, HANDED))))).all()  # a handed one: settled at /resolve
    waits = [(answered - created).total_seconds() for created, answered in pairs if answered is not None]
    added = await session.scalar(select(func.count()).select_from(KnowledgeEntry).where(
        window.covers(KnowledgeEntry.created_at), KnowledgeEntry.source == "answer"))
    return {ANSWERED.key: len(pairs), ANSWER_MEDIAN.key: nearest_rank(waits, 0.5), FAQ_ADDED.key: int(added or 0),
            WITH_ADVISOR.key: await handed_at_cutoff(session, window)}


KEPT_PROMISES = Provider("kept_promises", (ANSWERED, ANSWER_MEDIAN, FAQ_ADDED, WITH_ADVISOR), compute=kept_promises,
                         order=95)
