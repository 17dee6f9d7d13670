"""Sliding one-minute (or longer) windows for 45009 and silent drops, timed by the injected clock."""

from __future__ import annotations

from collections import deque

from bot.clock import Clock

WINDOW = 60.0
HOUR = 3600.0


class RateLimiter:
    """Counts accepted hits per key over the last 60 s (errors-and-limits.md §3, outbound.md §2).

    A cap with a `block` (WeCom's per-API caps: "minute-level blocks last 60 s, hour-level 60 min") refuses
    every hit of that key for `block` seconds once it is overrun, however the window slides meanwhile."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._blocked: dict[str, float] = {}

    def allow(self, key: str, per_minute: int, *, window: float = WINDOW, block: float = 0.0) -> bool:
        """Record a hit and say yes, or say no (and record nothing) when the window is full.

        `window` widens the window for hourly caps (then `per_minute` is the count per window)."""
        return self.allow_all((key, per_minute, window, block))

    def allow_all(self, *limits: tuple[str, int, float, float]) -> bool:
        """(key, cap, window, block) each: a hit is recorded under every key when all have room, else under
        none; a full window with a block refuses its key until the block ends."""
        now = self._clock.time()
        full = []
        for key, cap, window, block in limits:
            if now < self._blocked.get(key, now):
                return False
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= cap:
                full.append((key, block))
        if full:
            for key, block in full:
                if block > 0:
                    self._blocked[key] = now + block
            return False
        for key, _, _, _ in limits:
            self._hits[key].append(now)
        return True

    def reset(self) -> None:
        self._hits.clear()
        self._blocked.clear()
