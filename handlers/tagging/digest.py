"""Digest sections: tags applied and stage transitions."""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Breakdown, Metric, Provider, Value, Window, counts_by
from storage.models import CustomerTag, StageEntry, Tag

TAGS_APPLIED = Metric("conversion.tags_applied", "新打标签", "conversion", priority=4, better=0,
                      note="当天新建的客户-标签关联（规则、渠道、员工、企业微信）")


TOP_TAGS = Metric("conversion.top_tags", "标签分布", "conversion", kind="breakdown", priority=5,
                  note="当天新打的标签，按标签分（后为打上的客户数，前 10 个）")


async def tags(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    # Count the day's links first (ix_customer_tag_created_at), then name the few tags: joining first
    # lets the planner walk every link of every tag.
    day = (select(CustomerTag.tag_id, func.count().label("n")).where(window.covers(CustomerTag.created_at))
           .group_by(CustomerTag.tag_id).subquery())
    rows = (await session.execute(
        select(Tag.group_name, Tag.name, day.c.n).join(day, day.c.tag_id == Tag.id)
        .order_by(day.c.n.desc(), Tag.group_name, Tag.name))).all()
    ranked = tuple((f"{name}" if not group else f"{group}/{name}", int(c)) for group, name, c in rows)
    return {TAGS_APPLIED.key: sum(c for _, c in ranked), TOP_TAGS.key: Breakdown(ranked[:10])}


TAGS = Provider("tags", (TAGS_APPLIED, TOP_TAGS), compute=tags, order=60)


STAGE_TRANSITIONS = Metric("conversion.stage_transitions", "阶段变化", "conversion", priority=3, better=0,
                           note="客户进入新阶段的次数（规则、渠道、标签）")


BY_STAGE = Metric("conversion.stages_entered", "进入阶段", "conversion", kind="breakdown", priority=5,
                  vocabulary="stage", note="当天进入各阶段的次数，按阶段分")


async def stages(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    ranked = await counts_by(session, StageEntry.stage, window.covers(StageEntry.entered_at))
    return {STAGE_TRANSITIONS.key: sum(c for _, c in ranked), BY_STAGE.key: Breakdown(ranked)}


STAGES = Provider("stages", (STAGE_TRANSITIONS, BY_STAGE), compute=stages, order=70)
