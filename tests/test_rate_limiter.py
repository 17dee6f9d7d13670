"""The client's limiter keeps every sliding window inside WeCom's per-API caps (a minute block
lasts 60 s, an hour block 60 min, so touching a cap once costs every welcome of that time)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque

import pytest

from bot.wecom import client as client_module
from bot.wecom.client import RateLimiter


class FakeTime:
    """time.monotonic and asyncio.sleep for the limiter: sleeping advances the clock at once."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 1e-6)


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(client_module.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(client_module.asyncio, "sleep", fake.sleep)
    return fake


_yield = asyncio.sleep  # the real one: the fixtures replace asyncio.sleep


class VirtualTime(FakeTime):
    """Many callers sleeping at once on one loop: each wakes at its own time, earliest first, and
    the clock moves only when every caller is waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self.order = itertools.count()

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self.sleepers, (self.now + max(seconds, 1e-6), next(self.order), woken))
        await woken

    async def run(self, tasks: list[asyncio.Task[None]]) -> None:
        while not all(task.done() for task in tasks):
            for _ in range(3):
                await _yield(0)
            if self.sleepers:
                wake, _, woken = heapq.heappop(self.sleepers)
                self.now = max(self.now, wake)
                woken.set_result(None)


def busiest(stamps: list[float], window: float) -> int:
    """The most calls inside any window of `window` seconds."""
    inside: deque[float] = deque()
    most = 0
    for t in stamps:
        inside.append(t)
        while inside[0] <= t - window:
            inside.popleft()
        most = max(most, len(inside))
    return most


async def test_a_campaign_at_full_speed_never_touches_the_minute_or_the_hour_cap(fake_time: FakeTime) -> None:
    limiter = RateLimiter(per_minute=600, per_hour=3000)  # WeCom's 10,000 / 150,000 scaled down
    stamps = []
    for _ in range(4000):  # as fast as the limiter lets them: 90 minutes of calls
        await limiter.acquire("externalcontact/send_welcome_msg")
        stamps.append(fake_time.now)
    assert busiest(stamps, 60.0) <= 600
    assert busiest(stamps, 3600.0) <= 3000
    # and it is not timid: the first minute carries most of the minute cap
    assert busiest(stamps[:600], 60.0) >= 550


async def test_wecom_caps_give_more_than_150_welcomes_a_second_within_the_minute_cap() -> None:
    limiter = RateLimiter(per_minute=10_000, per_hour=150_000)
    assert limiter.most_in(60) <= 10_000
    assert limiter.most_in(3600) <= 150_000
    assert limiter.rate >= 150  # a QR campaign at 150 new friends a second is never slowed by us


async def test_apis_are_paced_separately(fake_time: FakeTime) -> None:
    limiter = RateLimiter(per_minute=60)  # bursts 10, then 50 a minute
    for _ in range(10):
        await limiter.acquire("kf/send_msg")
    started = fake_time.now
    await limiter.acquire("externalcontact/send_welcome_msg")
    assert fake_time.now == started  # another API's bucket is full
    await limiter.acquire("kf/send_msg")
    assert fake_time.now > started  # this one waited for a token


async def test_replicas_share_the_corps_caps(fake_time: FakeTime) -> None:
    """Two live replicas each take half of every cap, so together they stay inside WeCom's."""
    limiter = RateLimiter(per_minute=600, per_hour=3000)
    limiter.share(2)
    assert limiter.most_in(60) <= 300 and limiter.most_in(3600) <= 1500
    stamps = []
    for _ in range(2000):
        await limiter.acquire("externalcontact/send_welcome_msg")
        stamps.append(fake_time.now)
    assert busiest(stamps, 60.0) <= 300
    assert busiest(stamps, 3600.0) <= 1500
    limiter.share(1)  # the other replica stopped: the whole cap again
    assert limiter.most_in(60) > 500


async def test_callers_waiting_at_once_on_one_loop_stay_inside_the_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Delivery sends many rows at once: 40 callers of one API, each taking 50 calls, never more
    than the caps between them, and none is left waiting."""
    clock = VirtualTime()
    monkeypatch.setattr(client_module.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(client_module.asyncio, "sleep", clock.sleep)
    limiter = RateLimiter(per_minute=600, per_hour=1500)
    stamps: list[float] = []

    async def caller() -> None:
        for _ in range(50):
            await limiter.acquire("externalcontact/send_welcome_msg")
            stamps.append(clock.now)

    tasks = [asyncio.create_task(caller()) for _ in range(40)]
    await clock.run(tasks)
    assert len(stamps) == 2000
    assert busiest(sorted(stamps), 60.0) <= 600
    assert busiest(sorted(stamps), 3600.0) <= 1500
