"""A day's digest: every metric with the day before and the 7-day average, and daily series.

The comparison days run the same providers over their own windows, so "previous day" and
"7-day average" mean exactly what the day's number means. The 7-day average is over the seven
days before the digest's day (not including it), skipping days without a value (a rate with
nothing to divide).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import GROUP_LABELS, Breakdown, Metric, Number, Registry, Value, Window
from handlers.digest.registry import default_registry

SCALAR_KINDS = ("count", "rate", "seconds")


@dataclass(frozen=True, slots=True)
class Line:
    metric: Metric
    value: Value
    previous: Value = None
    average7: float | None = None
    pending: str = ""  # the feature that will supply it; "" when tracked

    @property
    def tracked(self) -> bool:
        return not self.pending

    @property
    def change(self) -> float | None:
        """Against the previous day: a difference (rates: in percentage points ×0.01)."""
        if isinstance(self.value, (int, float)) and isinstance(self.previous, (int, float)):
            return self.value - self.previous
        return None

    @property
    def vs_average(self) -> float | None:
        if isinstance(self.value, (int, float)) and self.average7 is not None:
            return self.value - self.average7
        return None


@dataclass(frozen=True, slots=True)
class Digest:
    day: date
    tz: str
    generated_at: datetime
    lines: tuple[Line, ...]

    @property
    def complete(self) -> bool:
        """False while the day is still running (a console view of today)."""
        return self.generated_at >= Window.of(self.day, self.tz).end

    def has(self, key: str) -> bool:
        return any(line.metric.key == key for line in self.lines)

    def line(self, key: str) -> Line:
        for line in self.lines:
            if line.metric.key == key:
                return line
        raise KeyError(key)

    def value(self, key: str) -> Value:
        return self.line(key).value

    def groups(self) -> list[tuple[str, list[Line]]]:
        """Lines under their group's Chinese title, in the seed order growth → … → outreach."""
        return [(label, [ln for ln in self.lines if ln.metric.group == group])
                for group, label in GROUP_LABELS.items() if any(ln.metric.group == group for ln in self.lines)]


def _scalar_keys(registry: Registry) -> list[str]:
    return [m.key for m in registry.metrics if m.kind in SCALAR_KINDS]


Vocabularies = Mapping[str, Mapping[str, str]]  # vocabulary name → {stored key: label}


def relabel(metric: Metric, value: Breakdown, vocabularies: Vocabularies) -> Breakdown:
    """A breakdown's stored keys as their labels (a stage "new" as 新朋友, a reason as its words); unknown
    keys stay as stored."""
    words = dict(metric.words) | dict(vocabularies.get(metric.vocabulary, {}) if metric.vocabulary else {})
    if not words:
        return value
    shown: dict[str, Number] = {}
    for label, n in value.items:  # two keys may read alike (no level yet, and 柚芽): one item, their sum
        said = words.get(label, label)
        shown[said] = shown.get(said, 0) + n
    named_none = any(label == "" for label, _ in value.items) and "" in vocabularies.get(metric.vocabulary, {})
    if len(shown) == len(value.items) and not named_none:
        return Breakdown(tuple(shown.items()))
    # the no-key row was listed last for what it was; named, it takes its place by count like the others
    return Breakdown(tuple(sorted(shown.items(), key=lambda item: -item[1])))


async def build_digest(session: AsyncSession, day: date, tz: str, *, now: datetime,
                       registry: Registry | None = None, vocabularies: Vocabularies | None = None) -> Digest:
    """Compute the digest of local `day` in time zone `tz` from stored data; breakdowns whose metric
    names a vocabulary are shown with its labels."""
    registry = registry or default_registry()
    window = Window.of(day, ZoneInfo(tz), now=now)
    today = await registry.compute(session, window)
    scalar = _scalar_keys(registry)
    history = [await registry.compute(session, window.shift(-i), keys=scalar) for i in range(1, 8)]
    lines = []
    for metric in registry.metrics:
        pending = registry.pending_reason(metric.key)
        if pending:
            lines.append(Line(metric, None, pending=pending))
            continue
        value = today.get(metric.key)
        if metric.kind not in SCALAR_KINDS:
            shown = relabel(metric, value, vocabularies or {}) if isinstance(value, Breakdown) else Breakdown()
            lines.append(Line(metric, shown))
            continue
        past = [h.get(metric.key) for h in history]
        numbers = [v for v in past if isinstance(v, (int, float))]
        lines.append(Line(metric, value, past[0], fmean(numbers) if numbers else None))
    return Digest(day, tz, now, tuple(lines))


async def daily_series(session: AsyncSession, keys: Sequence[str], last_day: date, tz: str, *, days: int = 30,
                       registry: Registry | None = None,
                       now: datetime | None = None) -> dict[str, list[tuple[date, Value]]]:
    """`days` consecutive values of each tracked key up to `last_day` (pending keys: empty lists);
    `now` cuts a day that is still running there."""
    registry = registry or default_registry()
    tracked = [k for k in keys if not registry.pending_reason(k)]
    series: dict[str, list[tuple[date, Value]]] = {k: [] for k in keys}
    if not tracked:
        return series
    zone = ZoneInfo(tz)
    for offset in range(days - 1, -1, -1):
        day = last_day - timedelta(days=offset)
        values = await registry.compute(session, Window.of(day, zone, now=now), keys=tracked)
        for key in tracked:
            series[key].append((day, values.get(key)))
    return series
