"""Group commit: whatever is submitted while one write transaction runs goes into the next, so a
burst costs a few commits, not one per item.

Each caller still waits for its own answer, which exists only once its transaction committed;
a failed transaction fails every caller in it (the intake answers those callbacks 503, the
delivery worker leaves those rows leased, to be claimed again). When nobody is writing, the caller that
arrives writes the batch itself (after one turn of the loop, in which others may join); the callers that
arrive during its write get a writer task, which writes batch after batch while callers keep coming."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    def __init__(self, write: Callable[[list[T]], Awaitable[list[R]]], max_batch: int = 500) -> None:
        self.write = write  # one transaction for the batch; one answer per item, in order
        self.max_batch = max_batch
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._waiting.append((item, future))
        if self._writer is not None and not self._writer.done():
            # Not shielded: a caller that gives up cancels only its own future, which the writer then skips
            # (the item is written with its batch all the same); a shield cost a second future per item.
            return await future
        # Nobody is writing: this caller writes the batch itself, so the commit wakes its own caller, not a task
        # that then wakes it (one task and one turn of the loop less per commit; bench/README.md, "Intake CPU per
        # callback"). `_writer` is this caller's task while it writes: a cancellation of it is a cancelled writer.
        self._writer = asyncio.current_task(loop)
        try:
            await asyncio.sleep(0)  # callers arriving in this same turn of the loop join the batch
        except asyncio.CancelledError:  # gave up before writing: its item is written with the others all the same
            future.cancel()
            self._writer = None
            self._hand_over()
            raise
        try:
            await self._write_batch()
        finally:
            self._writer = None
            self._hand_over()
        return future.result()

    def _hand_over(self) -> None:
        """Callers waiting for the next batch get a writer task (the caller that wrote the last one answers now)."""
        if self._waiting and (self._writer is None or self._writer.done()):
            self._writer = asyncio.create_task(self._write_all())

    async def _write_all(self) -> None:
        while self._waiting:
            await self._write_batch()

    async def _write_batch(self) -> None:
        batch, self._waiting = self._waiting[:self.max_batch], self._waiting[self.max_batch:]
        try:
            answers = await self.write([item for item, _ in batch])
        except Exception as exc:  # handed to every caller in the batch
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        except BaseException:  # cancelled (shutdown): nobody may be left waiting forever
            for _, future in batch + self._waiting:
                future.cancel()
            self._waiting = []
            raise
        else:
            for (_, future), answer in zip(batch, answers, strict=True):
                if not future.done():
                    future.set_result(answer)
