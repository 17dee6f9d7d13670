"""The WeCom API client against the emulator: tokens, retries, backoff, deadlines."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import pytest

from bot.errors import ApiError, TransportError
from bot.wecom.client import WeComClient
from bot.wecom.tokens import DbTokenStore
from emulator import Emulator, EmulatorConfig
from tests.harness import make_config

KF_BODY = {"open_kfid": "wkWanziDemoKf01", "cursor": "", "limit": 10}


def client_for(wecom, http, clock, **wecom_overrides) -> WeComClient:
    config = make_config("sqlite+aiosqlite:///:memory:", wecom.base_url, wecom=wecom_overrides)
    return WeComClient(config.wecom, http, clock=clock)


async def test_a_token_is_fetched_once_and_reused(wecom, clock) -> None:
    async with aiohttp.ClientSession() as http:
        client = client_for(wecom, http, clock)
        await asyncio.gather(*(client.call("externalcontact/get_corp_tag_list", {}) for _ in range(10)))
    assert len(wecom.calls("gettoken")) == 1


async def test_an_expired_token_is_refreshed_before_wecom_rejects_it(wecom, clock) -> None:
    async with aiohttp.ClientSession() as http:
        client = client_for(wecom, http, clock)
        await client.call("kf/sync_msg", dict(KF_BODY))
        clock.advance(7200 - 200)  # inside the 300 s safety margin
        await client.call("kf/sync_msg", dict(KF_BODY))
    assert len(wecom.calls("gettoken")) == 2
    assert all(c.errcode == 0 for c in wecom.calls("kf/sync_msg"))


async def test_a_wrong_secret_fails_once_without_looping(wecom, clock) -> None:
    async with aiohttp.ClientSession() as http:
        client = client_for(wecom, http, clock, kf_secret="wrong", app_secret="wrong")
        with pytest.raises(ApiError) as info:
            await client.call("kf/sync_msg", dict(KF_BODY))
    assert info.value.errcode == 40001
    assert len(wecom.calls("gettoken")) == 1


async def test_server_errors_and_timeouts_are_retried_then_succeed(wecom, clock) -> None:
    wecom.faults.inject("kf/sync_msg", status=502, times=1)
    wecom.faults.inject("kf/sync_msg", delay=1.0, times=1)
    async with aiohttp.ClientSession() as http:
        client = client_for(wecom, http, clock, request_timeout_s=0.3)
        result = await client.call("kf/sync_msg", dict(KF_BODY))
    assert result["errcode"] == 0
    assert len(wecom.calls("kf/sync_msg")) == 3


async def test_retries_stop_at_the_deadline(wecom, clock) -> None:
    wecom.faults.inject("kf/sync_msg", errcode=-1, times=None)
    async with aiohttp.ClientSession() as http:
        client = client_for(wecom, http, clock, retry_base_s=0.5, max_retries=10)
        started = time.monotonic()
        with pytest.raises(ApiError):
            await client.call("kf/sync_msg", dict(KF_BODY), deadline=clock.time() + 0.4)
    assert time.monotonic() - started < 2
    assert len(wecom.calls("kf/sync_msg")) == 1


async def test_a_refused_connection_is_a_retryable_transport_error(clock) -> None:
    config = make_config("sqlite+aiosqlite:///:memory:", "http://127.0.0.1:9", wecom={"max_retries": 1})
    async with aiohttp.ClientSession() as http:
        client = WeComClient(config.wecom, http, clock=clock)
        with pytest.raises(TransportError) as info:
            await client.call("kf/sync_msg", dict(KF_BODY))
    assert info.value.retryable


async def test_replicas_share_one_token_and_one_refresh(wecom, clock, sessions) -> None:
    async with aiohttp.ClientSession() as http:
        config = make_config("sqlite+aiosqlite:///:memory:", wecom.base_url)
        replicas = [WeComClient(config.wecom, http, clock=clock, tokens=DbTokenStore(sessions, clock))
                    for _ in range(3)]
        await asyncio.gather(*(c.call("externalcontact/get_corp_tag_list", {}) for c in replicas for _ in range(3)))
        assert len(wecom.calls("gettoken")) == 1
        wecom.invalidate_tokens()  # WeCom drops the token early: one refresh serves every replica
        results = await asyncio.gather(*(c.call("externalcontact/get_corp_tag_list", {}) for c in replicas))
        assert [r["errcode"] for r in results] == [0, 0, 0]
        assert len(wecom.calls("gettoken")) == 2
        await asyncio.gather(*(c.call("externalcontact/get_corp_tag_list", {}) for c in replicas))
        assert len(wecom.calls("gettoken")) == 2


def token_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == "bot.wecom.client"]


async def test_a_token_kept_from_before_a_wecom_restart_is_replaced_once_and_every_call_succeeds(
        wecom, clock, sessions, caplog: pytest.LogCaptureFixture) -> None:
    """`make sandbox` stopped and started again: the database keeps the token, the new emulator
    never issued it (40014). The first calls drop it, one fetch serves them all, one warning."""
    async with aiohttp.ClientSession() as http:
        before = WeComClient(make_config("sqlite+aiosqlite:///:memory:", wecom.base_url).wecom, http, clock=clock,
                             tokens=DbTokenStore(sessions, clock))
        await before.call("kf/sync_msg", dict(KF_BODY))
        restarted = Emulator(EmulatorConfig(), clock=clock)
        await restarted.start()
        try:
            after = WeComClient(make_config("sqlite+aiosqlite:///:memory:", restarted.base_url).wecom, http,
                                clock=clock, tokens=DbTokenStore(sessions, clock))
            caplog.clear()
            results = await asyncio.gather(*(after.call("kf/sync_msg", dict(KF_BODY)) for _ in range(10)))
            assert [r["errcode"] for r in results] == [0] * 10
            assert len(restarted.calls("gettoken")) == 1
            assert {c.errcode for c in restarted.calls("kf/sync_msg")} == {0, 40014}
            assert len(token_warnings(caplog)) == 1  # one line for the dropped token, not one per call
        finally:
            await restarted.stop()


async def test_a_token_wecom_revokes_early_is_refetched_and_the_call_retried_once(wecom, clock, caplog) -> None:
    async with aiohttp.ClientSession() as http:
        client = client_for(wecom, http, clock)
        await client.call("kf/sync_msg", dict(KF_BODY))
        wecom.invalidate_tokens()
        caplog.clear()
        results = await asyncio.gather(*(client.call("kf/sync_msg", dict(KF_BODY)) for _ in range(5)))
    assert [r["errcode"] for r in results] == [0] * 5
    assert len(wecom.calls("gettoken")) == 2
    assert len(token_warnings(caplog)) == 1


async def test_a_new_token_wecom_also_rejects_is_not_retried_again(wecom, clock) -> None:
    async with aiohttp.ClientSession() as http:
        client = client_for(wecom, http, clock)
        wecom.faults.inject("kf/sync_msg", errcode=40014, times=5)
        with pytest.raises(ApiError) as info:
            await client.call("kf/sync_msg", dict(KF_BODY))
    assert info.value.errcode == 40014
    assert len(wecom.calls("kf/sync_msg")) == 2 and len(wecom.calls("gettoken")) == 2
