"""SQLite: new rows get their primary keys before the flush, so many rows are one statement.

SQLAlchemy's ORM inserts rows whose integer keys the database assigns with RETURNING, and on
SQLite it does that one row per statement (the dialect declares no way to match a multi-row
RETURNING to its rows). A welcome's outbox row and its message row were two statements, two
trips to the driver's thread, per event (bench/README.md, "Numbered before the flush").

Every write transaction on SQLite begins IMMEDIATE (storage/db.py): from its first statement on,
it alone writes the file, so `max(id) + 1` read inside it is exactly the key SQLite would give the
next row (its rule for an INTEGER PRIMARY KEY without AUTOINCREMENT, which none of our tables
uses), and nobody can take it before the commit. The keys are read afresh at each flush (one
statement for all tables with three or more new rows), so a Core insert between flushes cannot
collide. With all keys known, the ORM inserts the table's new rows with one executemany. One or two
new rows of a table keep the ordinary inserts (numbering two would cost as many statements);
other databases keep theirs (sequences, and PostgreSQL's multi-row RETURNING, already batch)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, event, func, inspect, select
from sqlalchemy.orm import Session

FEWEST = 3  # new rows of a table from which numbering them saves a statement (max() + one insert)


@event.listens_for(Session, "before_flush")
def _number_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    if not session.new or session.get_bind().dialect.name != "sqlite":
        return
    groups: dict[Column[Any], tuple[str, list[Any]]] = {}
    for row in session.new:
        mapper = inspect(row).mapper
        if mapper.inherits is not None or len(mapper.primary_key) != 1:
            continue
        column = mapper.primary_key[0]
        if mapper.local_table.autoincrement_column is not column:  # e.g. a key that is another row's id
            continue
        key = mapper.get_property_by_column(column).key
        if getattr(row, key) is None:
            groups.setdefault(column, (key, []))[1].append(row)
    numbered = [(column, key, rows) for column, (key, rows) in groups.items() if len(rows) >= FEWEST]
    if not numbered:
        return
    # every table's highest key in one statement (a welcome's outbox and message rows: one, not two)
    tops = session.connection().execute(
        select(*(select(func.max(column)).scalar_subquery() for column, _, _ in numbered))).one()
    for (_, key, rows), top in zip(numbered, tops, strict=True):
        rows.sort(key=lambda r: inspect(r).insert_order)
        for number, row in enumerate(rows, (top or 0) + 1):
            setattr(row, key, number)
