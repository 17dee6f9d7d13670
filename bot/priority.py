"""Acks before work: while callbacks queue up, the inbox worker makes way between transactions.

Everything runs on one event loop (and one GIL), so a handler's CPU delays every ack queued behind
it; the acks must come within WeCom's 5 s (and, by issue 15's goal, within 20 ms), the work they
queue may wait a moment. Pressure is several callbacks in flight at once (a queue is forming): a
steady stream that the intake keeps up with has one or none in flight and costs the workers nothing
(making way for every single callback starved the inbox in a mixed load of 200 events/s: 315 of
2,000 answered, against main's 1,446; bench/README.md). The inbox pauses only between
transactions (nothing held while it waits), for at most `most_s` at a time, looking again every 2 ms.

How much of its time it gives: each worker holds a credit of waiting time, full at `credit_s`
(`[server] ack_credit_s`), and spends at most `most_s` (0.2 s) of it at a time; work refills it
(`share` 0.5: each second of work earns a second of waiting), so under a flood that never ends a
worker spends at most about half of its time waiting: without that bound a flood the intake cannot
keep up with pressed all the time and the inbox spent 0.2 s of every 5 events waiting; the mixed
load at 1,000 events/s answered no kf question and no staff command (bench/README.md). By default
the credit is one wait (0.2 s); a larger one (opt-in, e.g. 1 s) waits a whole burst of about that
length out with the workers all but idle, then shares as before: on the loaded machine of perf18 it
was not shown better than 0.2 s (bench/README.md, perf18), so it is left for a quiet machine to judge.
The intake journal's drain makes way through the same credit; the delivery worker's main loop makes
way through a credit of its own (`companion`).
Events carrying a 20-second code never wait (bot/inbox.py)."""

from __future__ import annotations

import asyncio
from typing import Callable

PRESSING = 4  # callbacks in flight at once from which the workers make way
MOST_S = 0.2  # the longest a worker makes way at a time
CREDIT_S = MOST_S  # the most waiting time a worker can have in hand (`[server] ack_credit_s`)
POLL_S = 0.002
SHARE = 0.5  # under a flood, the most of its time a worker spends making way once its credit is spent


class AckPriority:
    def __init__(self, *, pressing: int = PRESSING, most_s: float = MOST_S, share: float = SHARE,
                 credit_s: float = CREDIT_S, monotonic: Callable[[], float] | None = None) -> None:
        self.pressing = pressing
        self.most_s = most_s
        self.share = share
        self.credit_s = max(credit_s, most_s)
        self.monotonic = monotonic or (lambda: asyncio.get_running_loop().time())
        self.handling = 0  # callbacks between their first byte read and their ack
        self._allowance = self.credit_s  # seconds of making way in hand
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
        """Another worker's way of making way for the same callbacks, with a credit of its own
        (one shared credit would let one worker spend what the other earned)."""
        other = AckPriority(pressing=self.pressing, most_s=self.most_s, share=self.share, credit_s=self.credit_s,
                            monotonic=self.monotonic)
        other._source = self
        return other

    async def make_way(self) -> None:
        """Wait while callbacks are pressing, at most `most_s` and no longer than the credit allows."""
        start = self.monotonic()
        if self._last is not None:  # the work since the last wait earns waiting time
            earned = (start - self._last) * self.share / (1.0 - self.share)
            self._allowance = min(self.credit_s, self._allowance + earned)
        end = start + min(self.most_s, self._allowance)
        while self.pressed() and (left := end - self.monotonic()) > 0:
            await self._eased(left)
        self._last = self.monotonic()
        self._allowance = max(0.0, self._allowance - (self._last - start))

    async def _eased(self, most_s: float) -> None:
        """A poll's wait (at most `most_s`). Not woken the moment fewer callbacks are in flight: acks
        end in groups (a group commit answers them together), so the count dips below `pressing` for an
        instant many times a burst while the next requests are already on their way; woken then, in the
        one pair measured the workers sent more answers during the burst (780 against 632) and the acks
        were slower (583 against 1,088 req/s; bench/README.md, perf18)."""
        await asyncio.sleep(min(POLL_S, most_s))
