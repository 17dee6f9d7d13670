"""JS-SDK tickets, the signature check and the chat-toolbar APIs (shared/wecom/staff-web.md §5–7),
driven over HTTP the way the stand-in script drives them (the browser test runs the script)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.clock import FakeClock
from emulator import Emulator, EmulatorConfig
from emulator.jssdk import page_url, signature
from emulator.testing import ApiClient

PAGE = "http://127.0.0.1:8080/sidebar?entry=tools"
NONCE, TS = "n0nceDemo42", "1700040000"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_040_000)


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=31, jsapi_tickets_per_hour_app=3)


def test_signature_matches_the_documented_vectors() -> None:
    official = signature("sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
                         "Wm3WZYTPz0wzccnW", "1414587457", "http://mp.weixin.qq.com?params=value")
    assert official == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    ours = signature("DEMOagentTicket0001xyz", "n0nceDemo42", "1700000000",
                     page_url("https://sidebar.example.com/chat?entry=tools#/detail"))
    assert ours == "c907b9003f7cc621b2e21d38082ba3c563a61b35"
    kept = signature("DEMOagentTicket0001xyz", "n0nceDemo42", "1700000000",
                     "https://sidebar.example.com/chat?entry=tools#/detail")
    assert kept == "362eecc63e4e7c63b847e1641aa7de181c681d02"  # the fragment must not be signed


async def test_corp_and_agent_tickets_have_the_documented_shape(app_api: ApiClient) -> None:
    corp = await app_api.get("get_jsapi_ticket")
    agent = await app_api.get("ticket/get", type="agent_config")

    for answer in (corp, agent):
        assert list(answer) == ["errcode", "errmsg", "ticket", "expires_in"]
        assert answer["expires_in"] == 7200 and len(answer["ticket"]) <= 512
    assert corp["ticket"] != agent["ticket"]
    assert (await app_api.get("get_jsapi_ticket"))["ticket"] == corp["ticket"]  # cached while valid
    assert (await app_api.get("ticket/get", type="jsapi"))["errcode"] == 91040
    assert (await app_api.get("ticket/get"))["errcode"] == 91040


async def test_ticket_fetches_are_capped_per_hour(app_api: ApiClient, clock: FakeClock) -> None:
    for _ in range(3):
        assert (await app_api.get("get_jsapi_ticket"))["errcode"] == 0
    assert (await app_api.get("ticket/get", type="agent_config"))["errcode"] == 45009
    clock.advance(3601)
    assert (await app_api.get("ticket/get", type="agent_config"))["errcode"] == 0


class Page:
    """What the stand-in script sends for one page load (Origin = the sidebar's host)."""

    def __init__(self, emu: Emulator, http: aiohttp.ClientSession, href: str = PAGE) -> None:
        self.emu, self.http, self.href, self.bridge = emu, http, href, ""

    async def _post(self, path: str, body: dict[str, Any]) -> tuple[aiohttp.ClientResponse, dict[str, Any]]:
        origin = "http://" + self.href.split("/")[2]
        async with self.http.post(self.emu.base_url + path, json=body, headers={"Origin": origin}) as resp:
            return resp, await resp.json()

    async def register(self, call: str, ticket: str, *, href_signed: str | None = None,
                       **params: Any) -> dict[str, Any]:
        sig = signature(ticket, NONCE, TS, href_signed if href_signed is not None else page_url(self.href))
        corp_key = "appId" if call == "config" else "corpid"
        body: dict[str, Any] = {corp_key: self.emu.config.corp_id, "timestamp": TS, "nonceStr": NONCE, "signature": sig,
                "jsApiList": ["getContext", "getCurExternalContact", "sendChatMessage"]}
        if call == "agentConfig":
            body["agentid"] = self.emu.config.agent_id
        body.update(params)
        resp, answer = await self._post("/jsbridge/register", {"call": call, "params": body, "href": self.href,
                                                              "bridge": self.bridge})
        if answer.get("ok"):
            self.bridge = answer["bridge"]
        answer["cors"] = resp.headers.get("Access-Control-Allow-Origin", "")
        return answer

    async def invoke(self, api: str, **params: Any) -> dict[str, Any]:
        _, answer = await self._post("/jsbridge/invoke", {"bridge": self.bridge, "api": api, "params": params})
        return answer


async def tickets(api: ApiClient) -> tuple[str, str]:
    return (await api.get("get_jsapi_ticket"))["ticket"], (await api.get("ticket/get", type="agent_config"))["ticket"]


async def test_config_and_agent_config_verify_the_signature_over_the_page_url(
        emu: Emulator, http: aiohttp.ClientSession, app_api: ApiClient) -> None:
    corp_ticket, agent_ticket = await tickets(app_api)
    page = Page(emu, http, PAGE + "#/detail")

    ok = await page.register("config", corp_ticket)
    agent = await page.register("agentConfig", agent_ticket)

    assert ok["ok"] and ok["errMsg"] == "config:ok" and ok["cors"] == "http://127.0.0.1:8080"
    assert agent["ok"] and agent["errMsg"] == "agentConfig:ok"
    kept = await page.register("agentConfig", agent_ticket, href_signed=PAGE + "#/detail")
    assert not kept["ok"] and kept["errMsg"].startswith("agentConfig:invalid signature") and "e=40093" in kept["errMsg"]
    wrong_ticket = await page.register("agentConfig", corp_ticket)
    assert "e=42012" in wrong_ticket["errMsg"]  # a corp ticket cannot sign agentConfig
    millis = await page.register("config", corp_ticket, timestamp=TS + "000")
    assert "e=40093" in millis["errMsg"]
    other_corp = await page.register("config", corp_ticket, appId="wwSomebodyElse00001")
    assert "e=40013" in other_corp["errMsg"]


async def test_tickets_of_another_app_and_expired_tickets_fail(
        emu: Emulator, http: aiohttp.ClientSession, app_api: ApiClient, clock: FakeClock) -> None:
    kf_api = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["kf"])
    foreign = (await kf_api.get("ticket/get", type="agent_config"))["ticket"]
    page = Page(emu, http)
    assert "e=42012" in (await page.register("agentConfig", foreign))["errMsg"]
    corp_ticket, _ = await tickets(app_api)
    clock.advance(7200)
    assert "e=40093" in (await page.register("config", corp_ticket))["errMsg"]


