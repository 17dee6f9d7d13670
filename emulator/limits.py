"""Sliding one-minute (or longer) windows for 45009 and silent drops, timed by the injected clock."""

from __future__ import annotations

from collections import deque

from bot.clock import Clock

WINDOW = 60.0


class RateLimiter:
    """Counts accepted hits per key over the last 60 s (errors-and-limits.md §3, outbound.md §2)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def allow(self, key: str, per_minute: int, *, window: float = WINDOW) -> bool:
        """Record a hit and say yes, or say no (and record nothing) when the window is full.

        `window` widens the window for hourly caps (then `per_minute` is the count per window)."""
        now = self._clock.time()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= per_minute:
            return False
        hits.append(now)
        return True

    def reset(self) -> None:
        self._hits.clear()
