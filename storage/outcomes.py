"""How delivery attempts ended, written to their outbox rows by Core UPDATEs, without loading the rows.

The delivery worker records outcomes several times a second in a burst. Reading each row into the
ORM, changing its attributes and flushing cost a SELECT of the whole row (its payload decoded), the
identity map and the flush's bookkeeping for what one UPDATE says (bench/README.md, eleventh
session). The conditions the worker checked on the loaded row are in the UPDATE's WHERE instead,
checked atomically by the database: an outcome counts while the row is 'sending' under this
process's lease; "sent" counts whenever the row is not already sent (WeCom accepted the call).
A row no longer there, or no longer ours, is left as it is.

Outcomes whose API has follow-ups need the row object and keep the ORM path (bot/delivery.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence, cast

from sqlalchemy import Table, Update, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxItem, OutboxStatus


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one attempt ended; "pending" means a retry at `retry_at`."""

    item_id: int
    status: str  # sent | expired | dead | pending
    result: dict[str, Any] | None = None
    errcode: int | None = None
    reason: str = ""
    retry_at: datetime | None = None
    api: str = ""  # the row's API (which follow-ups it has)


_TABLE = cast(Table, OutboxItem.__table__)
_COLS = _TABLE.c


@functools.lru_cache(maxsize=16)
def _mark(sent: bool, retry: bool, errcode: bool, reason: bool) -> Update:
    """The UPDATE for one shape of outcome (which columns it sets), built once; executed with one
    parameter set per row (executemany)."""
    values: dict[Any, Any] = {_COLS.status: bindparam("o_status", type_=_COLS.status.type),
                              _COLS.lease_until: None, _COLS.lease_owner: None}
    if retry:
        values[_COLS.due_at] = bindparam("o_due_at", type_=_COLS.due_at.type)
    if sent:
        values[_COLS.sent_at] = bindparam("o_now", type_=_COLS.sent_at.type)
        values[_COLS.result] = bindparam("o_result", type_=_COLS.result.type)
    if errcode:
        values[_COLS.last_errcode] = bindparam("o_errcode", type_=_COLS.last_errcode.type)
    if reason:
        values[_COLS.last_error] = bindparam("o_reason", type_=_COLS.last_error.type)
    where = _COLS.id == bindparam("o_id", type_=_COLS.id.type)
    if sent:  # WeCom accepted the call: the row says so, whoever holds it now
        where &= _COLS.status != OutboxStatus.SENT.value
    else:
        where &= ((_COLS.status == OutboxStatus.SENDING.value)
                  & _COLS.lease_owner.is_not_distinct_from(bindparam("o_owner", type_=_COLS.lease_owner.type)))
    return update(_TABLE).where(where).values(values)


async def record_outcomes(session: AsyncSession, outcomes: Sequence[Outcome], *, owner: str | None,
                          now: datetime) -> None:
    """Write these outcomes in this transaction: one statement per shape, rows in id order (one lock
    order on PostgreSQL)."""
    shapes: dict[tuple[bool, bool, bool, bool], list[dict[str, Any]]] = {}
    for outcome in sorted(outcomes, key=lambda o: o.item_id):
        sent = outcome.status == OutboxStatus.SENT
        params: dict[str, Any] = {"o_id": outcome.item_id, "o_status": outcome.status}
        if sent:
            params["o_now"], params["o_result"] = now, outcome.result
        else:
            params["o_owner"] = owner
        if outcome.retry_at is not None:
            params["o_due_at"] = outcome.retry_at
        if outcome.errcode is not None:
            params["o_errcode"] = outcome.errcode
        if outcome.reason:
            params["o_reason"] = outcome.reason[:500]
        shape = (sent, outcome.retry_at is not None, outcome.errcode is not None, bool(outcome.reason))
        shapes.setdefault(shape, []).append(params)
    for shape, rows in shapes.items():
        await session.execute(_mark(*shape), rows)
