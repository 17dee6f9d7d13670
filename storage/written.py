"""The tables a transaction wrote, so a commit wakes only the background workers whose work
those tables hold (bot/workers.py `CommitWakes`).

`track(session)` starts a record for the session's transaction and returns it; every flush (ORM
rows added, changed or deleted) and every INSERT, UPDATE or DELETE executed through the session
(Core statements too) adds its table's name. The caller keeps the set: it is complete once the
transaction has committed (the last flush runs inside the commit).
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session

from storage.newrows import inserted
from storage.txinfo import WRITTEN as KEY


def track(session: AsyncSession) -> set[str]:
    """A set that collects the names of the tables this transaction writes, from now on."""
    written: set[str] = set()
    session.info[KEY] = written
    return written


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    if KEY in session.info:
        for rows in (session.new, session.dirty, session.deleted):
            _wrote(session, rows)


@inserted
def _wrote(session: Session, rows: Iterable[Any]) -> None:
    """The tables of rows a flush wrote (through the unit of work, or new rows by Core: storage/newrows.py)."""
    written: set[str] | None = session.info.get(KEY)
    if written is None:
        return
    for row in rows:
        table = getattr(row, "__tablename__", None)
        if table:
            written.add(table)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    written: set[str] | None = state.session.info.get(KEY)
    if written is None or not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    written.add(str(name) if name else "*")  # "*": a write of unknown table (wakes everyone)