async def test_pages_outside_the_trusted_domains_cannot_register(
        emu: Emulator, http: aiohttp.ClientSession, app_api: ApiClient) -> None:
    corp_ticket, _ = await tickets(app_api)
    answer = await Page(emu, http, "http://sidebar.elsewhere.example/page").register("config", corp_ticket)
    assert not answer["ok"] and "e=80001" in answer["errMsg"] and answer["cors"] == ""


async def test_the_toolbar_apis_answer_for_the_chat_the_sidebar_is_beside(
        emu: Emulator, http: aiohttp.ClientSession, app_api: ApiClient) -> None:
    await emu.add_friend("li.na", "wmSide0001", name="周婷")
    emu.open_sidebar("li.na", external_userid="wmSide0001")
    corp_ticket, agent_ticket = await tickets(app_api)
    page = Page(emu, http)
    assert (await page.invoke("getContext"))["err_msg"] == "getContext:fail no permission"  # not registered
    await page.register("config", corp_ticket)

    assert await page.invoke("getContext") == {"err_msg": "getContext:ok", "entry": "single_chat_tools"}
    assert (await page.invoke("getCurExternalContact"))["err_msg"] == "getCurExternalContact:fail no permission"
    await page.register("agentConfig", agent_ticket)
    assert await page.invoke("getCurExternalContact") == {"err_msg": "getCurExternalContact:ok",
                                                          "userId": "wmSide0001"}
    assert await page.invoke("getCurExternalChat") == {
        "err_msg": "getCurExternalChat:fail without context of external contact"}
    sent = await page.invoke("sendChatMessage", msgtype="text", enterChat=True, text={"content": "您要的资料"})

    assert sent == {"err_msg": "sendChatMessage:ok"}
    (message,) = emu.chat_messages_sent_by_sidebar()
    assert (message.userid, message.external_userid, message.msgtype, message.text, message.enter_chat) == (
        "li.na", "wmSide0001", "text", "您要的资料", True)
    line = emu.customer_transcript("wmSide0001")[-1]
    assert (line.who, line.text, line.via) == ("staff", "您要的资料", "sendChatMessage")
    # nothing went through the server API: only the token and ticket fetches are recorded
    assert [c.api for c in emu.calls()] == ["gettoken", "get_jsapi_ticket", "ticket/get"]


async def test_group_and_kf_toolbars(emu: Emulator, http: aiohttp.ClientSession, app_api: ApiClient) -> None:
    await emu.create_group("wrSideGroup01", "zhang.wei", "护肤交流群")
    await emu.customer_enters_kf("wmKfSide0001")
    corp_ticket, agent_ticket = await tickets(app_api)

    emu.open_sidebar("zhang.wei", chat_id="wrSideGroup01")
    group_page = Page(emu, http)
    await group_page.register("agentConfig", agent_ticket)
    assert (await group_page.invoke("getContext"))["entry"] == "group_chat_tools"
    assert await group_page.invoke("getCurExternalChat") == {"err_msg": "getCurExternalChat:ok",
                                                             "chatId": "wrSideGroup01"}
    assert (await group_page.invoke("getCurExternalContact"))["err_msg"].endswith("without context of external contact")
    news = {"link": "https://example.invalid/a", "title": "新品手册", "desc": "", "imgUrl": ""}
    assert (await group_page.invoke("sendChatMessage", msgtype="news", news=news))["err_msg"] == "sendChatMessage:ok"
    assert emu.group_inbox("wrSideGroup01") == ["[图文] 新品手册"]

    emu.open_sidebar("li.na", external_userid="wmKfSide0001", open_kfid="wkWanziDemoKf01")
    kf_page = Page(emu, http)
    await kf_page.register("agentConfig", agent_ticket)
    assert (await kf_page.invoke("getContext"))["entry"] == "single_kf_tools"
    assert (await kf_page.invoke("getCurExternalContact"))["userId"] == "wmKfSide0001"
    bad = {"appid": "wxDemoApp0001", "title": "商城", "imgUrl": "ftp://x/p.png", "page": "pages/index.html"}
    assert (await kf_page.invoke("sendChatMessage", msgtype="miniprogram", miniprogram=bad))["err_msg"] == \
        "sendChatMessage:fail invalid imgUrl"

    emu.open_sidebar("li.na", entry="normal")
    workbench = Page(emu, http)
    await workbench.register("agentConfig", agent_ticket)
    assert (await workbench.invoke("sendChatMessage", msgtype="text", text={"content": "x"}))["err_msg"] == \
        "sendChatMessage:fail without context of external contact"
    assert len(emu.chat_messages_sent_by_sidebar()) == 1


async def test_the_stand_in_script_is_served_where_pages_load_the_sdk(emu: Emulator,
                                                                      http: aiohttp.ClientSession) -> None:
    for path in ("/open/js/jweixin-1.2.0.js", "/wwopen/js/jwxwork-1.0.0.js", "/@wecom/jssdk"):
        async with http.get(emu.base_url + path) as resp:
            body = await resp.text()
        assert resp.status == 200 and "javascript" in resp.content_type and "agentConfig" in body
