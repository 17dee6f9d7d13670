"""Typed SQLAlchemy 2.0 models. Every schema change is an Alembic revision in storage/migrations."""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}



class InboundStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed, with a lease: a crash leaves it to be claimed again
    SENT = "sent"
    DEAD = "dead"  # failed for good (a permanent errcode, or out of attempts)
    EXPIRED = "expired"  # a deadline-bound code (welcome_code) ran out first
    CANCELLED = "cancelled"  # a push the gate held back at delivery


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    LOST = "lost"  # deleted every staff member, or was deleted


class TicketStatus(StrEnum):
    QUEUED = "queued"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"


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

    def bind_processor(self, dialect: Dialect) -> Any:
        """On SQLite one function instead of `process_bind_param` followed by SQLite's DATETIME
        processor (a `%` format of seven fields): the same text, "YYYY-MM-DD HH:MM:SS.ffffff", in
        about half the time; a datetime is bound ~17 times per event in the inbox (bench/README.md, perf19)."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        utc = timezone.utc

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is not utc:
                if value.tzinfo is None:
                    raise ValueError("naive datetime given to a UTC column")
                value = value.astimezone(utc)
            # the aware value's text less its "+00:00": the same 26 characters as the naive one's
            # ("0001-01-01 00:00:00.000000" on), without making that naive copy first
            return value.isoformat(" ", "microseconds")[:26]

        return process


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
    level: Mapped[str] = mapped_column(String(32), default="")  # member level (e.g. gold); "" = none
    # when Wanzi should (re)read the name and remark from WeCom; None = nothing to read
    profile_due_at: Mapped[datetime | None] = mapped_column(index=True)
    # SHA-256 of the WeChat unionid (externalcontact/get, kf/customer/batchget), only to match orders
    # a shop sends by unionid; the unionid itself is not kept (PIPL)
    unionid_hash: Mapped[str | None] = mapped_column(String(64), index=True)


class Friendship(Base):
    """One member's friendship with a customer (change_external_contact): a customer may be the
    friend of several members, and is lost only when the last of them goes (handlers/customers)."""

    __tablename__ = "friendship"
    __table_args__ = (UniqueConstraint("customer_id", "userid"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    userid: Mapped[str] = mapped_column(String(64))  # the member
    added_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # None while they are friends


class CustomerNote(Base):
    """A short note a staff member keeps on a customer (from the chat sidebar); newest shown first."""

    __tablename__ = "customer_note"
    __table_args__ = (Index("ix_customer_note_customer_created", "customer_id", "created_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    staff_userid: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]


class Staff(Base):
    """An internal member who may talk to the app; role gates staff commands."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    userid: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16), default="operator")  # admin | operator | advisor
    on_duty: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)  # false: removed from [staff]; no commands, no console
    password_hash: Mapped[str] = mapped_column(String(256), default="")  # scrypt; only with console.password_login
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
    __table_args__ = (Index("ix_inbound_event_status_due", "status", "due_at"),
                      Index("ix_inbound_event_status_deadline", "status", "deadline"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)  # sha256 hex of the event's key
    source: Mapped[str] = mapped_column(String(8))  # xml | kf
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime]
    due_at: Mapped[datetime]
    # Set for events that carry a 20-second code (welcome_code) and for kf notices (the way to the kf
    # entries that carry one): they are claimed before every other event, earliest first.
    deadline: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(32))  # worker_instance.id of the lease holder
    processed_at: Mapped[datetime | None]
    # When the payload was cleared (retention or a customer's erasure): the row and its hashed dedupe
    # key stay, so a replay is still a duplicate; the raw callback or kf entry is gone.
    cleared_at: Mapped[datetime | None]


