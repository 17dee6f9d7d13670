"""Time as a dependency: the system clock in production, a FakeClock in tests and benchmarks."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def time(self) -> float:
        """Unix seconds."""

    def now(self) -> datetime:
        """Aware UTC datetime."""


class SystemClock:
    def time(self) -> float:
        return time.time()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FakeClock:
    """A clock that only moves when told; tests share one between the bot and the emulator."""

    def __init__(self, start: float | None = None) -> None:
        self._t = time.time() if start is None else start

    def time(self) -> float:
        return self._t

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._t, timezone.utc)

    def advance(self, seconds: float) -> None:
        self._t += seconds

    def set(self, t: float) -> None:
        self._t = t


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)
