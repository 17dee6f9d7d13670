"""New ORM rows on the hot paths, built without the declarative constructor.

An answered kf question adds two messages, an outbox row and a rule hit; a new friend a customer,
a message and an outbox row. SQLAlchemy's generated `__init__` sets each keyword through the
instrumented attribute (an attribute event, history, a modified-state mark per column): about 20 µs
of a row's ~50 µs with `Session.add` (bench/README.md, tenth session). A new row's values need none
of that: the flush inserts what is in the row's `__dict__`, and the columns not given take their
defaults there, as with the constructor. So `new_row` makes the instance through the class's
instrumentation and fills its `__dict__` at once. Relationships (e.g. `Message.outbox_item`) must
still be set as attributes, after: their history is how the flush fills the foreign key.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import ColumnProperty, configure_mappers
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