class OutboxItem(Base):
    """One outbound WeCom call, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_item"
    __table_args__ = (Index("ix_outbox_item_status_due", "status", "due_at"),
                      Index("ix_outbox_item_status_deadline", "status", "deadline"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    api: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    kind: Mapped[str] = mapped_column(String(16), default="reply")  # reply | welcome | push | notice | sync
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|sending|sent|dead|expired|cancelled
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime]
    deadline: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(32))  # worker_instance.id of the lease holder
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
    lease_owner: Mapped[str | None] = mapped_column(String(32))  # worker_instance.id of the pulling process
    pending_token: Mapped[str] = mapped_column(String(160), default="")
    updated_at: Mapped[datetime]


class WorkerInstance(Base):
    """One start of a Wanzi process: the holder named in lease_owner columns, alive while it heartbeats.

    A process that starts under the name of an earlier one (same host and port, or the same
    worker.instance_name) marks it stopped: that predecessor is dead, so its rows are taken at once.
    """

    __tablename__ = "worker_instance"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    stopped_at: Mapped[datetime | None]


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))  # staff userid | system | customer:<id>
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(index=True)


class ConsoleSession(Base):
    """A signed-in staff member's console session, kept server-side: the cookie holds a random token
    whose SHA-256 is stored here, so logout and expiry really end it and a leaked database row
    cannot be replayed as a cookie."""

    __tablename__ = "console_session"
    __table_args__ = (Index("ix_console_session_staff", "staff_userid"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_userid: Mapped[str] = mapped_column(String(64))
    csrf: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(16))  # wecom_oauth | wecom_web | password
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(128), default="")
    flash: Mapped[str] = mapped_column(String(512), default="")  # set by the server's own actions, shown once
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]  # absolute end
    revoked_at: Mapped[datetime | None]


class LoginState(Base):
    """A sign-in in progress: the OAuth `state` (hashed) bound to the browser that started it."""

    __tablename__ = "login_state"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    next_path: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[datetime] = mapped_column(index=True)


class LoginFailure(Base):
    """A failed console sign-in, counted per account and per address across replicas; pruned."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_account", "account", "created_at"),
                      Index("ix_login_failure_address", "address", "created_at"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


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


# --- persona, tagging, pushes -----------------------------------------------------


class TagSync(Base):
    """One step of mirroring tags to WeCom: mark/unmark a customer's tag, or read WeCom back.

    Handlers write these in their transaction; bot/tagsync.py creates missing corp tags, turns
    add/remove steps into mark_tag outbox rows and applies what staff changed in WeCom.
    """

    __tablename__ = "tag_sync"
    __table_args__ = (Index("ix_tag_sync_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    op: Mapped[str] = mapped_column(String(16))  # add | remove | pull_contact | pull_library
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tag.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | done | skipped | failed
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class RuleHit(Base):
    """A customer message that hit a tagging rule; counted for "N mentions within D days"."""

    __tablename__ = "rule_hit"
    __table_args__ = (Index("ix_rule_hit_customer_rule_at", "customer_id", "rule", "created_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class StageEntry(Base):
    """A customer entered a lifecycle stage; unique, so the stage's content is pushed once."""

    __tablename__ = "stage_entry"
    __table_args__ = (UniqueConstraint("customer_id", "stage"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(64))  # rule:<name> | channel:<state> | tags
    # waiting | queued | deferred | suppressed[:reason] | welcome | none
    push: Mapped[str] = mapped_column(String(32), default="none")
    entered_at: Mapped[datetime]
    # push "waiting": not before this time, and only once the chat has been quiet (handlers/tagging/pushes.py)
    push_due_at: Mapped[datetime | None] = mapped_column(index=True)
    open_kfid: Mapped[str] = mapped_column(String(64), default="")  # the kf account the customer wrote to


class SuppressedPush(Base):
    """A push that was not sent (cap, opt-out, switch, window); digests count these."""

    __tablename__ = "suppressed_push"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    template_key: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(index=True)


class UnansweredQuestion(Base):
    """A customer question the persona could not answer; for the digest and, later, escalation."""

    __tablename__ = "unanswered_question"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    best_faq: Mapped[str] = mapped_column(String(64), default="")  # closest entry, if any
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | handed | answered
    created_at: Mapped[datetime] = mapped_column(index=True)
    # Revision 0016 (handlers/questions): where it was asked, what came before, and the answer staff gave.
    open_kfid: Mapped[str] = mapped_column(String(64), default="")
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # name, last messages
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(index=True)
    answered_by: Mapped[str] = mapped_column(String(64), default="")
    delivery: Mapped[str] = mapped_column(String(16), default="")  # kf | friend: how the answer went out
    answer_outbox_id: Mapped[int | None] = mapped_column(BigInteger)
    knowledge_entry_id: Mapped[int | None] = mapped_column(BigInteger)  # the FAQ entry made from the answer


class KnowledgeEntry(Base):
    """A knowledge-base entry added at run time (console, `/answer ... +faq`); joins the persona's and
    the FAQ file's entries in every replica once it sees the higher KnowledgeRevision."""

    __tablename__ = "knowledge_entry"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    questions: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[str] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | disabled
    source: Mapped[str] = mapped_column(String(16), default="console")  # console | answer
    question_id: Mapped[int | None] = mapped_column(BigInteger)  # the unanswered question it answers
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class KnowledgeRevision(Base):
    """One row: bumped by every change of the knowledge base (an entry added or disabled, `wanzi faq
    reload`); a replica whose index is older rebuilds it."""

    __tablename__ = "knowledge_revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, default=0)
    changed_at: Mapped[datetime | None]


class KnowledgeVector(Base):
    """The sentence vector of one knowledge-base text (a phrasing, an answer passage, a built-in
    reference line), kept so a start or a rebuild embeds only texts never embedded before. Keyed by
    the model's identity (a new model or version embeds again), the kind (query or passage) and
    the text's SHA-256; the text itself is not stored. Never a customer's question."""

    __tablename__ = "knowledge_vector"
    model: Mapped[str] = mapped_column(String(128), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # query | passage | example (persona/examples.py)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the UTF-8 text
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, native (little-endian) order
    # the last build (any replica's, any feature's) that used it, to the day: a row nobody used for
    # a week is deleted (handlers/replies/vectors.py)
    used_at: Mapped[datetime]


class QuestionNotice(Base):
    """When a member was last told about open questions, and the newest one they were told about:
    at most one such app message per member per questions.notify_every_minutes."""

    __tablename__ = "question_notice"
    staff_userid: Mapped[str] = mapped_column(String(64), primary_key=True)
    sent_at: Mapped[datetime]
    last_question_id: Mapped[int] = mapped_column(BigInteger, default=0)


class LlmReply(Base):
    """A customer message handed to the optional LLM (handlers/replies/llm): queued by the handler,
    answered by the worker outside any transaction, then kept as numbers only (outcome, tokens,
    latency) for the daily token budget every replica shares, and for the digest."""

    __tablename__ = "llm_reply"
    __table_args__ = (Index("ix_llm_reply_status_deadline", "status", "deadline"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    open_kfid: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(Text, default="")  # the customer's message; cleared once answered
    fallback: Mapped[str] = mapped_column(String(16))  # what the embedded path says instead: question | chat
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | done
    deadline: Mapped[datetime]  # the customer has waited long enough: the embedded path answers
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(24), default="")  # answered | held | <fallback reason>
    prompt_tokens: Mapped[int] = mapped_column(default=0)
    completion_tokens: Mapped[int] = mapped_column(default=0)
    latency_ms: Mapped[int | None]  # of the model call; None when none was made
    created_at: Mapped[datetime] = mapped_column(index=True)
    done_at: Mapped[datetime | None]


class AccessToken(Base):
    """The shared access_token of one secret, so replicas refresh once and never race each other."""

    __tablename__ = "access_token"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(corp_id:secret), never the secret
    token: Mapped[str] = mapped_column(String(1024), default="")
    expires_at: Mapped[datetime | None]
    refresh_lease_until: Mapped[datetime | None]
    updated_at: Mapped[datetime]
# --- escalation to human advisors, staff commands -------------------------------------


class Ticket(Base):
    """A customer's question handed to a human advisor: who asked what, with which context, and
    where it stands. Every state change is also written to audit_log (target "ticket:<id>")."""

    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_status_due", "status", "due_at"),
        Index("ix_ticket_customer_status", "customer_id", "status"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))  # kf | contact
    open_kfid: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(String(64))  # vip_question | sensitive:<topic> | asked_for_human | ...
    question: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[dict[str, Any]] = mapped_column(default=dict)  # name, level, tags, last messages
    level: Mapped[str] = mapped_column(String(32), default="")  # VIP level the SLA was chosen by
    status: Mapped[str] = mapped_column(String(12))  # queued | assigned | resolved
    advisor_userid: Mapped[str] = mapped_column(String(64), default="")
    kf_servicer: Mapped[str] = mapped_column(String(64), default="")  # who holds the kf session; "" = the bot
    kf_outbox_id: Mapped[int | None] = mapped_column(BigInteger)  # last service_state/trans row, watched
    sla_stage: Mapped[int] = mapped_column(default=0)  # 0 running, 1 advisor reminded, 2 re-routed to a lead
    due_at: Mapped[datetime | None]  # first response due
    created_at: Mapped[datetime]
    assigned_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class StaffPending(Base):
    """Something a staff member must still answer: a broadcast awaiting /confirm, or a numbered
    choice between customers with the same name. Expires so a stale "1" or /confirm does nothing."""

    __tablename__ = "staff_pending"
    __table_args__ = (Index("ix_staff_pending_userid_status", "staff_userid", "status"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    staff_userid: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # broadcast | choice
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | sending | done | cancelled
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
# --- community operations: interest groups and topics, check-in campaigns, points,
# referral campaigns. Campaign days are local calendar dates (Date); instants stay UTC.


class InterestGroup(Base):
    """An interest community: one or more WeCom customer groups sharing an interest tag."""

    __tablename__ = "interest_group"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    tag: Mapped[str] = mapped_column(String(64), default="")  # interest tag name
    chat_name_contains: Mapped[str] = mapped_column(String(64), default="")  # auto-link chats by name
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | paused
    source: Mapped[str] = mapped_column(String(64), default="")  # config | staff:<userid>
    created_at: Mapped[datetime]


class InterestChat(Base):
    """A customer group (chat_id) belonging to an interest group."""

    __tablename__ = "interest_chat"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    interest_group_id: Mapped[int] = mapped_column(ForeignKey("interest_group.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[str] = mapped_column(String(64), unique=True)
    linked_by: Mapped[str] = mapped_column(String(64), default="")  # config | name | staff:<userid>
    created_at: Mapped[datetime]


class TopicSchedule(Base):
    """A slot in a group's topic calendar (5-field cron, community time zone); one job each."""

    __tablename__ = "topic_schedule"
    __table_args__ = (UniqueConstraint("interest_group_id", "cron"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    interest_group_id: Mapped[int] = mapped_column(ForeignKey("interest_group.id", ondelete="CASCADE"))
    cron: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | paused
    source: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]


class Topic(Base):
    """One topic in a group's rotation; product topics are capped per N posts."""

    __tablename__ = "topic"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    interest_group_id: Mapped[int] = mapped_column(ForeignKey("interest_group.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    link_url: Mapped[str] = mapped_column(String(512), default="")
    link_title: Mapped[str] = mapped_column(String(128), default="")
    image_url: Mapped[str] = mapped_column(String(512), default="")
    is_product: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | paused
    source: Mapped[str] = mapped_column(String(64), default="")
    post_count: Mapped[int] = mapped_column(default=0)
    last_posted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class TopicPost(Base):
    """One fire time of a schedule for one sender (group owner): the add_msg_template task."""

    __tablename__ = "topic_post"
    __table_args__ = (UniqueConstraint("schedule_id", "fire_time", "sender"),
                      Index("ix_topic_post_group_fire", "interest_group_id", "fire_time"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("topic_schedule.id", ondelete="CASCADE"))
    interest_group_id: Mapped[int] = mapped_column(ForeignKey("interest_group.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    is_product: Mapped[bool] = mapped_column(default=False)
    fire_time: Mapped[datetime]
    sender: Mapped[str] = mapped_column(String(64))
    chat_ids: Mapped[list[str]] = mapped_column(JSON)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_item.id", ondelete="SET NULL"), index=True)
    msgid: Mapped[str] = mapped_column(String(64), default="", index=True)
    sent: Mapped[int] = mapped_column(default=0)
    pending: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    checked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class CheckinCampaign(Base):
    """A check-in camp (打卡): dates, daily window, make-up rules, milestones with rewards."""

    __tablename__ = "checkin_campaign"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    tag: Mapped[str] = mapped_column(String(64), default="")  # only customers with this tag (or in the group)
    interest_group_id: Mapped[int | None] = mapped_column(ForeignKey("interest_group.id", ondelete="SET NULL"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    daily_window: Mapped[str] = mapped_column(String(11))  # HH:MM-HH:MM, community time zone
    remind_at: Mapped[str] = mapped_column(String(5))  # HH:MM
    makeup_limit: Mapped[int] = mapped_column(default=0)
    points_per_checkin: Mapped[int] = mapped_column(default=0)
    milestones: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{day, points, badge, coupon}]
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | ended
    source: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class CheckinParticipant(Base):
    __tablename__ = "checkin_participant"
    __table_args__ = (UniqueConstraint("campaign_id", "customer_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("checkin_campaign.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    open_kfid: Mapped[str] = mapped_column(String(64), default="")  # where acks and reminders go
    makeups_used: Mapped[int] = mapped_column(default=0)
    joined_at: Mapped[datetime]


class Checkin(Base):
    """One counted campaign day of one customer; the unique key makes double counting impossible."""

    __tablename__ = "checkin"
    __table_args__ = (UniqueConstraint("campaign_id", "customer_id", "day"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("checkin_campaign.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    day_index: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))  # on_time | makeup
    content: Mapped[str] = mapped_column(Text, default="")
    has_photo: Mapped[bool] = mapped_column(default=False)
    msgid: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]


class CheckinReminder(Base):
    """At most one reminder per participant per campaign day."""

    __tablename__ = "checkin_reminder"
    __table_args__ = (UniqueConstraint("campaign_id", "customer_id", "day"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("checkin_campaign.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_item.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class CommunityReward(Base):
    """A milestone or referral tier granted once: the key (e.g. checkin:3:42:day7) is unique."""

    __tablename__ = "community_reward"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # milestone | tier
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class PointsEntry(Base):
    """The append-only points ledger; a balance is the sum. `ref` makes automatic awards idempotent."""

    __tablename__ = "points_entry"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    delta: Mapped[int]
    reason: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(64))  # checkin | milestone | referral | staff:<userid>
    ref: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]


class ReferralCampaign(Base):
    """Fission: participants get a personal contact way; tiers reward N distinct new friends."""

    __tablename__ = "referral_campaign"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    staff_userid: Mapped[str] = mapped_column(String(64))  # the member new friends add
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{invites, gift, points}]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | ended
    source: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class ReferralParticipant(Base):
    """An inviter and their 「联系我」 config; `state` (≤30 chars) identifies them in add events."""

    __tablename__ = "referral_participant"
    __table_args__ = (UniqueConstraint("campaign_id", "customer_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("referral_campaign.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    state: Mapped[str | None] = mapped_column(String(30), unique=True)
    open_kfid: Mapped[str] = mapped_column(String(64), default="")
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_item.id", ondelete="SET NULL"), index=True)
    config_id: Mapped[str | None] = mapped_column(String(64))
    qr_code: Mapped[str] = mapped_column(String(512), default="")
    way_status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | ready | failed
    joined_at: Mapped[datetime]


class ReferralInvite(Base):
    """A new friend who came through a participant's contact way; counted once per campaign."""

    __tablename__ = "referral_invite"
    __table_args__ = (UniqueConstraint("campaign_id", "invitee_customer_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("referral_campaign.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("referral_participant.id", ondelete="CASCADE"),
                                                index=True)
    invitee_customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    staff_userid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="counted")  # counted | left
    added_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


# --- members: orders, rewards, redemptions, member facts (revision 0017) ------------------


class ShopOrder(Base):
    """An order a shop reported (POST /api/orders or a CSV import), once per order_id.

    `customer_id` is None while the buyer is not (yet) a known customer: the order is parked with
    the identity it came with and attached when that customer appears (orders/matching.py)."""

    __tablename__ = "shop_order"
    # the digest's day and 90-day scans read only this covering index (value section, bench/digest.py);
    # a new customer's parked orders are sought by their external_userid (customer_id IS NULL), not scanned
    # among every parked order (bench/README.md, twenty-fourth slice)
    __table_args__ = (Index("ix_shop_order_customer_paid", "customer_id", "paid_at"),
                      Index("ix_shop_order_digest", "paid_at", "status", "customer_id", "amount_fen", "channel"),
                      Index("ix_shop_order_external_parked", "external_userid", "customer_id"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    external_userid: Mapped[str] = mapped_column(String(64), default="")  # as sent (parked orders match on it)
    unionid_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{name, qty}]
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12))  # paid | refunded
    paid_at: Mapped[datetime]
    refunded_at: Mapped[datetime | None] = mapped_column(index=True)
    points: Mapped[int] = mapped_column(default=0)  # what the order earned (reversed by a refund)
    birthday: Mapped[str] = mapped_column(String(5), default="")  # MM-DD when the shop sent it
    shipped_at: Mapped[datetime | None]  # the shop reported the parcel sent (the order again, with shipped_at)
    carrier: Mapped[str] = mapped_column(String(16), default="")
    tracking_no: Mapped[str] = mapped_column(String(40), default="")
    source: Mapped[str] = mapped_column(String(16))  # api | csv
    created_at: Mapped[datetime]
    matched_at: Mapped[datetime | None]


class Reward(Base):
    """A reward of the catalogue ([points] rewards, seeded); `stock` is what is left to give."""

    __tablename__ = "reward"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    cost: Mapped[int]
    stock: Mapped[int]
    stock_configured: Mapped[int]  # the config's stock when last seeded: a raised number restocks
    min_level: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(default=True)  # false: no longer in the config
    ships: Mapped[bool] = mapped_column(default=True)  # a parcel: the customer is asked where to send it
    created_at: Mapped[datetime]


class Redemption(Base):
    """A customer's "兑换": awaiting their confirmation (lapsed once past `expires_at`), then ordered
    (points and one from the stock taken), shipped by staff; or cancelled."""

    __tablename__ = "redemption"
    __table_args__ = (Index("ix_redemption_status_created", "status", "created_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("reward.id", ondelete="CASCADE"))
    cost: Mapped[int]
    status: Mapped[str] = mapped_column(String(12))  # awaiting | ordered | shipped | cancelled
    open_kfid: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]  # an unconfirmed request lapses then
    ordered_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    shipped_by: Mapped[str] = mapped_column(String(64), default="")
    # Where a shipped reward goes (handlers/points/shipping.py): "" (nothing to send, or redeemed before
    # addresses were asked) | asked (waiting for the customer) | proposed (read back, waiting for their yes)
    # | confirmed. The fields fill as the customer tells them, in one message or several.
    address_status: Mapped[str] = mapped_column(String(12), default="")
    ship_name: Mapped[str] = mapped_column(String(32), default="")  # the receiver
    ship_phone: Mapped[str] = mapped_column(String(20), default="")
    ship_address: Mapped[str] = mapped_column(String(200), default="")
    address_confirmed_at: Mapped[datetime | None]
    address_reminded_at: Mapped[datetime | None]  # the one reminder, once it was decided
    address_reminder: Mapped[str] = mapped_column(String(16), default="")  # queued | deferred | the gate's reason


class MemberFacts(Base):
    """What the membership rights need per customer: the birthday and what was already sent."""

    __tablename__ = "member_facts"
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    birthday: Mapped[str] = mapped_column(String(5), default="")  # MM-DD
    birthday_source: Mapped[str] = mapped_column(String(16), default="")  # order | customer
    birthday_asked_at: Mapped[datetime | None]
    birthday_year: Mapped[int] = mapped_column(default=0)  # the last year a greeting was queued
    gift_month: Mapped[str] = mapped_column(String(7), default="")  # YYYY-MM of the last gift reminder
    expiry_month: Mapped[str] = mapped_column(String(7), default="")  # YYYY-MM of the last expiry notice
    reviewed_year: Mapped[int] = mapped_column(default=0)  # the last yearly level review


# --- insights: suggestions customers give (revision 0019) ------------------------------


class Suggestion(Base):
    """A customer message that proposes a product or an improvement (handlers/insights/detector.py)."""

    __tablename__ = "suggestion"
    __table_args__ = (Index("ix_suggestion_customer_created", "customer_id", "created_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(500))
    msgid: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(index=True)



class FaqOffer(Base):
    """猜你想问: the knowledge-base entries the persona offered a customer who asked something it was
    not sure of (handlers/replies/clarify.py). The customer's next message picks one ("1", "第二个"),
    says none fits (the question goes to the staff queue) or moves on; kept for the digest."""

    __tablename__ = "faq_offer"
    __table_args__ = (Index("ix_faq_offer_customer_offered", "customer_id", "offered_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)  # the customer's words, queued as they are if none fits
    options: Mapped[list[str]] = mapped_column(JSON)  # entry ids, in the order offered
    open_kfid: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved | declined | dropped
    offered_at: Mapped[datetime] = mapped_column(index=True)
    settled_at: Mapped[datetime | None]


# --- daily digest: indexes its per-day aggregates range-scan --------------------------
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
# Revision 0008: the day windows over the tables of persona, community and escalation features.
Index("ix_stage_entry_entered_at", StageEntry.entered_at)
Index("ix_ticket_created_at", Ticket.created_at)
Index("ix_ticket_resolved_at", Ticket.resolved_at)
Index("ix_ticket_due_at", Ticket.due_at)
Index("ix_points_entry_created_at", PointsEntry.created_at)
Index("ix_referral_invite_added_at", ReferralInvite.added_at)
Index("ix_topic_post_created_at", TopicPost.created_at)
# Revision 0009: the push gate's per-customer counts (planned pushes, kf sends since the last message).
Index("ix_outbox_item_customer_kind_due", OutboxItem.customer_id, OutboxItem.kind, OutboxItem.due_at)
# Revision 0017: points issued, redeemed and outstanding per day without reading the ledger's rows.
Index("ix_points_entry_digest", PointsEntry.created_at, PointsEntry.delta, PointsEntry.source)
# Revision 0015: the retention job finds processed events whose payload is still there, oldest first.
Index("ix_inbound_event_cleared_received", InboundEvent.cleared_at, InboundEvent.received_at)
