"""Acks before work: while callbacks queue up, the inbox worker makes way between transactions.

Everything runs on one event loop, so a handler's CPU delays every ack queued behind it; the
acks must come within WeCom's 5 s (and, by issue 15's goal, within 20 ms), the work they queue
may wait a moment. Pressure is several callbacks in flight at once (a queue is forming): a steady
stream that the intake keeps up with has one or none in flight and costs the workers nothing
(making way for every single callback starved the inbox in a mixed load of 200 events/s: 315 of
2,000 answered, against main's 1,446; bench/README.md). The inbox pauses only between
transactions (nothing held while it waits), for at most `most_s` at a time and at most `share`
of its time: each wait is paid for by as long a stretch of work before it (share 0.5). Without that
bound a flood the intake cannot keep up with pressed all the time and the inbox spent 0.2 s of
every 5 events waiting: the mixed load at 1,000 events/s answered no kf question and no staff
command (bench/README.md). The intake journal's drain makes way through the same allowance; the
delivery worker's main loop makes way through an allowance of its own (`companion`).
Events carrying a 20-second code never wait (bot/inbox.py)."""

from __future__ import annotations

import asyncio
from typing import Callable

PRESSING = 4  # callbacks in flight at once from which the workers make way
MOST_S = 0.2  # the longest the inbox makes way at a time
SHARE = 0.5  # the most of its time the inbox spends making way while callbacks press
POLL_S = 0.002


class AckPriority:
    def __init__(self, *, pressing: int = PRESSING, most_s: float = MOST_S, share: float = SHARE,
                 monotonic: Callable[[], float] | None = None) -> None:
        self.pressing = pressing
        self.most_s = most_s
        self.share = share
        self.monotonic = monotonic or (lambda: asyncio.get_running_loop().time())
        self.handling = 0  # callbacks between their first byte read and their ack
        self._allowance = most_s  # seconds of making way earned by the work done since the last wait
        self._last: float | None = None  # when the last wait ended
        self._source: AckPriority | None = None  # a companion's: whose callbacks count

    def __enter__(self) -> AckPriority:
        self.handling += 1
        return self

    def __exit__(self, *_: object) -> None:
        self.handling -= 1

    def pressed(self) -> bool:
        """Callbacks are queueing: several in flight at once."""
        return (self._source or self).handling >= self.pressing

    def companion(self) -> AckPriority:
        """Another worker's way of making way for the same callbacks, with an allowance of its own
        (one shared allowance would let one worker spend what the other earned)."""
        other = AckPriority(pressing=self.pressing, most_s=self.most_s, share=self.share, monotonic=self.monotonic)
        other._source = self
        return other

    async def make_way(self) -> None:
        """Wait while callbacks are pressing, at most `most_s` and no longer than `share` allows."""
        start = self.monotonic()
        if self._last is not None:  # the work since the last wait earns waiting time
            earned = (start - self._last) * self.share / (1.0 - self.share)
            self._allowance = min(self.most_s, self._allowance + earned)
        end = start + self._allowance
        while self.pressed() and self.monotonic() < end:
            await asyncio.sleep(POLL_S)
        self._last = self.monotonic()
        self._allowance = max(0.0, self._allowance - (self._last - start))
