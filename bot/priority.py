"""Acks before work: while callbacks are arriving, the inbox worker makes way between transactions.

Everything runs on one event loop, so a handler's CPU delays every ack queued behind it; the
acks must come within WeCom's 5 s (and, by issue 15's goal, within 20 ms), the work they queue
may wait a moment. The inbox pauses only between transactions (nothing held while it waits),
for at most `most_s` at a time, so a steady stream of callbacks slows it but never stops it;
events carrying a 20-second code never wait (bot/inbox.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Callable

QUIET_S = 0.003  # no callback for this long: the burst is over (or there is a gap to work in)
MOST_S = 0.2  # the longest the inbox makes way at a time


class AckPriority:
    def __init__(self, *, quiet_s: float = QUIET_S, most_s: float = MOST_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.quiet_s = quiet_s
        self.most_s = most_s
        self.monotonic = monotonic
        self.handling = 0  # callbacks between their first byte read and their ack
        self.last = float("-inf")  # when the last one ended

    def __enter__(self) -> AckPriority:
        self.handling += 1
        return self

    def __exit__(self, *_: object) -> None:
        self.handling -= 1
        self.last = self.monotonic()

    def pressed(self) -> bool:
        """Callbacks are being acked right now (or were, a moment ago)."""
        return self.handling > 0 or self.monotonic() - self.last < self.quiet_s

    async def make_way(self) -> None:
        """Wait while callbacks are pressing, at most `most_s`."""
        end = self.monotonic() + self.most_s
        while self.pressed() and self.monotonic() < end:
            await asyncio.sleep(self.quiet_s)
