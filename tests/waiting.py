"""Waiting for something another process (or a browser) does, on a real clock: poll a condition
until it holds. In-process tests never need this: they `drain()` the bot on a FakeClock."""

from __future__ import annotations

import asyncio
import inspect
from typing import Awaitable, Callable, TypeVar, overload

T = TypeVar("T")


@overload
async def wait_until(condition: Callable[[], Awaitable[T]], *, timeout: float = ..., interval: float = ...) -> T: ...
@overload
async def wait_until(condition: Callable[[], T], *, timeout: float = ..., interval: float = ...) -> T: ...


async def wait_until(condition: Callable[[], object], *, timeout: float = 20.0, interval: float = 0.05) -> object:
    """Poll `condition` (sync or async) until it returns something truthy and return that; after
    `timeout` seconds return its last, falsy answer, for the caller to assert on."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result or loop.time() >= deadline:
            return result
        await asyncio.sleep(interval)
