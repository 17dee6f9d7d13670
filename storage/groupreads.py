"""Per-customer facts read once for a whole group of events, then kept current in the transaction.

The inbox reads the customers of each group of kf events in one statement
(`CustomerRepo.prefetch`). A returning customer's question then asked four more things one
statement each: the rule-hit count, the last variant of a template, the open ticket and the
inbound count (bench/README.md, "A returning customer's facts per group"). Each of these now reads,
at its first ask in a transaction, the same fact for the asker and every other customer the inbox
prefetched whose fact is not known yet, in one statement; the answers live in `session.info` (keys in
storage/txinfo.py, forgotten when the transaction ends).

Kept current: rows the transaction adds through the ORM are counted while pending (the repositories
look at `session.new`) and folded in after each flush (each repository's `after_flush` listener, and its
`storage.newrows.inserted` one for the rows a flush writes by Core);
an INSERT, UPDATE or DELETE of the table outside the unit of work (erasure, retention) forgets every
answer of that fact, so the next ask reads again. Newcomers never get here (storage/newcomers.py
answers for them). As with the open FAQ offers: within one transaction, an answer does not see a
commit another transaction made after the read (on SQLite nobody else writes meanwhile)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

from storage.txinfo import NEWCOMERS, PREFETCHED_CUSTOMERS

T = TypeVar("T")


def known(session: AsyncSession | Session, key: str) -> dict[Any, Any]:
    """The answers of fact `key` read in this transaction."""
    answers: dict[Any, Any] = session.info.setdefault(key, {})
    return answers


def group(session: AsyncSession, customer_id: int, answered: set[int] | dict[Any, Any]) -> list[int]:
    """The asker and the customers the inbox prefetched for this group whose answer is not in
    `answered` (newcomers excluded: nothing can be found for them)."""
    prefetched: dict[str, Any] = session.info.get(PREFETCHED_CUSTOMERS, {})
    fresh: dict[int, Any] = session.info.get(NEWCOMERS, {})
    others = {c.id for c in prefetched.values() if c.id is not None and c.id not in answered and c.id not in fresh}
    return sorted(others | {customer_id})


def pending(session: AsyncSession, model: type[T], customer_id: int) -> list[T]:
    """The customer's `model` rows added and not flushed yet, in the order they were added."""
    rows = [r for r in session.new if isinstance(r, model) and getattr(r, "customer_id", None) == customer_id]
    return sorted(rows, key=lambda r: inspect(r).insert_order)


def forget_on_bulk_writes(key: str, *tables: str) -> None:
    """Forget every answer of fact `key` when a statement outside the unit of work writes one of `tables`."""

    @event.listens_for(Session, "do_orm_execute")
    def _forget(state: ORMExecuteState) -> None:
        if key in state.session.info and (state.is_insert or state.is_update or state.is_delete):
            table = getattr(getattr(state.statement, "table", None), "name", None)
            if table is None or table in tables:
                state.session.info.pop(key, None)
