"""The client's limiter keeps every sliding window inside WeCom's per-API caps (a minute block
lasts 60 s, an hour block 60 min, so touching a cap once costs every welcome of that time)."""

from __future__ import annotations

import asyncio
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


async def test_callers_at_once_never_take_more_than_the_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forty senders waiting on one API together (each wait lets the others run) share its caps: no
    token is handed out twice, and every call gets through."""
    fake, real_sleep = FakeTime(), asyncio.sleep

    async def sleep(seconds: float) -> None:
        fake.now += max(seconds, 1e-6)
        await real_sleep(0)  # the other senders run meanwhile

    monkeypatch.setattr(client_module.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(client_module.asyncio, "sleep", sleep)
    limiter = RateLimiter(per_minute=600, per_hour=3000)
    stamps: list[float] = []

    async def sender() -> None:
        for _ in range(50):
            await limiter.acquire("externalcontact/send_welcome_msg")
            stamps.append(fake.now)
            await real_sleep(0)

    await asyncio.gather(*(sender() for _ in range(40)))
    assert len(stamps) == 2000
    assert busiest(stamps, 60.0) <= 600
    assert busiest(stamps, 3600.0) <= 3000
