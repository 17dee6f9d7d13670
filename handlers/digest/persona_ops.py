"""What the persona could not answer, where customers moved in the funnel, and what the push
gate held back: one day of `unanswered_question`, `stage_entry` and `suppressed_push`.

Top questions are the most frequent question texts of the day, compared after trimming
whitespace and trailing punctuation, so "包邮吗？" and "包邮吗" count together.
"""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digest.metrics import Breakdown, Metric, Provider, Value, Window
from storage.models import StageEntry, SuppressedPush, UnansweredQuestion

UNANSWERED = Metric("service.unanswered", "未回答问题", "service", priority=2, better=-1,
                    note="人设没有把握回答、记入待补充问答的客户问题数")
TOP_QUESTIONS = Metric("service.top_questions", "热门问题", "service", kind="breakdown", priority=3,
                       note="当天未回答问题中出现最多的问题（后为次数）")
STAGE_TRANSITIONS = Metric("conversion.stage_transitions", "阶段变化", "conversion", priority=3, better=0,
                           note="客户进入新阶段的次数（规则、渠道、标签）")
BY_STAGE = Metric("conversion.stages_entered", "进入阶段", "conversion", kind="breakdown", priority=5)
SUPPRESSED = Metric("outreach.pushes_suppressed", "频控拦截推送", "outreach", priority=3, better=0,
                    note="被频控、免打扰时段或退订拦下的推送")
SUPPRESSED_BY_REASON = Metric("outreach.suppressed_by_reason", "拦截原因", "outreach", kind="breakdown", priority=5)

TOP = 5
_TRIM = " \t\r\n?？!！。.~～"


def _label(text: str) -> str:
    text = text.strip(_TRIM)
    return text if len(text) <= 30 else text[:29] + "…"


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
    return {UNANSWERED.key: sum(int(c) for _, c in rows), TOP_QUESTIONS.key: Breakdown(tuple(ranked))}


async def _by(session: AsyncSession, column, created) -> tuple[tuple[str, int], ...]:  # type: ignore[no-untyped-def]
    n = func.count().label("n")
    rows = (await session.execute(select(column, n).where(created).group_by(column)
                                  .order_by(n.desc(), column))).all()
    return tuple((str(k), int(c)) for k, c in rows)


async def stages(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    ranked = await _by(session, StageEntry.stage, window.covers(StageEntry.entered_at))
    return {STAGE_TRANSITIONS.key: sum(c for _, c in ranked), BY_STAGE.key: Breakdown(ranked)}


async def suppressed(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    ranked = await _by(session, SuppressedPush.reason, window.covers(SuppressedPush.created_at))
    return {SUPPRESSED.key: sum(c for _, c in ranked), SUPPRESSED_BY_REASON.key: Breakdown(ranked)}


UNANSWERED_PROVIDER = Provider("unanswered", (UNANSWERED, TOP_QUESTIONS), compute=unanswered)
STAGES = Provider("stages", (STAGE_TRANSITIONS, BY_STAGE), compute=stages)
SUPPRESSED_PROVIDER = Provider("suppressed", (SUPPRESSED, SUPPRESSED_BY_REASON), compute=suppressed)
