"""Who holds a lease, and when it may be taken.

Each start of a Wanzi process registers a `worker_instance` row (a fresh id: its epoch) under its
name and heartbeats it. Leased rows name their holder in `lease_owner`. A lease may be taken when

- it ran out (`lease_until` passed: its holder stopped renewing it), or
- its holder is dead: stopped (a clean shutdown, or superseded by a newer start under the same
  name, i.e. the same host and port), or silent for longer than `dead_after_s`.

A live holder renews the leases of the rows it is working on with every heartbeat, so no other
process ever takes them. Rows leased before holders were recorded (`lease_owner` NULL) wait for
their lease to run out, as they always did.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import Stamp, WorkerInstance


def lease_until(now: datetime, *, lease_s: float, deadline: datetime | None = None,
                deadline_lease_s: float | None = None) -> datetime:
    """The end of a lease taken now: `lease_s`, or for a deadline-bound row a short lease that
    never outlives the deadline (past it the row can only expire)."""
    if deadline is None:
        return now + timedelta(seconds=lease_s)
    short = now + timedelta(seconds=lease_s if deadline_lease_s is None else deadline_lease_s)
    return min(short, deadline)


def alive(instance_id: Any, *, now: datetime, dead_after_s: float) -> ColumnElement[bool]:
    """True while the instance with this id heartbeats and was neither stopped nor superseded."""
    return _alive(instance_id, since=now - timedelta(seconds=dead_after_s))


def _alive(instance_id: Any, *, since: Any) -> ColumnElement[bool]:
    return exists(select(WorkerInstance.id).where(
        WorkerInstance.id == instance_id, WorkerInstance.stopped_at.is_(None), WorkerInstance.heartbeat_at > since))


def takeable(lease_until_col: InstrumentedAttribute[datetime | None], owner_col: InstrumentedAttribute[str | None],
             *, now: datetime, dead_after_s: float | None) -> ColumnElement[bool]:
    """A leased row another process may take: its lease ran out, or its holder is dead."""
    since = None if dead_after_s is None else now - timedelta(seconds=dead_after_s)
    return _takeable(lease_until_col, owner_col, now=now, since=since)


# The bound parameters of `takeable_then` and their values (`takeable_values`).
NOW, ALIVE_SINCE = "lease_now", "lease_alive_since"


def takeable_then(lease_until_col: InstrumentedAttribute[datetime | None],
                  owner_col: InstrumentedAttribute[str | None], *, dead: bool) -> ColumnElement[bool]:
    """`takeable` with the time as bound parameters (`takeable_values` gives them): the claims build
    their statements once, not per claim (building one took more CPU than running it; storage/queues.py).
    `dead`: a holder silent for `dead_after_s` is dead too."""
    return _takeable(lease_until_col, owner_col, now=bindparam(NOW, type_=Stamp),
                     since=bindparam(ALIVE_SINCE, type_=Stamp) if dead else None)


def takeable_values(now: datetime, dead_after_s: float | None) -> dict[str, datetime]:
    """The values of `takeable_then`'s parameters at `now`."""
    if dead_after_s is None:
        return {NOW: now}
    return {NOW: now, ALIVE_SINCE: now - timedelta(seconds=dead_after_s)}


def _takeable(lease_until_col: InstrumentedAttribute[datetime | None], owner_col: InstrumentedAttribute[str | None],
              *, now: Any, since: Any) -> ColumnElement[bool]:
    lapsed = or_(lease_until_col.is_(None), lease_until_col <= now)
    if since is None:
        return lapsed
    return or_(lapsed, and_(owner_col.is_not(None), ~_alive(owner_col, since=since)))


class WorkerInstanceRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def register(self, instance_id: str, name: str, *, now: datetime, supersede: bool) -> int:
        """Record a process start; with `supersede`, earlier starts under the same name are marked
        stopped (they are dead: this process took their place). The number superseded."""
        superseded = 0
        if supersede:
            result = await self.session.execute(
                update(WorkerInstance).where(WorkerInstance.name == name, WorkerInstance.stopped_at.is_(None),
                                             WorkerInstance.id != instance_id).values(stopped_at=now))
            superseded = int(cast(CursorResult[Any], result).rowcount)
        self.session.add(WorkerInstance(id=instance_id, name=name, started_at=now, heartbeat_at=now))
        await self.session.flush()
        return superseded

    async def beat(self, instance_id: str, *, now: datetime) -> bool:
        """Renew the heartbeat; False when this instance was declared dead (stopped or superseded)."""
        result = await self.session.execute(
            update(WorkerInstance).where(WorkerInstance.id == instance_id, WorkerInstance.stopped_at.is_(None))
            .values(heartbeat_at=now))
        return bool(cast(CursorResult[Any], result).rowcount)

    async def stop(self, instance_id: str, *, now: datetime) -> None:
        await self.session.execute(update(WorkerInstance).where(WorkerInstance.id == instance_id,
                                                                WorkerInstance.stopped_at.is_(None))
                                   .values(stopped_at=now))

    async def is_alive(self, instance_id: str, *, now: datetime, dead_after_s: float) -> bool:
        return bool(await self.session.scalar(select(alive(instance_id, now=now, dead_after_s=dead_after_s))))

    async def count_alive(self, *, now: datetime, dead_after_s: float) -> int:
        """Processes heartbeating now (this one included): the replicas sharing WeCom's caps."""
        return int(await self.session.scalar(
            select(func.count()).select_from(WorkerInstance).where(
                WorkerInstance.stopped_at.is_(None),
                WorkerInstance.heartbeat_at > now - timedelta(seconds=dead_after_s))) or 0)

    async def forget_before(self, when: datetime) -> None:
        """Drop instances silent since `when`: none of their leases can still be running."""
        await self.session.execute(delete(WorkerInstance).where(WorkerInstance.heartbeat_at < when))
