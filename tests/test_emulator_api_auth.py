"""The API host's envelope, tokens, limits, recording and fault injection (errors-and-limits.md,
customer-contact.md §4)."""

from __future__ import annotations

import re

import aiohttp
import pytest

from bot.clock import FakeClock
from emulator import Emulator, EmulatorConfig
from emulator.testing import ApiClient

ERRMSG_SHAPE = re.compile(r"^.+, hint: \[\w+\], from ip: 127\.0\.0\.1, "
                          r"more info at https://open\.work\.weixin\.qq\.com/devtool/query\?e=(-?\d+)$")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_000_000)


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=3, api_per_minute=5)


def client(emu: Emulator, http: aiohttp.ClientSession, kind: str = "contact") -> ApiClient:
    return ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets[kind])


async def test_gettoken_rejects_bad_corpid_missing_and_wrong_secret(emu: Emulator,
                                                                    http: aiohttp.ClientSession) -> None:
    api = client(emu, http)
    assert (await api.gettoken(corpid="wwNotOurs"))["errcode"] == 40013
    assert (await api.gettoken(corpsecret=""))["errcode"] == 41004
    assert (await api.gettoken(corpsecret="x" * 43))["errcode"] == 40001


async def test_one_token_per_secret_same_while_valid(emu: Emulator, http: aiohttp.ClientSession) -> None:
    first = await client(emu, http).gettoken()
    again = await client(emu, http).gettoken()
    other = await client(emu, http, "kf").gettoken()

    assert first["errcode"] == 0 and first["errmsg"] == "ok" and first["expires_in"] == 7200
    assert again["access_token"] == first["access_token"]
    assert other["access_token"] != first["access_token"]


async def test_expired_token_answers_42001_and_gettoken_issues_a_new_one(
        emu: Emulator, http: aiohttp.ClientSession, clock: FakeClock) -> None:
    api = client(emu, http)
    old = (await api.gettoken())["access_token"]
    clock.advance(7200)

    assert (await api.post("externalcontact/get_corp_tag_list", {}))["errcode"] == 42001
    assert (await api.gettoken())["access_token"] != old
    assert (await api.post("externalcontact/get_corp_tag_list", {}))["errcode"] == 0


async def test_invalidated_tokens_answer_40014_and_missing_ones_41001(emu: Emulator,
                                                                       http: aiohttp.ClientSession) -> None:
    api = client(emu, http)
    await api.gettoken()
    emu.invalidate_tokens()

    answer = await api.post("externalcontact/get_corp_tag_list", {})
    assert answer["errcode"] == 40014
    assert ERRMSG_SHAPE.match(answer["errmsg"]) and answer["errmsg"].startswith("invalid access_token, hint")
    assert answer["tag_group"] == []  # error answers keep the endpoint's empty defaults
    assert (await api.post("externalcontact/get_corp_tag_list", {}, token=""))["errcode"] == 41001


async def test_a_kf_secret_token_works_on_customer_contact_apis_unless_forbidden(
        emu: Emulator, http: aiohttp.ClientSession) -> None:
    api = client(emu, http, "kf")
    assert (await api.post("externalcontact/get_corp_tag_list", {}))["errcode"] == 0

    emu.forbid("kf", "externalcontact/get_corp_tag_list")
    assert (await api.post("externalcontact/get_corp_tag_list", {}))["errcode"] == 48002


async def test_per_api_minute_limit_answers_45009_then_recovers(emu: Emulator, http: aiohttp.ClientSession,
                                                                clock: FakeClock) -> None:
    api = client(emu, http)
    codes = [(await api.post("externalcontact/get_corp_tag_list", {}))["errcode"] for _ in range(6)]
    assert codes == [0, 0, 0, 0, 0, 45009]
    assert (await api.post("kf/account/list", {}))["errcode"] == 0  # the limit is per API

    clock.advance(60)
    assert (await api.post("externalcontact/get_corp_tag_list", {}))["errcode"] == 0


