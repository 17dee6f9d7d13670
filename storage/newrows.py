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

from typing import Any, TypeVar

import sqlalchemy
from sqlalchemy import event, inspect
from sqlalchemy.orm import ColumnProperty, InstanceState, Mapper, Session, configure_mappers
from sqlalchemy.orm.instrumentation import manager_of_class

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
