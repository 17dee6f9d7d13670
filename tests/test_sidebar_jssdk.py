"""The sidebar's JS-SDK registration: the signature (shared/wecom/staff-web.md §5 test vectors), the
tickets cached like the access_token, and signatures the emulated WeCom client accepts."""

from __future__ import annotations

import aiohttp
import pytest

from bot.wecom.jsapi import sign, signature
from tests.harness import BotUnderTest
from tests.sidebar_kit import Sidebar, sidebar_beside_a_customer, sidebar_config, start


@pytest.fixture
async def wanzi_sidebar(db_url, wecom, clock):
    async with sidebar_beside_a_customer(db_url, wecom, clock) as opened:
        yield opened


OFFICIAL_TICKET = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"


def test_the_signature_matches_the_official_vector() -> None:
    assert signature(OFFICIAL_TICKET, "Wm3WZYTPz0wzccnW", 1414587457,
                     "http://mp.weixin.qq.com?params=value") == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_the_signature_matches_our_vector_and_never_signs_the_fragment() -> None:
    a = signature("DEMOagentTicket0001xyz", "n0nceDemo42", "1700000000", "https://sidebar.example.com/chat?entry=tools")
    with_fragment = signature("DEMOagentTicket0001xyz", "n0nceDemo42", 1700000000,
                              "https://sidebar.example.com/chat?entry=tools#/detail")
    assert a == with_fragment == "c907b9003f7cc621b2e21d38082ba3c563a61b35"
    assert with_fragment != "362eecc63e4e7c63b847e1641aa7de181c681d02"  # vector B: the fragment kept, wrongly


def test_a_signature_is_made_in_seconds_with_a_fresh_nonce() -> None:
    first = sign("DEMOagentTicket0001xyz", "https://sidebar.example.com/chat?entry=tools", now=1700000000.9)
    second = sign("DEMOagentTicket0001xyz", "https://sidebar.example.com/chat?entry=tools", now=1700000000.9)
    assert first.timestamp == 1700000000 and first.nonce_str != second.nonce_str
    assert first.as_js() == {"timestamp": 1700000000, "nonceStr": first.nonce_str,
                             "signature": signature("DEMOagentTicket0001xyz", first.nonce_str, 1700000000,
                                                    "https://sidebar.example.com/chat?entry=tools")}


async def test_many_page_loads_fetch_each_ticket_once(db_url, wecom, clock) -> None:
    bot = await start(db_url, wecom, clock)
    sidebars = [await Sidebar.open(bot, wecom, "li.na") for _ in range(3)]
    try:
        for sidebar in sidebars:
            for _ in range(3):
                status, answer = await sidebar.signature()
                assert status == 200 and answer["agent"]["signature"] and answer["config"]["signature"]
        assert len(wecom.calls("ticket/get")) == 1
        assert len(wecom.calls("get_jsapi_ticket")) == 1
        clock.advance(7200)  # the tickets ran out: fetched again, once
        for sidebar in sidebars:
            assert (await sidebar.signature())[0] == 200
        assert len(wecom.calls("ticket/get")) == 2
    finally:
        for sidebar in sidebars:
            await sidebar.close()
        await bot.stop()


async def test_replicas_share_the_ticket_through_the_database(db_url, wecom, clock) -> None:
    first = await start(db_url, wecom, clock)
    second = await BotUnderTest.start(sidebar_config(db_url, wecom), clock)
    try:
        for bot in (first, second, first, second):
            sidebar = await Sidebar.open(bot, wecom, "li.na")
            assert (await sidebar.signature())[0] == 200
            await sidebar.close()
        assert len(wecom.calls("ticket/get")) == 1
    finally:
        await second.stop()
        await first.stop()


async def test_the_emulated_client_accepts_the_signatures(wanzi_sidebar) -> None:
    bot, wecom, sidebar = wanzi_sidebar
    page = f"{bot.url}/console/sidebar?from=toolbar#/customer"
    status, answer = await sidebar.signature(page)
    assert status == 200
    origin = bot.url
    async with aiohttp.ClientSession() as http:
        bridge = ""
        for call, params in (("config", {"appId": answer["corpid"], **answer["config"]}),
                             ("agentConfig", {"corpid": answer["corpid"], "agentid": answer["agentid"],
                                              **answer["agent"]})):
            async with http.post(f"{wecom.base_url}/jsbridge/register", headers={"Origin": origin},
                                 json={"call": call, "params": params, "href": page, "bridge": bridge}) as r:
                result = await r.json()
            assert result["ok"], result
            bridge = result["bridge"]
        async with http.post(f"{wecom.base_url}/jsbridge/invoke", headers={"Origin": origin},
                             json={"bridge": bridge, "api": "getCurExternalContact", "params": {}}) as r:
            assert (await r.json())["err_msg"] == "getCurExternalContact:ok"


async def test_only_the_consoles_own_sidebar_pages_are_signed(wanzi_sidebar) -> None:
    bot, _, sidebar = wanzi_sidebar
    for url in ("https://evil.example/console/sidebar", f"{bot.url}/console/outbox", "javascript:alert(1)",
                f"{bot.url}/console/sidebar?" + "x" * 2000):
        status, answer = await sidebar.signature(url)
        assert status == 400 and "agent" not in answer


async def test_without_a_sidebar_session_nothing_is_signed(wanzi_sidebar) -> None:
    bot, _, _ = wanzi_sidebar
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{bot.url}/console/sidebar/signature", data={"url": f"{bot.url}/console/sidebar"},
                             allow_redirects=False) as r:
            assert r.status == 401
