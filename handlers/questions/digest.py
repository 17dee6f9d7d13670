"""The kept promises of one day: questions answered by staff, how long customers waited, and the
knowledge-base entries those answers became. (Questions opened are `service.unanswered`.)"""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Metric, Provider, Value, Window
from handlers.escalation.digest import nearest_rank
from storage.models import KnowledgeEntry, UnansweredQuestion

ANSWERED = Metric("service.questions_answered", "同事补答问题", "service", priority=2,
                  note="当天由同事用 /answer 或控制台回答、发给客户的未回答问题数")
ANSWER_MEDIAN = Metric("service.question_answer_median", "补答用时中位数", "service", kind="seconds", priority=3,
                       better=-1, note="当天补答的问题从客户提问到同事回答的时长中位数（最近秩）")
FAQ_ADDED = Metric("service.faq_from_answers", "补答入知识库", "service", priority=3,
                   note="当天由同事的回答（+faq）新增的知识库条目数")


async def kept_promises(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    pairs = (await session.execute(select(UnansweredQuestion.created_at, UnansweredQuestion.answered_at).where(
        window.covers(UnansweredQuestion.answered_at), UnansweredQuestion.status == "answered"))).all()
    waits = [(answered - created).total_seconds() for created, answered in pairs if answered is not None]
    added = await session.scalar(select(func.count()).select_from(KnowledgeEntry).where(
        window.covers(KnowledgeEntry.created_at), KnowledgeEntry.source == "answer"))
    return {ANSWERED.key: len(pairs), ANSWER_MEDIAN.key: nearest_rank(waits, 0.5), FAQ_ADDED.key: int(added or 0)}


KEPT_PROMISES = Provider("kept_promises", (ANSWERED, ANSWER_MEDIAN, FAQ_ADDED), compute=kept_promises, order=95)
