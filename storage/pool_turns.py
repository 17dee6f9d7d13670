"""SQLite's one pooled connection, with the callback intake's group commit served ahead of the workers
(opt-in: `WANZI_SQLITE_POOL=turns`; storage/db.py).

On SQLite every transaction takes the pool's one connection (storage/db.py), and the pool hands it
to waiters in arrival order. An ack waits for its group commit, so it waited behind every worker
transaction queued before it: the inbox's, the delivery worker's claims and outcomes, the feature
workers' steps, the heartbeat; while callbacks were acked at full speed, the group commit waited p50
4–7 ms and p99 64–67 ms for the connection, and the connection was busy nearly all the time
(bench/README.md, fourteenth slice). Here a checkout made inside `ahead()` (the group commit's,
storage/sqlite_intake.py) is handed the connection before the waiting workers, but never twice in a
row while a worker waits: the turns then alternate, so an ack waits for at most one worker
transaction and the workers still get every other turn, whatever the rate of callbacks.

The connection is handed to a waiter directly (never put back where another caller could take it
first); a waiter that gives up (timeout, cancellation) after it was handed the connection puts it back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from contextvars import ContextVar
from typing import Iterator, TypeVar

from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import await_only
from sqlalchemy.util.queue import Empty, Full, QueueCommon

T = TypeVar("T")
_AHEAD: ContextVar[bool] = ContextVar("wanzi_pool_ahead", default=False)


@contextlib.contextmanager
def ahead() -> Iterator[None]:
    """Checkouts made inside go before waiting workers (one turn in two while workers wait)."""
    token = _AHEAD.set(True)
    try:
        yield
    finally:
        _AHEAD.reset(token)


async def _within(timeout: float | None, waiter: asyncio.Future[T]) -> T:
    """The waiter's connection, or TimeoutError. Not `asyncio.wait_for`: on Python 3.11 it returns the
    connection to a caller cancelled in the turn it was handed over, so the cancellation was lost."""
    async with asyncio.timeout(timeout):
        return await asyncio.shield(waiter)


class TurnQueue(QueueCommon[T]):
    """The pool's queue of idle connections and of the checkouts waiting for one, in two lines."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        self.maxsize = maxsize
        self.use_lifo = use_lifo
        self._idle: deque[T] = deque()
        self._ahead: deque[asyncio.Future[T]] = deque()  # checkouts inside `ahead()`
        self._behind: deque[asyncio.Future[T]] = deque()  # every other checkout, in arrival order
        self._last_ahead = False  # the connection's last checkout was one of `ahead()`'s

    def empty(self) -> bool:
        return not self._idle

    def full(self) -> bool:
        return 0 < self.maxsize <= len(self._idle)

    def qsize(self) -> int:
        return len(self._idle)

    def put_nowait(self, item: T) -> None:
        while True:
            waiter, is_ahead = self._next()
            if waiter is None:
                break
            if not waiter.done():  # a cancelled waiter is skipped
                waiter.set_result(item)
                self._last_ahead = is_ahead
                return
        if self.full():
            raise Full()
        self._idle.append(item)

    def put(self, item: T, block: bool = True, timeout: float | None = None) -> None:
        self.put_nowait(item)  # the pool never holds more connections than its size: never blocks

    def get_nowait(self) -> T:
        if not self._idle:
            raise Empty()
        self._last_ahead = _AHEAD.get()
        return self._idle.pop() if self.use_lifo else self._idle.popleft()

    def get(self, block: bool = True, timeout: float | None = None) -> T:
        if self._idle or not block:
            return self.get_nowait()
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        (self._ahead if _AHEAD.get() else self._behind).append(waiter)
        try:
            return await_only(_within(timeout, waiter))
        except TimeoutError as exc:
            self._give_up(waiter)
            raise Empty() from exc
        except BaseException:
            self._give_up(waiter)
            raise

    def _next(self) -> tuple[asyncio.Future[T] | None, bool]:
        """The waiter served next: one inside `ahead()` first, unless the last checkout was one and
        a worker waits; then the longest-waiting other."""
        if self._ahead and not (self._last_ahead and self._behind):
            return self._ahead.popleft(), True
        if self._behind:
            return self._behind.popleft(), False
        return None, False

    def _give_up(self, waiter: asyncio.Future[T]) -> None:
        if waiter.done() and not waiter.cancelled():  # handed the connection as it gave up: pass it on
            self.put_nowait(waiter.result())
            return
        waiter.cancel()
        for line in (self._ahead, self._behind):
            with contextlib.suppress(ValueError):
                line.remove(waiter)


class TurnPool(AsyncAdaptedQueuePool):
    _queue_class = TurnQueue  # type: ignore[assignment]
