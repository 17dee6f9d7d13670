"""New ORM rows on the hot paths, built without the declarative constructor.

An answered kf question adds two messages, an outbox row and a rule hit; a new friend a customer,
a message and an outbox row. SQLAlchemy's generated `__init__` sets each keyword through the
instrumented attribute (an attribute event, history, a modified-state mark per column): about 20 µs
of a row's ~50 µs with `Session.add` (bench/README.md, tenth session). A new row's values need none
of that: the flush inserts what is in the row's `__dict__`, and the columns not given take their
defaults there, as with the constructor. So `new_row` makes the instance through the class's
instrumentation and fills its `__dict__` at once. Relationships (e.g. `Message.outbox_item`) must
still be set as attributes, after: their history is how the flush fills the foreign key.

`RowSession` is the sessions' class (storage/db.py `session_factory`): `Session.add` walks every
property of the row's mapper, columns included, looking for relationships that cascade the add
(save-update) to related rows; of the rows the hot paths add only a message has one (its outbox row).
For a mapper without any, the walk finds nothing, so `RowSession` skips it: 6.2 → 2.2 µs per add of
an outbox row (bench/README.md, twenty-third slice). The rows added, and when, are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import sqlalchemy
from sqlalchemy import Insert, Table, event, inspect, null
from sqlalchemy.orm import MANYTOONE, ColumnProperty, InstanceState, Mapper, Session, configure_mappers
from sqlalchemy.orm.instrumentation import manager_of_class

from storage import sqlite_ids  # noqa: F401  (its before_flush numbering must run before this module's)

T = TypeVar("T")


def new_row(cls: type[T], **values: Any) -> T:
    """A transient `cls` with these column values, as `cls(**values)` makes it (not added to a session).
    A key that is not a column attribute raises TypeError, as the constructor does."""
    manager, columns = _of(cls)
    if not columns.issuperset(values):
        raise TypeError(f"{sorted(set(values) - columns)} are not column attributes of {cls.__name__}")
    row: T = manager.new_instance()
    row.__dict__.update(values)
    return row


_OF: dict[type[Any], tuple[Any, frozenset[str]]] = {}


def _of(cls: type[Any]) -> tuple[Any, frozenset[str]]:
    known = _OF.get(cls)
    if known is None:
        configure_mappers()  # as the constructor's first call does (relationships resolved)
        columns = frozenset(p.key for p in inspect(cls).iterate_properties if isinstance(p, ColumnProperty))
        known = _OF[cls] = (manager_of_class(cls), columns)
    return known


# The releases whose private `Session._save_or_update_state` is known to be the two steps and the walk below
# (read in 2.0 and 2.1): under any other release the session does exactly what SQLAlchemy's does, so an upgrade
# that changes the method costs the 4 µs per add, never a step skipped.
_KNOWN = tuple(int(part) for part in sqlalchemy.__version__.split(".")[:2]) in ((2, 0), (2, 1))


class RowSession(Session):
    """A Session whose `add` walks the save-update cascade only for mappers that have one."""

    def _save_or_update_state(self, state: InstanceState[Any]) -> None:
        # SQLAlchemy's own method: the same two steps, then the walk (Mapper.cascade_iterator)
        if not _KNOWN or _cascades_add(state.mapper):
            super()._save_or_update_state(state)
        else:
            state._orphaned_outside_of_session = False
            self._save_or_update_impl(state)


_CASCADES: dict[Mapper[Any], bool] = {}


def _cascades_add(mapper: Mapper[Any]) -> bool:
    """Whether a property of the mapper cascades `add` to related rows, as Mapper.cascade_iterator asks
    of each (a backref configured later adds a relationship: the answers are forgotten then)."""
    known = _CASCADES.get(mapper)
    if known is None:
        known = _CASCADES[mapper] = any("save-update" in (getattr(p, "cascade", None) or ()) for p in mapper.attrs)
    return known


@event.listens_for(Mapper, "after_configured")
def _forget_cascades() -> None:
    _CASCADES.clear()


# --- new rows of insert-only tables: one Core executemany per table at the flush -----------------------------
#
# The unit of work costs a new row more than its INSERT: the flush registers each state with the flush context,
# sorts the tables' dependencies, builds the row's parameters column by column through its mapper
# (`_collect_insert_commands`, `_set_insert_value`), then moves it to the identity map. For the rows the hot paths
# add and never change before the flush (a message, its outbox row, a rule hit, a friendship: `PLAIN`), one Core
# executemany per table with the rows' values as they are does the same INSERT (bench/README.md, twenty-fifth
# slice). The rows stay ORM objects in the session: added as before, found by the same reads while pending, and
# made persistent at the flush by SQLAlchemy's own `_register_persistent` (identity map, state committed, the
# transaction told so a rollback expunges them, `pending_to_persistent` dispatched), inside a flush transaction
# begun and ended as `Session._flush` does (an error rolls back as a failed flush does). Listeners that fold the
# new rows of a flush into what the transaction read (`after_flush` over `session.new`) subscribe to `inserted`
# too: these rows are no longer in `session.new` when the rest of the flush runs.
#
# Keys: on SQLite the rows numbered before the flush (storage/sqlite_ids.py: three or more new rows of a table)
# are written so, the others are left to the unit of work; on other databases the rows without a key come back
# with theirs from `INSERT … RETURNING` sorted by parameter order (PostgreSQL's insertmanyvalues, as the ORM's).
# A many-to-one relationship set as an attribute (`Message.outbox_item`) fills its foreign key from the related
# row's key, which must be known by then (a related row still pending and left to the ORM leaves this one too).

PLAIN_TABLES = frozenset({"outbox_item", "message", "rule_hit", "friendship"})

Inserted = TypeVar("Inserted", bound=Callable[[Session, list[Any]], None])
_SUBSCRIBERS: list[Callable[[Session, list[Any]], None]] = []


def inserted(listener: Inserted) -> Inserted:
    """Call `listener(session, rows)` with the rows a flush wrote by Core (a decorator)."""
    _SUBSCRIBERS.append(listener)
    return listener


@dataclass(frozen=True, eq=False)
class _Plain:
    """How to write a class's new rows by Core: its table, key, columns and many-to-one relationships."""

    table: Table
    order: int  # the table's place in the metadata's dependency order
    key: str  # the primary key's attribute
    names: tuple[str, ...]  # every column's attribute
    columns: tuple[str, ...]  # and its column, in the same order
    defaulted: tuple[tuple[str, Any], ...]  # (attribute, scalar default): given when the row has none or None
    required: frozenset[str]  # not nullable, no default, not the key: a row without one is left to the ORM
    # nullable columns whose type writes None as a value (JSON's 'null'): SQL NULL when unset, as the unit of work
    nulls: tuple[tuple[str, str], ...]
    parents: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (relationship, ((local attr, remote attr), ...))
    insert: Insert  # rows with their keys (built once: compiled once, its cache key too)
    returning: Insert  # rows without: their keys come back in the order of the parameters


