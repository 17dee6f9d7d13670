"""The loop every background worker runs: do due work until none is left, then sleep until
woken (a commit that queued work) or the poll interval passes."""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

log = logging.getLogger(__name__)


async def run_loop(name: str, step: Callable[[], Awaitable[int]], wakeup: asyncio.Event, poll_s: float) -> None:
    while True:
        try:
            n = await step()
        except Exception:  # the loop must survive a database blip: work stays queued in the tables
            log.exception("worker round failed", extra={"worker": name})
            n = 0
        if n:
            continue
        wakeup.clear()
        try:
            await asyncio.wait_for(wakeup.wait(), poll_s)
        except asyncio.TimeoutError:
            pass
