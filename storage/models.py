"""Typed SQLAlchemy 2.0 models. Every schema change is an Alembic revision in storage/migrations."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (JSON, BigInteger, DateTime, ForeignKey, Index, Integer, MetaData, String, Text,
                        UniqueConstraint)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BigInteger primary keys autoincrement on SQLite only as INTEGER.
BigId = BigInteger().with_variant(Integer, "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend; SQLite stores naive UTC text, which sorts correctly."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


Stamp = UtcDateTime()


class Base(AsyncAttrs, DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: Stamp}


class Customer(Base):
    """A WeCom external contact or kf customer, keyed by external_userid. PII kept minimal."""

    __tablename__ = "customer"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    external_userid: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    remark: Mapped[str] = mapped_column(String(128), default="")
    channel: Mapped[str] = mapped_column(String(64), default="")  # contact-way State / kf scene
    owner_userid: Mapped[str] = mapped_column(String(64), default="")  # staff who added them
    advisor_userid: Mapped[str] = mapped_column(String(64), default="")
    stage: Mapped[str] = mapped_column(String(32), default="")
    is_vip: Mapped[bool] = mapped_column(default=False)
    opted_out: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | lost
    lost_at: Mapped[datetime | None]
    lost_by: Mapped[str] = mapped_column(String(64), default="")  # "customer" | staff userid
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    last_inbound_at: Mapped[datetime | None]


class Staff(Base):
    """An internal member who may talk to the app; role gates staff commands."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    userid: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16), default="operator")  # admin | operator | advisor
    on_duty: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class Tag(Base):
    """A local tag (the source of truth) and, once mirrored, its WeCom corp tag id."""

    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("group_name", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_name: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    corp_tag_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    corp_group_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class CustomerTag(Base):
    __tablename__ = "customer_tag"
    __table_args__ = (UniqueConstraint("customer_id", "tag_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(32))  # rule:<name> | channel | staff:<userid> | wecom
    created_at: Mapped[datetime]


class CustomerGroup(Base):
    """A WeCom customer group (chat_id wr...)."""

    __tablename__ = "customer_group"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    owner_userid: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | dismissed
    member_version: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]


class GroupMembership(Base):
    __tablename__ = "group_membership"
    __table_args__ = (UniqueConstraint("group_id", "member_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("customer_group.id", ondelete="CASCADE"))
    member_id: Mapped[str] = mapped_column(String(64), index=True)  # external_userid or staff userid
    join_scene: Mapped[int | None]
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


class Message(Base):
    """Every message in and out, for history and digests; text only, no media bytes."""

    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_created_at_direction", "created_at", "direction"),
        Index("ix_message_customer_created", "customer_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    channel: Mapped[str] = mapped_column(String(16))  # kf | contact | app | group | webhook
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    staff_userid: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(16), default="chat")  # chat | answer | welcome | push | notice
    text: Mapped[str] = mapped_column(Text, default="")
    template_key: Mapped[str] = mapped_column(String(64), default="")
    external_msgid: Mapped[str] = mapped_column(String(64), default="")
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_item.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]

    outbox_item: Mapped[OutboxItem | None] = relationship(lazy="raise")


class InboundEvent(Base):
    """A received callback or kf entry: persisted (deduped) before the ack, processed by a worker."""

    __tablename__ = "inbound_event"
    __table_args__ = (Index("ix_inbound_event_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    source: Mapped[str] = mapped_column(String(8))  # xml | kf
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime]
    due_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]


class OutboxItem(Base):
    """One outbound WeCom call, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_item"
    __table_args__ = (Index("ix_outbox_item_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    api: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    kind: Mapped[str] = mapped_column(String(16), default="reply")  # reply | welcome | push | notice | sync
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|sending|sent|dead|expired
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime]
    deadline: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    last_errcode: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class KfCursor(Base):
    """The persisted kf/sync_msg cursor per kf account, plus a lease so only one pull runs."""

    __tablename__ = "kf_cursor"
    open_kfid: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(128), default="")
    lease_until: Mapped[datetime | None]
    pending_token: Mapped[str] = mapped_column(String(160), default="")
    updated_at: Mapped[datetime]


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))  # staff userid | system | customer:<id>
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)


class JobRun(Base):
    """One fire time of a scheduled job; the unique key makes it run once across processes."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "fire_time"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job: Mapped[str] = mapped_column(String(128))
    fire_time: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12))  # running | done | failed | missed
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")


class AccessToken(Base):
    """The shared access_token of one secret, so replicas refresh once and never race each other."""

    __tablename__ = "access_token"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(corp_id:secret), never the secret
    token: Mapped[str] = mapped_column(String(1024), default="")
    expires_at: Mapped[datetime | None]
    refresh_lease_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]


# --- daily digest (issue 6): indexes its per-day aggregates range-scan --------------------------
# Declared here, after the tables, so the earlier classes stay untouched; revision 0007 creates them.

Index("ix_inbound_event_kind_received", InboundEvent.kind, InboundEvent.received_at)
# Covers the digest's one scan of a day's messages (direction, who, kind, answer template) with no
# table lookups: counting a million rows stays an index range scan.
Index("ix_message_digest", Message.created_at, Message.direction, Message.customer_id, Message.staff_userid,
      Message.kind, Message.template_key)
Index("ix_outbox_item_kind_sent", OutboxItem.kind, OutboxItem.sent_at)
Index("ix_outbox_item_status_created", OutboxItem.status, OutboxItem.created_at)
Index("ix_customer_tag_created_at", CustomerTag.created_at)
Index("ix_group_membership_joined_at", GroupMembership.joined_at)
Index("ix_group_membership_left_at", GroupMembership.left_at)
