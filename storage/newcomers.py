"""Customers created in the current transaction, and the rows this transaction gave them since.

A customer created in this transaction has no rows in any other table but those the same
transaction adds (no other transaction can see the customer, let alone refer to it). So for a
newcomer, "this customer's messages / tags / rule hits / open ticket" is answered from the
session alone, without a statement: the repositories ask `rows_of` first and query only when it
answers None. On the hot paths (a new friend's welcome, a new kf customer's first question) that
spares half a dozen lookups per event that could find nothing (bench/README.md).

The registry lives in `session.info` (storage/txinfo.py) and is conservative: any rollback (also
of a savepoint) forgets it, so the repositories query as before; a commit ends it (the customer is
then visible to everyone). Rows are seen through the session only: those added to it, pending or flushed (also
the ones a flush writes by Core, storage/newrows.py, which tells `_inserted`). A Core INSERT of its own into one
of these tables for a newcomer would not be seen, and none is made (the only other Core writes are batch intake,
outbox bookkeeping and erasure, which never touch a customer created in the same transaction).
"""

from __future__ import annotations

from typing import Any, Iterable, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.newrows import inserted
from storage.txinfo import NEWCOMERS as KEY
from storage.txinfo import PARKED, PENDING

T = TypeVar("T")


def created(session: AsyncSession, customer_id: int, *, parked: bool | None = None) -> None:
    """Record that `customer_id` was inserted in this session's transaction; `parked`: whether the insert
    found orders parked under their external_userid (None: not asked)."""
    session.info.setdefault(KEY, {})[customer_id] = []
    if parked is not None:
        session.info.setdefault(PARKED, {})[customer_id] = parked


def may_have_parked(session: AsyncSession, customer: Any) -> bool:
    """Whether parked orders may wait for this newcomer: False only when their insert (`created(parked=False)`)
    found none under their external_userid and they have no unionid hash, or when theirs were attached since
    (`parked_attached`) in this transaction. Forgotten with the newcomers (any rollback, the commit)."""
    told: dict[int, bool] | None = session.info.get(PARKED)
    return told is None or told.get(customer.id, True) or bool(customer.unionid_hash)


def parked_attached(session: AsyncSession, customer_id: int) -> None:
    """The newcomer's parked orders were read and attached: none is left for later events of this transaction."""
    session.info.setdefault(PARKED, {})[customer_id] = False


def is_newcomer(session: AsyncSession, customer_id: int) -> bool:
    """Whether `customer_id` was inserted in this session's transaction (as far as the registry knows: after a
    rollback, False)."""
    known: dict[int, list[Any]] | None = session.info.get(KEY)
    return known is not None and customer_id in known


def rows_of(session: AsyncSession, model: type[T], customer_id: int) -> list[T] | None:
    """The `model` rows (with a `customer_id`) of a customer created in this transaction, flushed
    or still pending, oldest first; None when the customer is not such a newcomer (then query)."""
    known: dict[int, list[Any]] | None = session.info.get(KEY)
    if not known or customer_id not in known:
        return None
    rows = [row for row in known[customer_id] if isinstance(row, model)]
    # the pending rows of `model` only (session.new in its order, by class): a shared transaction
    # flushes once, at its end, so its pending rows grow with every event, and the inbox asks this
    # for several tables per event (bench/README.md, ninth session)
    for kind, pending in session.info.get(PENDING, {}).items():
        if issubclass(kind, model):
            for row in pending.values():
                # the value as set (a pending row has nothing to load): not through the attribute's
                # descriptor, which costs several times more and runs for every pending row of the
                # transaction, several times per event (bench/README.md, eleventh session)
                owner = row.__dict__.get("customer_id")
                if owner is None:  # set through a relationship, known only at flush: ask the database
                    return None
                if owner == customer_id:
                    rows.append(row)
    return rows


@event.listens_for(Session, "transient_to_pending")
def _pending(session: Session, row: Any) -> None:
    session.info.setdefault(PENDING, {}).setdefault(type(row), {})[id(row)] = row


@event.listens_for(Session, "pending_to_persistent")
@event.listens_for(Session, "pending_to_transient")
def _not_pending(session: Session, row: Any) -> None:
    pending: dict[type, dict[int, Any]] | None = session.info.get(PENDING)
    if pending is not None and type(row) in pending:
        pending[type(row)].pop(id(row), None)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    known: dict[int, list[Any]] | None = session.info.get(KEY)
    if not known:
        return
    _inserted(session, session.new)
    for row in session.deleted:
        owner = getattr(row, "customer_id", None)
        if owner in known and row in known[owner]:
            known[owner].remove(row)


@inserted
def _inserted(session: Session, rows: Iterable[Any]) -> None:
    """New rows a flush wrote (through the unit of work, or by Core: storage/newrows.py) join their newcomer's."""
    known: dict[int, list[Any]] | None = session.info.get(KEY)
    if not known:
        return
    for row in rows:
        owner = getattr(row, "customer_id", None)
        if owner in known:
            known[owner].append(row)
