"""The digest's building blocks: a day window, metric definitions, and providers that fill them.

A *provider* is one async function that runs a few SQL aggregates over one local day and
returns named values for the metrics it declares. Several metrics share a provider when one
scan of a table yields them all (messages in, out, active customers, answers). A provider
whose source table does not exist yet is declared with `pending=` instead of a function: its
metrics show as "—" (not yet tracked), never as a made-up zero.

Adding a metric: declare `Metric`s, write `async def compute(session, window) -> dict`,
and list the `Provider` in `digest.registry.default_registry()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Awaitable, Callable, Literal, Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

Number = int | float


@dataclass(frozen=True, slots=True)
class Breakdown:
    """A ranked list of (label, number): new friends by channel, top keywords."""

    items: tuple[tuple[str, Number], ...] = ()

    @property
    def total(self) -> Number:
        return sum(n for _, n in self.items)


Value = Number | Breakdown | None  # None: no data that day (e.g. a rate with no denominator)

Group = Literal["growth", "activity", "retention", "conversion", "value", "service", "outreach"]
GROUP_LABELS: dict[str, str] = {"growth": "增长", "activity": "活跃", "retention": "留存", "conversion": "转化",
                                "value": "价值", "service": "服务", "outreach": "触达"}


@dataclass(frozen=True, slots=True)
class Metric:
    """What a number means and how to show it.

    `kind`: count (integers), rate (0..1, shown as %), seconds (durations), breakdown (ranked list),
    rate_breakdown (a ranked list of rates, e.g. check-in rate per campaign).
    `priority`: 1 is kept longest when the markdown must shrink to fit WeCom's byte limit.
    `better`: +1 when up is good, -1 when down is good, 0 when neither (colours the change).
    """

    key: str
    label: str
    group: Group
    kind: Literal["count", "rate", "seconds", "breakdown", "rate_breakdown"] = "count"
    priority: int = 3
    better: int = 1
    note: str = ""  # how it is counted, shown in the console
    # A breakdown whose labels are keys of a vocabulary the digest is shown with (e.g. "stage": the
    # persona's stage names → their labels), so "new" reads 新朋友 everywhere; "" = shown as stored.
    vocabulary: str = ""
    # A breakdown's fixed stored keys in words (an antispam reason "daily_cap" as 当天已达上限); pairs,
    # so the metric stays hashable. A vocabulary's labels win over these.
    words: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Window:
    """One local calendar day as a half-open UTC interval [start, end)."""

    day: date
    tz: ZoneInfo
    start: datetime
    end: datetime
    now: datetime | None = None  # set while the day is still running (a console view of today)

    @classmethod
    def of(cls, day: date, tz: ZoneInfo | str, *, now: datetime | None = None) -> Window:
        zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        # Local midnights, converted to UTC: a DST day is 23 or 25 hours long, and that is right.
        start = datetime.combine(day, time(0), zone).astimezone(timezone.utc)
        end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(timezone.utc)
        return cls(day, zone, start, end, now if now is not None and now < end else None)

    @property
    def cutoff(self) -> datetime:
        """The end of the day, or now if the day is still running: deadlines after it are not missed yet."""
        return self.now or self.end

    def shift(self, days: int) -> Window:
        return Window.of(self.day + timedelta(days=days), self.tz, now=self.now)

    def covers(self, column: Any) -> ColumnElement[bool]:
        """`start <= column < end`, which a (column, ...) index serves as one range scan."""
        return and_(column >= self.start, column < self.end)


Compute = Callable[[AsyncSession, Window], Awaitable[Mapping[str, Value]]]


@dataclass(frozen=True, slots=True)
class Provider:
    """Metrics computed together; `compute=None` with `pending` = a documented slot, not tracked yet."""

    name: str
    metrics: tuple[Metric, ...]
    compute: Compute | None = None
    pending: str = ""  # which table/feature will supply these, e.g. "the orders table"
    order: int = 100  # place in the digest (sections of every feature are shown by this order)

    def __post_init__(self) -> None:
        if (self.compute is None) == (not self.pending):
            raise ValueError(f"provider {self.name}: give exactly one of compute= or pending=")


@dataclass(frozen=True, slots=True)
class Registry:
    """The providers a digest is made of, in display order."""

    providers: tuple[Provider, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        keys = [m.key for p in self.providers for m in p.metrics]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise ValueError(f"metric keys provided twice: {sorted(dupes)}")

    @property
    def metrics(self) -> list[Metric]:
        return [m for p in self.providers for m in p.metrics]

    def has(self, key: str) -> bool:
        """Does a feature of this build provide the metric?"""
        return any(m.key == key for m in self.metrics)

    def metric(self, key: str) -> Metric:
        for m in self.metrics:
            if m.key == key:
                return m
        raise KeyError(key)

    def pending_reason(self, key: str) -> str:
        for p in self.providers:
            if any(m.key == key for m in p.metrics):
                return p.pending
        raise KeyError(key)

    async def compute(self, session: AsyncSession, window: Window, *,
                      keys: Sequence[str] | None = None) -> dict[str, Value]:
        """Every tracked metric of one day (or only `keys`); pending metrics are absent."""
        wanted = set(keys) if keys is not None else None
        values: dict[str, Value] = {}
        for provider in self.providers:
            if provider.compute is None:
                continue
            if wanted is not None and not wanted & {m.key for m in provider.metrics}:
                continue
            got = await provider.compute(session, window)
            for metric in provider.metrics:
                values[metric.key] = got.get(metric.key)
        return values


async def counts_by(session: AsyncSession, column: ColumnElement[Any] | InstrumentedAttribute[Any],
                    where: ColumnElement[bool]) -> tuple[tuple[str, int], ...]:
    """(value, rows) of `column` among the rows `where` selects, most first."""
    n = func.count().label("n")
    rows = (await session.execute(select(column, n).where(where).group_by(column).order_by(n.desc(), column))).all()
    return tuple((str(k), int(c)) for k, c in rows)


def ratio(part: Number | None, whole: Number | None) -> float | None:
    """A share in 0..1, or None when there is nothing to divide by (shown as "—", not 0 %)."""
    if not whole or part is None:
        return None
    return min(1.0, part / whole)
