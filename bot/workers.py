"""The loop every background worker runs: do due work until none is left, then sleep until
woken (a commit that queued work) or the poll interval passes."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Collection, Iterable, Protocol

log = logging.getLogger(__name__)


async def wait_for_event(event: asyncio.Event, timeout: float) -> bool:
    """Wait until `event` is set or `timeout` seconds pass; True when it was set.

    Not `asyncio.wait_for(event.wait(), …)`: on Python 3.11 that returns normally when the task is
    cancelled in the very turn the event is set, so a stopping worker's loop went on forever (a
    shutdown, or a test's teardown, hung). `asyncio.timeout` waits in the task itself: a cancellation
    always arrives."""
    if event.is_set():
        return True
    try:
        async with asyncio.timeout(timeout):
            await event.wait()
    except TimeoutError:
        return False
    return True


async def finish(*tasks: asyncio.Future[Any]) -> None:
    """Stop these tasks and wait until every one has ended. A stopping `gather` ends at its first cancelled
    child and leaves the others running, unawaited: one cancelled inside a database call was still closing its
    connection (SQLAlchemy's shielded close) when the event loop shut down and cancelled it a second time, and
    aiosqlite's close then waited for a thread that had stopped: the process (a test's teardown) hung. A task
    already told to stop is not told again; it is waited for."""
    for task in tasks:
        if not task.done() and not (isinstance(task, asyncio.Task) and task.cancelling()):
            task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def run_loop(name: str, step: Callable[[], Awaitable[int]], wakeup: asyncio.Event,
                   poll_s: float | Callable[[], float]) -> None:
    """`poll_s` may be a function: the time until the loop's next planned work (e.g. a retry)."""
    while True:
        try:
            n = await step()
        except Exception:  # the loop must survive a database blip: work stays queued in the tables
            log.exception("worker round failed", extra={"worker": name})
            n = 0
        if n:
            continue
        wakeup.clear()
        await wait_for_event(wakeup, poll_s() if callable(poll_s) else poll_s)


class Wakeup(asyncio.Event):
    """A wake-up that also wakes other loops (e.g. the delivery worker's deadline-bound loop)."""

    def __init__(self, *also: asyncio.Event) -> None:
        super().__init__()
        self.also = also

    def set(self) -> None:
        super().set()
        for event in self.also:
            event.set()

    def set_alone(self) -> None:
        """Wake this loop only."""
        super().set()


class CountedWakeup(Wakeup):
    """A wake-up counting the wakes from outside (work queued), so a loop that took all of its due
    work can tell whether any came since; `set_alone`, a loop's own wake, is not counted."""

    def __init__(self, *also: asyncio.Event) -> None:
        super().__init__(*also)
        self.sets = 0

    def set(self) -> None:
        self.sets += 1
        super().set()


class Worker(Protocol):
    """A background worker the app runs and `drain()` steps: `run_once()` returns the work done."""

    name: str
    wakeup: asyncio.Event
    in_flight: int

    async def run_once(self) -> int: ...

    async def run_forever(self) -> None: ...


class StepWorker:
    """A background worker around one `step() -> int` (work done; 0 = nothing due), e.g. the
    chunked expansion of confirmed broadcasts."""

    def __init__(self, name: str, step: Callable[[], Awaitable[int]], poll_s: float,
                 on_work: Callable[[], None] = lambda: None, *, wants: Collection[str] | None = None) -> None:
        self.name = name
        self.wants = frozenset(wants) if wants is not None else None  # tables whose writes may give it work
        self.step = step
        self.poll_s = poll_s
        self.on_work = on_work
        self.wakeup = asyncio.Event()
        self.in_flight = 0

    async def run_once(self) -> int:
        self.in_flight += 1
        try:
            n = await self.step()
        finally:
            self.in_flight -= 1
        if n:
            self.on_work()
        return n

    async def run_forever(self) -> None:
        await run_loop(self.name, self.run_once, self.wakeup, self.poll_s)


class Throttled:
    """Calls `wake` at once, or, when it ran less than `gap_s` ago, once when the gap is over: a
    burst of commits wakes the feature workers a few times a second, not once per commit (each
    wake is a transaction that mostly finds nothing, on SQLite's one connection), and no wake is lost."""

    def __init__(self, wake: Callable[[], None], gap_s: float) -> None:
        self.wake = wake
        self.gap_s = gap_s
        self._last = float("-inf")
        self._later: asyncio.TimerHandle | None = None

    def __call__(self) -> None:
        if self._later is not None:
            return  # a wake is already planned for the end of the gap
        loop = asyncio.get_running_loop()
        wait = self._last + self.gap_s - loop.time()
        if wait <= 0:
            self._fire()
        else:
            self._later = loop.call_later(wait, self._fire)

    def _fire(self) -> None:
        self._later = None
        self._last = asyncio.get_running_loop().time()
        self.wake()


class CommitWakes:
    """Wakes the feature workers after commits, at most every `gap_s` (Throttled), and only those a
    commit may have given work: a worker with `wants` (table names) only when one of those tables
    was written since its last wake; one without, or a commit whose tables are unknown (None), wakes
    them all. Each wake is a transaction on SQLite's one connection; in a kf burst most found nothing
    (bench/README.md). Every worker still polls on its own interval, so a wake missed costs a poll."""

    def __init__(self, workers: Iterable[Worker], gap_s: float) -> None:
        self.workers = list(workers)
        self._written: set[str] | None = set()  # since the last wake; None: unknown, wake all
        self._throttled = Throttled(self._wake, gap_s)

    def __call__(self, written: Collection[str] | None = None) -> None:
        if written is None or "*" in written:
            self._written = None
        elif self._written is not None:
            self._written.update(written)
        self._throttled()

    def _wake(self) -> None:
        written, self._written = self._written, set()
        for worker in self.workers:
            wants: frozenset[str] | None = getattr(worker, "wants", None)
            if wants is None or written is None or not wants.isdisjoint(written):
                worker.wakeup.set()
