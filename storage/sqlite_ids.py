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

import functools
from typing import Any

from sqlalchemy import Column, Select, event, func, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

FEWEST = 3  # new rows of a table from which numbering them saves a statement (max() + one insert)


@event.listens_for(Session, "before_flush")
def _number_new_rows(session: Session, _context: Any, _instances: Any) -> None:
    if not session.new or session.get_bind().dialect.name != "sqlite":
        return
    groups: dict[Column[Any], tuple[str, list[Any]]] = {}
    for row in session.new:
        numbered_by = _key_of(type(row))
        if numbered_by is None:
            continue
        column, key = numbered_by
        if row.__dict__.get(key) is None:  # a new row's key is in its __dict__ when set, loads nothing
            groups.setdefault(column, (key, []))[1].append(row)
    numbered = [(column, key, rows) for column, (key, rows) in groups.items() if len(rows) >= FEWEST]
    if not numbered:
        return
    # every table's highest key in one statement (a welcome's outbox and message rows: one, not two)
    tops = session.connection().execute(_tops(tuple(column for column, _, _ in numbered))).one()
    for (_, key, rows), top in zip(numbered, tops, strict=True):
        rows.sort(key=_insert_order)  # the order they were added in
        for number, row in enumerate(rows, (top or 0) + 1):
            setattr(row, key, number)


def _insert_order(row: Any) -> int:
    # the row's state read directly: `inspect(row)` asks the inspection registry first, three calls
    # more per row numbered (bench/README.md, twenty-third slice); a pending row always has its order
    return instance_state(row).insert_order or 0


_KEYS: dict[type[Any], tuple[Column[Any], str] | None] = {}


def _key_of(cls: type[Any]) -> tuple[Column[Any], str] | None:
    """The class's own autoincrement key column and its attribute, or None (inherited, composite or
    another row's id); once per class, not per row and flush."""
    if cls in _KEYS:
        return _KEYS[cls]
    mapper = inspect(cls)
    found: tuple[Column[Any], str] | None = None
    if mapper.inherits is None and len(mapper.primary_key) == 1:
        column = mapper.primary_key[0]
        if mapper.local_table.autoincrement_column is column:
            found = (column, mapper.get_property_by_column(column).key)
    _KEYS[cls] = found
    return found


@functools.lru_cache(maxsize=64)
def _tops(columns: tuple[Column[Any], ...]) -> Select[Any]:
    """`SELECT (SELECT max(a.id)), (SELECT max(b.id)) …`, built once per set of tables (its cache
    key is computed once too)."""
    return select(*(select(func.max(column)).scalar_subquery() for column in columns))
