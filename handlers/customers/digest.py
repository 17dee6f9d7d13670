"""Growth and retention from the contact events Wanzi stored.

New friends are the `add_external_contact` callbacks kept in `inbound_event` (deduped, so a
callback WeCom resent counts once; a customer who adds again after leaving counts again, as
WeCom's own statistics do). Half-adds (`add_half_external_contact`) are not friends yet. Lost
friends are the `friend_lost` audit rows written by handlers/contacts.py, which already leaves
out staff-to-staff transfers.
"""

from __future__ import annotations

from typing import Mapping

from sqlalchemy import ColumnElement, case, exists, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Breakdown, Metric, Provider, Value, Window, ratio
from storage.models import AuditLog, Customer, GroupMembership, InboundEvent, Message

NEW_FRIENDS = Metric("growth.new_friends", "新增好友", "growth", priority=1,
                     note="客户添加员工为好友的次数（删了再加计两次；没加成的半添加不计）")
BY_CHANNEL = Metric("growth.new_by_channel", "新增来源（渠道）", "growth", kind="breakdown", priority=3,
                    note="新增好友按「联系我」二维码的渠道参数 state 分，配置了名称的渠道显示名称（后为人数）",
                    vocabulary="channel")
LOST = Metric("growth.lost_friends", "流失好友", "growth", priority=1, better=-1,
              note="客户删除了最后一位加TA的员工（或被其删除）；仍是其他员工好友的不算；在职继承转移不计")
NET = Metric("growth.net_growth", "净增好友", "growth", priority=1, note="新增 − 流失")
GROUP_JOINS = Metric("growth.group_joins", "入群人次", "growth", priority=4,
                     note="客户加入客户群的次数（同一人进多个群计多次）")
GROUP_LEAVES = Metric("growth.group_leaves", "退群人次", "growth", priority=4, better=-1,
                      note="客户退出或被移出客户群的次数")

KEPT_7D = Metric("retention.kept_7d", "7日好友留存率", "retention", kind="rate", priority=3,
                 note="7 天前新增的好友中，到当天结束仍是好友的比例")
ACTIVE_7D = Metric("retention.active_7d", "7日活跃留存率", "retention", kind="rate", priority=3,
                   note="7 天前新增的好友中，最近 7 天内发过消息的比例")
KEPT_30D = Metric("retention.kept_30d", "30日好友留存率", "retention", kind="rate", priority=4,
                  note="30 天前新增的好友中，到当天结束仍是好友的比例")

NO_CHANNEL = "（无渠道）"


def _friend_adds(window: Window) -> tuple[ColumnElement[bool], ...]:
    """Conditions selecting the day's add_external_contact callbacks (served by ix_inbound_event_kind_received)."""
    return (InboundEvent.kind == "friend_added", window.covers(InboundEvent.received_at),
            InboundEvent.payload["ChangeType"].as_string() == "add_external_contact")


async def growth(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    state = func.coalesce(InboundEvent.payload["State"].as_string(), "").label("state")
    # Group by the output column, not the expression: PostgreSQL would see two different binds.
    rows = (await session.execute(select(state, func.count()).where(*_friend_adds(window))
                                  .group_by(literal_column("state")))).all()
    by_channel: dict[str, int] = {}
    for name, n in rows:
        label = name or NO_CHANNEL
        by_channel[label] = by_channel.get(label, 0) + int(n)
    new = sum(by_channel.values())
    lost = int(await session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "friend_lost", window.covers(AuditLog.created_at))) or 0)
    joins = int(await session.scalar(select(func.count()).select_from(GroupMembership).where(
        window.covers(GroupMembership.joined_at))) or 0)
    leaves = int(await session.scalar(select(func.count()).select_from(GroupMembership).where(
        window.covers(GroupMembership.left_at))) or 0)
    ranked = tuple(sorted(by_channel.items(), key=lambda kv: (-kv[1], kv[0])))
    return {NEW_FRIENDS.key: new, BY_CHANNEL.key: Breakdown(ranked), LOST.key: lost, NET.key: new - lost,
            GROUP_JOINS.key: joins, GROUP_LEAVES.key: leaves}


async def _cohort(session: AsyncSession, window: Window, days_ago: int) -> tuple[int, int, int]:
    """(cohort size, still friends at the window's end, active in the window's last 7 days)."""
    added = window.shift(-days_ago)
    ext = InboundEvent.payload["ExternalUserID"].as_string()
    cohort = (select(Customer.id.label("cid"), func.max(InboundEvent.received_at).label("added_at"))
              .join(Customer, Customer.external_userid == ext)
              .where(*_friend_adds(added)).group_by(Customer.id).subquery())
    # A loss before the add belongs to an earlier friendship; the customer came back.
    kept = or_(Customer.lost_at.is_(None), Customer.lost_at >= window.end, Customer.lost_at < cohort.c.added_at)
    active = exists().where(Message.customer_id == cohort.c.cid, Message.direction == "in",
                            Message.staff_userid == "", Message.created_at >= window.shift(-6).start,
                            Message.created_at < window.end)
    row = (await session.execute(
        select(func.count(), func.sum(case((kept, 1), else_=0)), func.sum(case((active, 1), else_=0)))
        .select_from(cohort.join(Customer, Customer.id == cohort.c.cid)))).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0)


async def retention(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    size7, kept7, active7 = await _cohort(session, window, 7)
    size30, kept30, _ = await _cohort(session, window, 30)
    return {KEPT_7D.key: ratio(kept7, size7), ACTIVE_7D.key: ratio(active7, size7),
            KEPT_30D.key: ratio(kept30, size30)}


GROWTH = Provider("growth", (NEW_FRIENDS, BY_CHANNEL, LOST, NET, GROUP_JOINS, GROUP_LEAVES), compute=growth, order=10)
RETENTION = Provider("retention", (KEPT_7D, ACTIVE_7D, KEPT_30D), compute=retention, order=50)

__all__ = ["GROWTH", "RETENTION"]
