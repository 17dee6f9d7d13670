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
    # and it is not timid: the whole minute cap goes at once, the next call waits for the window
    # to slide (a second more than WeCom's minute), and the hour's cap is reached within the hour
    assert stamps[599] == stamps[0]
    assert 60.0 < stamps[600] - stamps[0] <= 62.0
    assert stamps[2999] - stamps[0] < 3600.0
    assert 3600.0 < stamps[3000] - stamps[0] <= 3720.0


async def test_a_burst_of_the_whole_minute_cap_goes_out_at_once(fake_time: FakeTime) -> None:
    """WeCom takes 10,000 calls of an API inside any minute: a live stream's burst of welcomes is
    not stretched over half a minute by us; only the call past the cap waits."""
    limiter = RateLimiter(per_minute=10_000, per_hour=150_000)
    assert limiter.most_in(60) == 10_000
    assert limiter.most_in(3600) <= 150_000
    started = fake_time.now
    for _ in range(10_000):
        await limiter.acquire("externalcontact/send_welcome_msg")
    assert fake_time.now == started
    assert limiter.wait_s("externalcontact/send_welcome_msg") > 60.0
    await limiter.acquire("externalcontact/send_welcome_msg")
    assert fake_time.now > started + 60.0


async def test_apis_are_paced_separately(fake_time: FakeTime) -> None:
    limiter = RateLimiter(per_minute=60)
    for _ in range(60):
        await limiter.acquire("kf/send_msg")
    started = fake_time.now
    await limiter.acquire("externalcontact/send_welcome_msg")
    assert fake_time.now == started  # another API's window is empty
    await limiter.acquire("kf/send_msg")
    assert fake_time.now > started  # this one waited for its window to slide


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
    assert limiter.most_in(60) == 600


async def test_a_replica_joining_waits_until_the_calls_already_made_leave_the_window(fake_time: FakeTime) -> None:
    """A full minute taken alone stays counted when a second replica comes: this one's half is
    already spent, so its next call waits for the window to slide."""
    limiter = RateLimiter(per_minute=600)
    for _ in range(400):
        await limiter.acquire("kf/send_msg")
    started = fake_time.now
    limiter.share(2)
    await limiter.acquire("kf/send_msg")
    assert fake_time.now > started + 60.0


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
