"""Erasing customers (PIPL art. 47): nothing in the database identifies them or holds their words
afterwards, and a replayed callback of theirs changes nothing.

What happens to each table (a test keeps this list complete: every table is named here):
- their own rows are deleted: the customer, tags, tag mirror steps, rule hits, stage entries,
  suppressed pushes, unanswered questions, tickets (with their context snapshots), check-ins,
  participations, reminders, rewards, the points ledger, redemptions, member facts (birthday), suggestions,
  referral participations with the invites they made, their own invite, group memberships;
- rows that past digests count stay, anonymised: messages lose text, message id and customer;
  outbox rows lose payload, answer and customer (pending ones are cancelled); their orders lose
  customer, external_userid, unionid hash and birthday (so they are never matched again); their callbacks and
  kf entries lose the payload (a friend-added callback keeps ChangeType and State, which the
  growth numbers read), pending ones are closed unprocessed. Dedupe keys are hashes already
  (storage.queues.dedupe_hash), so a replay is still a duplicate;
- every other row that mentions them is rewritten (handlers/privacy/scrub.py): shared mass
  messages and group member lists drop them, staff notices, staff command lines, the audit log,
  pending staff choices and console flashes lose their names and questions; audit targets that
  were their external_userid become "customer:<internal id>".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import String

from handlers.privacy.scrub import (
    NOTICE_GONE,
    PLACEHOLDER,
    Needles,
    cleared_payload,
    is_them,
    mentions,
    owns_event,
    scrub_json,
    scrub_notice,
    scrub_text,
)
from storage.models import (
    AuditLog,
    Base,
    Customer,
    InboundEvent,
    InboundStatus,
    Message,
    OutboxItem,
    OutboxStatus,
    Redemption,
    StaffPending,
    Ticket,
    UnansweredQuestion,
)
from storage.repos.llm import LlmReplyRepo
from storage.repos.privacy import Found, PrivacyRepo

# How each table is treated; "scan" = only rows mentioning them are rewritten.
PLAN: dict[str, str] = {
    "customer": "delete",
    "customer_tag": "delete", "tag_sync": "delete", "rule_hit": "delete", "stage_entry": "delete",
    "suppressed_push": "delete", "unanswered_question": "delete", "ticket": "delete",
    "checkin_participant": "delete", "checkin": "delete", "checkin_reminder": "delete",
    "community_reward": "delete", "points_entry": "delete", "referral_participant": "delete",
    "referral_invite": "delete", "group_membership": "delete", "customer_note": "delete",
    "suggestion": "delete", "faq_offer": "delete", "friendship": "delete",
    "message": "anonymise", "outbox_item": "anonymise", "inbound_event": "anonymise", "llm_reply": "anonymise",
    "audit_log": "scan", "staff_pending": "scan", "console_session": "scan", "login_state": "scan",
    "staff": "scan", "tag": "scan", "customer_group": "scan", "kf_cursor": "scan", "login_failure": "scan",
    "job_run": "scan", "access_token": "scan", "interest_group": "scan", "interest_chat": "scan",
    "topic_schedule": "scan", "topic": "scan", "topic_post": "scan", "checkin_campaign": "scan",
    "referral_campaign": "scan", "worker_instance": "scan",
    "knowledge_entry": "scan", "knowledge_revision": "scan", "question_notice": "scan",
    "redemption": "delete", "member_facts": "delete", "shop_order": "anonymise", "reward": "scan",
    "knowledge_vector": "scan",  # hashes and vectors of knowledge-base texts only: never a customer's words
}
# Where staff write about customers (names and questions are looked for here; the external_userid
# everywhere). Other customers' chats, tickets and check-ins are theirs: a name is not rewritten there.
STAFF_SIDE = {"audit_log", "staff_pending", "console_session", "login_state", "message", "outbox_item",
              "inbound_event"}
STAFF_NOTICES = ("message/send", "webhook/send")


@dataclass(slots=True)
class Erasure:
    """What an erasure did, per table (rows deleted, anonymised or rewritten); no identifiers."""

    customer_ids: list[int]
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        if n:
            self.rows[table] = self.rows.get(table, 0) + n

    @property
    def total(self) -> int:
        return sum(self.rows.values())


async def erase_customers(session: AsyncSession, customers: Sequence[Customer], *, now: datetime) -> Erasure:
    """Erase these customers in the caller's transaction (a command's savepoint, a console action,
    the retention job). The caller writes the audit row."""
    repo = PrivacyRepo(session)
    ids = [c.id for c in customers]
    erasure = Erasure(ids)
    if not ids:
        return erasure
    who = [(c.id, c.external_userid, c.name.strip(), c.remark.strip()) for c in customers]
    needles = Needles.of(who, await _questions(session, ids), await _written(session, ids),
                         await repo.names_in_use([n for _, _, name, remark in who for n in (name, remark) if n],
                                                 besides=ids))
    for name, n in (await repo.delete_owned(ids, sorted(needles.external_userids))).items():
        erasure.add(name, n)
    erasure.add("message", await repo.anonymise_messages(ids))
    erasure.add("shop_order", await repo.anonymise_orders(customers))
    erasure.add("outbox_item", await repo.clear_outbox(ids, now=now))
    erasure.add("llm_reply", await LlmReplyRepo(session).anonymise(ids))  # tokens stay: budget and digest
    for table in Base.metadata.sorted_tables:
        if table.name != Customer.__tablename__:
            erasure.add(table.name, await _sweep(repo, table, needles, now))
    erasure.add("customer", await repo.delete_customers(ids))
    return erasure


async def _questions(session: AsyncSession, ids: list[int]) -> list[str]:
    """Their words that staff texts quote without naming them (the digest's top questions, reward addresses)."""
    asked = await session.scalars(select(UnansweredQuestion.text).where(UnansweredQuestion.customer_id.in_(ids)))
    ticketed = await session.scalars(select(Ticket.question).where(Ticket.customer_id.in_(ids)))
    # the addresses they gave for rewards, which /redeem list and the notices to whoever ships them quote
    addresses = await session.scalars(select(Redemption.ship_address).where(Redemption.customer_id.in_(ids)))
    return [t for t in (*asked.all(), *ticketed.all(), *addresses.all()) if t]


async def _written(session: AsyncSession, ids: list[int]) -> list[str]:
    """Everything they wrote (its phone and order numbers can stand alone among the digest's keywords)."""
    rows = await session.scalars(select(Message.text).where(Message.customer_id.in_(ids), Message.direction == "in",
                                                            Message.staff_userid == ""))
    return [t for t in rows.all() if t]


def _scope(table: Table) -> ColumnElement[bool] | None:
    """The rows of a table worth reading: staff-side messages and outbox rows (their own were handled)."""
    if table.name == Message.__tablename__:
        return Message.customer_id.is_(None)
    if table.name == OutboxItem.__tablename__:
        return OutboxItem.customer_id.is_(None)
    return None


async def _sweep(repo: PrivacyRepo, table: Table, needles: Needles, now: datetime) -> int:
    scope = _scope(table)
    found = {tuple(f.key.items()): f for f in await repo.mentioning(table, sorted(needles.external_userids),
                                                                    scope=scope)}
    if table.name in STAFF_SIDE and (needles.names or needles.texts):
        narrow = scope
        if table.name == InboundEvent.__tablename__:
            narrow = InboundEvent.source == "xml"  # kf entries are customers' chats: only by id
        words = [*needles.names, *needles.texts]
        for f in await repo.mentioning(table, words, scope=narrow):
            found.setdefault(tuple(f.key.items()), f)
    n = 0
    for row in found.values():
        changes = _rewrite(row, needles, now)
        changes = {k: v for k, v in changes.items() if k not in row.values or v != row.values[k]}
        if changes:
            await repo.rewrite(row, _fit(row.table, changes))
            n += 1
    return n


def _rewrite(row: Found, needles: Needles, now: datetime) -> dict[str, Any]:
    name, values = row.table.name, row.values
    if name == InboundEvent.__tablename__:
        return _event(values, needles, now)
    if name == OutboxItem.__tablename__:
        return _outbox(values, needles)
    if name == Message.__tablename__:
        text = str(values.get("text") or "")
        return {"text": NOTICE_GONE if mentions(text, needles.identifiers) else scrub_text(text, needles.texts)}
    words = needles.everything if name in STAFF_SIDE else tuple(sorted(needles.external_userids))
    changes = scrub_values(values, needles, words)
    if name == AuditLog.__tablename__:
        for column in ("target", "actor"):
            if values.get(column) in needles.placeholders:
                changes[column] = needles.placeholders[values[column]]
    if name == StaffPending.__tablename__ and values.get("status") == "pending":
        changes["status"] = "cancelled"  # a stale choice or confirmation about them must not run
    return changes


def scrub_values(values: dict[str, Any], needles: Needles, words: tuple[str, ...]) -> dict[str, Any]:
    """Each text or JSON column of a row with the words replaced (lists lose entries that are the customers)."""
    out: dict[str, Any] = {}
    for column, value in values.items():
        if isinstance(value, str):
            out[column] = scrub_text(value, words)
        elif isinstance(value, (dict, list)):
            out[column] = scrub_json(value, needles, words)
    return out


def _event(values: dict[str, Any], needles: Needles, now: datetime) -> dict[str, Any]:
    payload = values.get("payload")
    if owns_event(payload, needles.external_userids):
        changes: dict[str, Any] = {"payload": cleared_payload(str(values.get("source")), payload),
                                   "cleared_at": now, "error": ""}
        if values.get("status") == InboundStatus.PENDING:  # must not run: it would recreate them
            changes.update(status=InboundStatus.DONE, processed_at=now, lease_until=None, error="customer erased")
        return changes
    words = needles.everything if values.get("source") == "xml" else tuple(sorted(needles.external_userids))
    if isinstance(payload, dict) and values.get("kind") == "app_message" \
            and mentions(payload.get("Content", ""), needles.identifiers):
        payload = {**payload, "Content": PLACEHOLDER}  # a staff command line naming them
    return {"payload": scrub_json(payload, needles, words), "error": scrub_text(str(values.get("error") or ""), words)}


def _outbox(values: dict[str, Any], needles: Needles) -> dict[str, Any]:
    payload = values.get("payload") or {}
    changes: dict[str, Any] = {"result": scrub_json(values.get("result"), needles, needles.everything),
                               "last_error": scrub_text(str(values.get("last_error") or ""), needles.everything)}
    if not isinstance(payload, dict):
        return changes
    if any(is_them(payload.get(key), needles) for key in ("touser", "external_userid")):
        gone = True  # addressed to them alone
    else:
        recipients = payload.get("external_userid")
        left = [r for r in recipients if r not in needles.external_userids] if isinstance(recipients, list) else None
        gone = left == []  # a mass message to them alone
    if gone:
        changes.update(payload={}, result=None)
        if values.get("status") in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            changes.update(status=OutboxStatus.CANCELLED, last_error="customer erased")
        return changes
    if values.get("api") in STAFF_NOTICES:
        payload = scrub_notice(payload, needles)
    changes["payload"] = scrub_json(payload, needles, needles.everything)
    return changes


def _fit(table: Table, changes: dict[str, Any]) -> dict[str, Any]:
    """A rewritten text still fits its column (a placeholder can be longer than a short name)."""
    out = {}
    for column, value in changes.items():
        length = getattr(table.c[column].type, "length", None) if isinstance(table.c[column].type, String) else None
        out[column] = value[:length] if isinstance(value, str) and length else value
    return out


__all__ = ["PLAN", "Erasure", "erase_customers", "scrub_values", "PLACEHOLDER"]