async def test_an_overrun_minute_cap_blocks_the_api_for_60_s_however_the_window_slides(
        emu: Emulator, http: aiohttp.ClientSession, clock: FakeClock) -> None:
    """errors-and-limits.md §3: "minute-level blocks last 60 s": once refused, the API answers 45009 for a
    minute even when the window alone would have room again."""
    api = client(emu, http)
    for _ in range(5):
        assert (await api.post("externalcontact/get_corp_tag_list", {}))["errcode"] == 0
    clock.advance(59)
    assert (await api.post("externalcontact/get_corp_tag_list", {}))["errcode"] == 45009  # blocked till +119
    clock.advance(2)  # the five calls have left the window, but the block holds
    assert (await api.post("externalcontact/get_corp_tag_list", {}))["errcode"] == 45009
    clock.advance(58)
    assert (await api.post("externalcontact/get_corp_tag_list", {}))["errcode"] == 0


async def test_the_hour_cap_blocks_the_api_for_an_hour(http: aiohttp.ClientSession, clock: FakeClock) -> None:
    emu = Emulator(EmulatorConfig(seed=3, api_per_minute=5, api_per_hour=7), clock=clock)
    await emu.start()
    try:
        api = client(emu, http)

        async def calls(n: int) -> list[int]:
            return [(await api.post("externalcontact/get_corp_tag_list", {}))["errcode"] for _ in range(n)]

        assert await calls(5) == [0] * 5
        clock.advance(61)  # the minute has room again; the hour holds 5 of its 7
        assert await calls(3) == [0, 0, 45009]  # blocked for an hour from here
        clock.advance(3599)
        assert await calls(1) == [45009]
        clock.advance(1)
        assert await calls(1) == [0]
    finally:
        await emu.stop()


async def test_calls_are_recorded_before_auth_with_body_and_answer(emu: Emulator,
                                                                   http: aiohttp.ClientSession) -> None:
    api = client(emu, http)
    body = {"userid": "zhang.wei", "external_userid": "wmX", "add_tag": ["etX"]}
    await api.post("externalcontact/mark_tag", body, token="not-a-token")

    (call,) = emu.calls("externalcontact/mark_tag")
    assert call.method == "POST" and call.api == "externalcontact/mark_tag"
    assert call.query["access_token"] == "not-a-token" and call.body == body
    assert call.status == 200 and call.errcode == 40014 and not call.ok


async def test_bad_json_and_get_on_a_post_api_answer_40058(emu: Emulator, http: aiohttp.ClientSession) -> None:
    api = client(emu, http)
    token = (await api.gettoken())["access_token"]
    async with http.post(f"{emu.base_url}/cgi-bin/kf/sync_msg", params={"access_token": token},
                         data=b"{not json") as resp:
        assert (await resp.json())["errcode"] == 40058
    assert (await api.get("kf/sync_msg"))["errcode"] == 40058
    assert emu.calls("kf/sync_msg")[0].raw == "{not json"


async def test_injected_errcode_and_http_status_faults_are_consumed_in_order(
        emu: Emulator, http: aiohttp.ClientSession) -> None:
    api = client(emu, http)
    await api.gettoken()
    emu.faults.inject("kf/account/list", errcode=-1, times=2)
    emu.faults.inject("kf/account/list", status=502)

    codes = [(await api.post("kf/account/list", {}))["errcode"] for _ in range(2)]
    async with http.post(f"{emu.base_url}/cgi-bin/kf/account/list",
                         params={"access_token": api.access_token}, json={}) as resp:
        status = resp.status
    assert codes == [-1, -1] and status == 502
    assert (await api.post("kf/account/list", {}))["account_list"][0]["open_kfid"] == "wkWanziDemoKf01"
    assert [c.status for c in emu.calls("kf/account/list")] == [200, 200, 502, 200]


async def test_injected_delay_lets_a_client_time_out(emu: Emulator, http: aiohttp.ClientSession) -> None:
    api = client(emu, http)
    await api.gettoken()
    emu.faults.inject("kf/account/list", delay=0.5)

    with pytest.raises(TimeoutError):
        async with http.post(f"{emu.base_url}/cgi-bin/kf/account/list", params={"access_token": api.access_token},
                             json={}, timeout=aiohttp.ClientTimeout(total=0.1)):
            pass
    assert len(emu.calls("kf/account/list")) == 1


async def test_unknown_api_path_is_404_and_still_recorded(emu: Emulator, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{emu.base_url}/cgi-bin/externalcontact/no_such_api", json={}) as resp:
        assert resp.status == 404
    assert emu.calls("no_such_api")[0].status == 404
