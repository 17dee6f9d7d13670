"""Outreach and conversion signals from the outbox, tags and the audit log.

Pushes and welcomes count when WeCom accepted them (`outbox_item.sent_at`), not when they
were queued. Delivery failures are the day's rows that ended dead or expired (a welcome_code
past its 20 s, an errcode that retries cannot fix). Tags applied are the customer-tag links
created that day, by any source (rules, channel, staff, WeCom); a tag removed again before the
digest runs is no longer counted, because the link row is deleted with it.
"""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digest.metrics import Breakdown, Metric, Provider, Value, Window
from storage.models import AuditLog, CustomerTag, OutboxItem, Tag

PUSHES_SENT = Metric("outreach.pushes_sent", "推送送达", "outreach", priority=3, better=0,
                     note="企业微信已接收的营销推送（kind=push）")
WELCOMES_SENT = Metric("outreach.welcomes_sent", "欢迎语送达", "outreach", priority=4, note="欢迎语调用成功次数")
FAILURES = Metric("outreach.delivery_failures", "发送失败", "outreach", priority=2, better=-1,
                  note="当天排队、最终失败或过期的外发调用（见控制台“发件箱”）")
OPT_OUTS = Metric("outreach.opt_outs", "退订", "outreach", priority=3, better=-1, note="回复“退订/TD”的客户数")
TAGS_APPLIED = Metric("conversion.tags_applied", "新打标签", "conversion", priority=4, better=0,
                      note="当天新建的客户-标签关联（规则、渠道、员工、企业微信）")
TOP_TAGS = Metric("conversion.top_tags", "标签分布", "conversion", kind="breakdown", priority=5)


async def outreach(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    sent = dict((await session.execute(
        select(OutboxItem.kind, func.count()).where(OutboxItem.kind.in_(["push", "welcome"]),
                                                    window.covers(OutboxItem.sent_at))
        .group_by(OutboxItem.kind))).all())
    failures = await session.scalar(select(func.count()).select_from(OutboxItem).where(
        OutboxItem.status.in_(["dead", "expired"]), window.covers(OutboxItem.created_at)))
    opt_outs = await session.scalar(select(func.count(func.distinct(AuditLog.target))).where(
        AuditLog.action == "opt_out", window.covers(AuditLog.created_at)))
    return {PUSHES_SENT.key: int(sent.get("push", 0)), WELCOMES_SENT.key: int(sent.get("welcome", 0)),
            FAILURES.key: int(failures or 0), OPT_OUTS.key: int(opt_outs or 0)}


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


OUTREACH = Provider("outreach", (PUSHES_SENT, WELCOMES_SENT, FAILURES, OPT_OUTS), compute=outreach)
TAGS = Provider("tags", (TAGS_APPLIED, TOP_TAGS), compute=tags)
