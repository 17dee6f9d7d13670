"""Digest sections: outreach delivered, failures, opt-outs and pushes the gate held back."""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Breakdown, Metric, Provider, Value, Window, counts_by
from storage.models import AuditLog, OutboxItem, SuppressedPush

PUSHES_SENT = Metric("outreach.pushes_sent", "推送送达", "outreach", priority=3, better=0,
                     note="企业微信已接收的营销推送（群发、活动与提醒）")


WELCOMES_SENT = Metric("outreach.welcomes_sent", "欢迎语送达", "outreach", priority=4, note="欢迎语调用成功次数")


FAILURES = Metric("outreach.delivery_failures", "发送失败", "outreach", priority=2, better=-1,
                  note="当天排队、最终失败或过期的外发调用（见控制台“发件箱”）")


OPT_OUTS = Metric("outreach.opt_outs", "退订", "outreach", priority=3, better=-1, note="回复“退订/TD”的客户数")


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


OUTREACH = Provider("outreach", (PUSHES_SENT, WELCOMES_SENT, FAILURES, OPT_OUTS), compute=outreach, order=110)


SUPPRESSED = Metric("outreach.pushes_suppressed", "频控拦截推送", "outreach", priority=3, better=0,
                    note="被频控、免打扰时段或退订拦下的推送")


# The reasons handlers/antispam/gate.py stores, as a manager reads them.
REASON_WORDS = (("switched_off", "推送已关闭"), ("opted_out", "客户已退订"), ("lost", "已不是好友"),
                ("weekly_cap", "本周推送已达上限"), ("daily_cap", "当天推送已达上限"),
                ("kf_window", "超出微信客服 48 小时回复期"), ("kf_limit", "微信客服回复条数已用完"),
                ("no_route", "没有可用的发送途径"), ("contradicts", "内容与客户情况不符"),
                ("quiet_hours", "免打扰时段"))
SUPPRESSED_BY_REASON = Metric("outreach.suppressed_by_reason", "拦截原因", "outreach", kind="breakdown", priority=5,
                              note="被拦下的推送按原因分（后为条数）", words=REASON_WORDS)


async def suppressed(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    ranked = await counts_by(session, SuppressedPush.reason, window.covers(SuppressedPush.created_at))
    return {SUPPRESSED.key: sum(c for _, c in ranked), SUPPRESSED_BY_REASON.key: Breakdown(ranked)}


SUPPRESSED_PROVIDER = Provider("suppressed", (SUPPRESSED, SUPPRESSED_BY_REASON), compute=suppressed, order=120)