_SQL_NULL = null()
_PLAIN: dict[type[Any], _Plain | None] = {}


def _plain(cls: type[Any]) -> _Plain | None:
    if cls in _PLAIN:
        return _PLAIN[cls]
    mapper: Mapper[Any] = inspect(cls)
    table = mapper.local_table
    found: _Plain | None = None
    if (isinstance(table, Table) and table.name in PLAIN_TABLES and mapper.inherits is None
            and len(mapper.primary_key) == 1 and table.autoincrement_column is mapper.primary_key[0]
            and not mapper.dispatch.before_insert and not mapper.dispatch.after_insert
            and mapper.version_id_col is None and not getattr(mapper, "_insert_orm_defaults", {}).get(table)):
        names, defaulted, required, nulls, parents, ok = [], [], set(), [], [], True
        for column in table.c:
            attribute, default = mapper.get_property_by_column(column).key, column.default
            if column.server_default is not None or (default is not None and not default.is_scalar):
                ok = False
            names.append((attribute, column.key))
            if default is None and column.nullable and column.type.should_evaluate_none:
                nulls.append((attribute, column.key))
            if default is not None:
                defaulted.append((attribute, default.arg))
            elif not column.nullable and not column.primary_key:
                required.add(attribute)
        for rel in mapper.relationships:
            pairs = tuple((mapper.get_property_by_column(local).key,
                           rel.mapper.get_property_by_column(remote).key) for local, remote in rel.local_remote_pairs)
            if rel.direction is not MANYTOONE or rel.secondary is not None:
                ok = False
            parents.append((rel.key, pairs))
        if ok:
            order = [t.name for t in table.metadata.sorted_tables].index(table.name)
            key = mapper.get_property_by_column(mapper.primary_key[0]).key
            found = _Plain(table, order, key, tuple(a for a, _ in names), tuple(c for _, c in names),
                           tuple(defaulted), frozenset(required), tuple(nulls), tuple(parents),
                           table.insert(), table.insert().returning(table.c[key], sort_by_parameter_order=True))
    _PLAIN[cls] = found
    return found


