"""Group commit: callers that arrive while a write runs share the next one, each gets its own
answer, a failed write fails exactly its own callers, and a cancelled writer strands nobody."""

from __future__ import annotations

import asyncio

import pytest

from bot.groupcommit import GroupCommit


async def test_callers_share_writes_and_a_failure_fails_only_its_batch() -> None:
    writes: list[list[int]] = []
    release = asyncio.Event()

    async def write(items: list[int]) -> list[int]:
        writes.append(items)
        if len(writes) == 1:
            await release.wait()  # the first write is slow: the others pile up behind it
        if 13 in items:
            raise RuntimeError("disk full")
        return [i * 10 for i in items]

    commits = GroupCommit(write)
    first = asyncio.create_task(commits.submit(1))
    await asyncio.sleep(0)
    later = [asyncio.create_task(commits.submit(i)) for i in (2, 3, 13)]
    await asyncio.sleep(0)
    release.set()
    assert await first == 10
    results = await asyncio.gather(*later, return_exceptions=True)
    assert writes == [[1], [2, 3, 13]]
    assert all(isinstance(r, RuntimeError) for r in results)  # one transaction: all or nothing
    assert await commits.submit(4) == 40  # the next batch is unaffected


async def test_a_caller_that_gives_up_leaves_its_batch_and_the_others_answers_alone() -> None:
    release = asyncio.Event()
    writes: list[list[int]] = []

    async def write(items: list[int]) -> list[int]:
        writes.append(items)
        await release.wait()
        return [i * 10 for i in items]

    commits = GroupCommit(write)
    callers = [asyncio.create_task(commits.submit(i)) for i in range(3)]
    await asyncio.sleep(0)
    callers[1].cancel()  # e.g. the request was dropped while its batch was being written
    with pytest.raises(asyncio.CancelledError):
        await callers[1]
    release.set()
    assert [await callers[0], await callers[2]] == [0, 20]
    assert writes == [[0, 1, 2]]  # written with its batch all the same
    assert await commits.submit(5) == 50


async def test_a_cancelled_writer_leaves_nobody_waiting() -> None:
    started = asyncio.Event()

    async def write(items: list[int]) -> list[int]:
        started.set()
        await asyncio.sleep(3600)
        return items

    commits = GroupCommit(write)
    callers = [asyncio.create_task(commits.submit(i)) for i in range(3)]
    await started.wait()
    commits._writer.cancel()  # type: ignore[union-attr]  # what shutdown does to a running write
    for caller in callers:
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(caller, 5)


async def test_a_caller_that_gives_up_before_its_batch_is_written_strands_nobody() -> None:
    """The first caller writes its batch itself; if it is cancelled while the batch is still forming,
    the batch (its own item too) is written all the same and the others get their answers."""
    writes: list[list[int]] = []

    async def write(items: list[int]) -> list[int]:
        writes.append(items)
        return [i * 10 for i in items]

    commits = GroupCommit(write)
    first = asyncio.create_task(commits.submit(1))
    second = asyncio.create_task(commits.submit(2))
    await asyncio.sleep(0)  # both have submitted; the first waits one turn for others to join
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await asyncio.wait_for(second, 5) == 20
    assert writes == [[1, 2]]
    assert await commits.submit(3) == 30  # and the next caller writes again
    assert writes == [[1, 2], [3]]
