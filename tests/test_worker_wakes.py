"""Commits wake the feature workers (order matching, profile reads, the tag mirror ...); in a burst
they are woken a few times a second rather than after every commit, and the last commit of a
burst still wakes them, so nothing queued waits for the next poll."""

from __future__ import annotations

import asyncio

from bot.workers import Throttled


async def test_a_burst_of_commits_wakes_the_workers_at_once_and_once_more_after_it() -> None:
    woken: list[float] = []
    loop = asyncio.get_running_loop()
    wake = Throttled(lambda: woken.append(loop.time()), gap_s=0.05)

    start = loop.time()
    for _ in range(100):  # a hundred commits in a row
        wake()
    assert len(woken) == 1  # the first one wakes them at once
    await asyncio.sleep(0.2)
    assert len(woken) == 2  # the rest of the burst: one more wake when the gap is over, none lost
    assert woken[1] - start >= 0.05

    wake()  # a lone commit long after: at once again
    assert len(woken) == 3