@event.listens_for(Session, "before_flush")
def _insert_plain_rows(session: Session, _context: Any, objects: Any) -> None:
    # after storage/sqlite_ids.py's numbering (imported above: its listener runs first)
    if objects is not None or not _KNOWN or not session._new:
        return
    numbered_only = session.get_bind().dialect.name == "sqlite"
    by_class: dict[_Plain, list[Any]] = {}
    for state in session._new:
        spec = _plain(state.class_)
        if spec is not None and not (numbered_only and state.dict.get(spec.key) is None):
            by_class.setdefault(spec, []).append(state)
    if not by_class:
        return
    transaction = session._autobegin_t()._begin()  # as Session._flush: a failure rolls back as a failed flush
    try:
        written = _write(session, sorted(by_class.items(), key=lambda item: item[0].order))
        if written:
            rows = [state.obj() for state in written]  # held here: the session holds persistent rows weakly
            session._register_persistent(set(written))
            for listener in _SUBSCRIBERS:
                listener(session, rows)
        transaction.commit()
    except BaseException:
        with sqlalchemy.util.safe_reraise():
            transaction.rollback(_capture_exception=True)


def _write(session: Session, tables: list[tuple[_Plain, list[InstanceState[Any]]]]) -> list[InstanceState[Any]]:
    """INSERT the rows whose values are all known, a statement per table and kind of key; their states."""
    connection = session.connection()
    written: list[InstanceState[Any]] = []
    for spec, states in tables:
        states.sort(key=lambda s: s.insert_order or 0)
        keyed: list[tuple[InstanceState[Any], dict[str, Any]]] = []
        unkeyed: list[tuple[InstanceState[Any], dict[str, Any]]] = []
        for state in states:
            params = _params(spec, state.dict)
            if params is not None:
                (unkeyed if params[spec.key] is None else keyed).append((state, params))
        if keyed:
            connection.execute(spec.insert, [params for _, params in keyed])
        if unkeyed:
            values = [{k: v for k, v in params.items() if k != spec.key} for _, params in unkeyed]
            for (state, _), key in zip(unkeyed, connection.execute(spec.returning, values).scalars().all(),
                                       strict=True):
                state.dict[spec.key] = key
        written.extend(state for state, _ in keyed)
        written.extend(state for state, _ in unkeyed)
    return written


def _params(spec: _Plain, values: dict[str, Any]) -> dict[str, Any] | None:
    """The row's INSERT parameters by column, with the defaults the unit of work would give it (set on the row
    too); None when a value is unknown yet (a parent without its key, a required column not set)."""
    for relationship, pairs in spec.parents:
        if relationship in values:
            parent = values[relationship]
            for local, remote in pairs:
                key = None if parent is None else parent.__dict__.get(remote)
                if parent is not None and key is None:
                    return None
                values[local] = key
    for attribute, default in spec.defaulted:  # as the unit of work: unset or None takes the column's default
        if values.get(attribute) is None:
            values[attribute] = default
    if not spec.required.issubset(values):
        return None
    params = dict(zip(spec.columns, map(values.get, spec.names), strict=True))
    for attribute, column in spec.nulls:
        if attribute not in values:
            params[column] = _SQL_NULL
    return params
