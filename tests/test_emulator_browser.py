"""The emulator's pages in headless Chromium: a sidebar page signs in through the authorize page
and uses the stand-in JS-SDK cross-origin, as a bot's sidebar would; the console renders
app-message markdown without letting it become markup."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from emulator import Emulator, EmulatorConfig
from emulator.jssdk import signature
from emulator.testing import ApiClient
from tests.browser import open_browser

OLD_SDK_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script src="{emu}/open/js/jweixin-1.2.0.js"></script>
<script src="{emu}/wwopen/js/jwxwork-1.0.0.js"></script></head>
<body><p id="who">{userid}</p><pre id="out"></pre><script>
const out = [];
const done = () => {{ document.getElementById("out").textContent = JSON.stringify(out); }};
fetch("/sign?url=" + encodeURIComponent(location.href.split("#")[0])).then(r => r.json()).then(s => {{
  wx.config({{beta: true, appId: s.corpid, timestamp: s.timestamp, nonceStr: s.nonceStr,
             signature: s.config, jsApiList: ["getContext"]}});
  wx.error(res => {{ out.push(res.errMsg); done(); }});
  wx.ready(() => wx.agentConfig({{corpid: s.corpid, agentid: s.agentid, timestamp: s.timestamp,
      nonceStr: s.nonceStr, signature: s.agent,
      jsApiList: ["getContext", "getCurExternalContact", "sendChatMessage"],
      success: res => {{
        out.push(res.errMsg);
        wx.invoke("getContext", {{}}, r1 => {{
          out.push(r1);
          wx.invoke("getCurExternalContact", {{}}, r2 => {{
            out.push(r2);
            wx.invoke("sendChatMessage", {{msgtype: "text", text: {{content: "给您发一份价目表"}}}}, r3 => {{
              out.push(r3); done();
            }});
          }});
        }});
      }},
      fail: res => {{ out.push(res.errMsg); done(); }} }}));
}});
</script></body></html>"""

NEW_SDK_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script src="{emu}/@wecom/jssdk"></script></head><body><pre id="out"></pre><script>
const sign = (kind) => (url) => fetch("/sign?url=" + encodeURIComponent(url)).then(r => r.json())
  .then(s => ({{timestamp: s.timestamp, nonceStr: s.nonceStr, signature: s[kind]}}));
ww.register({{corpId: "{corpid}", agentId: {agentid}, jsApiList: ["getCurExternalChat"],
             getConfigSignature: sign("config"), getAgentConfigSignature: sign("agent")}});
(async () => {{
  const ctx = await ww.getContext();
  const chat = await ww.getCurExternalChat();
  let failed = null;
  try {{ await ww.getCurExternalContact(); }} catch (err) {{ failed = err.errMsg; }}
  document.getElementById("out").textContent = JSON.stringify([ctx, chat, failed]);
}})();
</script></body></html>"""


class SidebarSite:
    """A stand-in for the bot's sidebar: OAuth sign-in, then a page using the JS-SDK."""

    def __init__(self, emu: Emulator, http: aiohttp.ClientSession) -> None:
        self.emu = emu
        self.api = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["app"])
        self.signed_in: list[str] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/sidebar", self.sidebar)
        app.router.add_get("/ww", self.new_sdk)
        app.router.add_get("/oauth", self.oauth)
        app.router.add_get("/sign", self.sign)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        host, port = self.runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()

    async def sidebar(self, request: web.Request) -> web.StreamResponse:
        userid = request.cookies.get("uid")
        if not userid:
            query = {"appid": self.emu.config.corp_id, "redirect_uri": f"{self.url}/oauth?next=/sidebar",
                     "response_type": "code", "scope": "snsapi_base", "state": "st42",
                     "agentid": str(self.emu.config.agent_id)}
            target = self.emu.base_url + "/connect/oauth2/authorize?" + "&".join(
                f"{k}={aiohttp.helpers.quote(v, safe='')}" for k, v in query.items()) + "#wechat_redirect"
            raise web.HTTPFound(target)
        page = OLD_SDK_PAGE.format(emu=self.emu.base_url, userid=userid)
        return web.Response(text=page, content_type="text/html")

    async def new_sdk(self, request: web.Request) -> web.StreamResponse:
        page = NEW_SDK_PAGE.format(emu=self.emu.base_url, corpid=self.emu.config.corp_id,
                                   agentid=self.emu.config.agent_id)
        return web.Response(text=page, content_type="text/html")

    async def oauth(self, request: web.Request) -> web.StreamResponse:
        assert request.query["state"] == "st42"
        answer = await self.api.get("auth/getuserinfo", code=request.query["code"])
        self.signed_in.append(answer["userid"])
        response = web.HTTPFound(request.query["next"])
        response.set_cookie("uid", answer["userid"])
        raise response

    async def sign(self, request: web.Request) -> web.Response:
        corp = (await self.api.get("get_jsapi_ticket"))["ticket"]
        agent = (await self.api.get("ticket/get", type="agent_config"))["ticket"]
        ts, nonce, url = str(int(self.emu.clock.time())), "Wm3WZYTPz0wzccnW", request.query["url"]
        return web.json_response({"corpid": self.emu.config.corp_id, "agentid": self.emu.config.agent_id,
                                  "timestamp": ts, "nonceStr": nonce, "config": signature(corp, nonce, ts, url),
                                  "agent": signature(agent, nonce, ts, url)})


@pytest.fixture
async def page(tmp_path):
    async for p in open_browser(tmp_path / "chromium-profile"):
        yield p


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    emulator = Emulator(EmulatorConfig(seed=41))
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def site(emu: Emulator) -> AsyncIterator[SidebarSite]:
    async with aiohttp.ClientSession() as http:
        s = SidebarSite(emu, http)
        await s.start()
        yield s
        await s.stop()


async def read_out(page: Any) -> Any:
    await page.wait_for_function("document.getElementById('out').textContent.length > 0")
    return json.loads(await page.locator("#out").inner_text())


async def test_a_sidebar_signs_in_silently_and_talks_to_the_chat_beside_it(page, emu: Emulator,
                                                                          site: SidebarSite) -> None:
    await emu.add_friend("li.na", "wmBrowserSide01", name="孙丽")
    emu.open_sidebar("li.na", external_userid="wmBrowserSide01")

    await page.goto(site.url + "/sidebar")

    results = await read_out(page)
    assert site.signed_in == ["li.na"] and await page.locator("#who").inner_text() == "li.na"
    assert results == ["agentConfig:ok", {"err_msg": "getContext:ok", "entry": "single_chat_tools"},
                       {"err_msg": "getCurExternalContact:ok", "userId": "wmBrowserSide01"},
                       {"err_msg": "sendChatMessage:ok"}]
    (sent,) = emu.chat_messages_sent_by_sidebar()
    assert (sent.userid, sent.external_userid, sent.text) == ("li.na", "wmBrowserSide01", "给您发一份价目表")


async def test_ww_register_and_promise_apis_in_a_group_toolbar(page, emu: Emulator, site: SidebarSite) -> None:
    await emu.create_group("wrBrowserGrp01", "zhang.wei", "早睡打卡群")
    emu.open_sidebar("zhang.wei", chat_id="wrBrowserGrp01")

    await page.goto(site.url + "/ww#/tab")

    ctx, chat, failed = await read_out(page)
    assert ctx == {"errMsg": "getContext:ok", "errCode": 0, "entry": "group_chat_tools"}
    assert chat == {"errMsg": "getCurExternalChat:ok", "errCode": 0, "chatId": "wrBrowserGrp01"}
    assert failed == "getCurExternalContact:fail without context of external contact"


async def test_the_authorize_page_lets_the_tester_pick_a_member(page, emu: Emulator, site: SidebarSite) -> None:
    await page.goto(site.url + "/sidebar")
    assert "/connect/oauth2/authorize" in page.url
    assert await page.locator("#hash-warning").is_hidden()  # the link carried #wechat_redirect

    await page.click("button[value='member:chen.jing']")

    await page.wait_for_url(site.url + "/sidebar*")
    assert site.signed_in == ["chen.jing"]


async def test_the_console_renders_markdown_as_formatted_text_only(page, emu: Emulator) -> None:
    async with aiohttp.ClientSession() as http:
        api = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["app"])
        content = ("## 今日简报\n> 新客户：<font color=\"info\">3</font>\n**重要** `code` "
                   "[打开](https://example.invalid/crm) [坏链接](javascript:alert(1))\n"
                   "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">")
        answer = await api.post("message/send", {"touser": "zhang.wei", "msgtype": "markdown",
                                                 "agentid": emu.config.agent_id, "markdown": {"content": content}})
        assert answer["errcode"] == 0

    await page.goto(emu.base_url + "/console")
    await page.select_option("#staff-chat-user", "zhang.wei")
    chat = page.locator("#staff-chat")
    await chat.locator(".md-info").wait_for()

    assert await chat.locator(".md-info").inner_text() == "3"
    assert await chat.locator(".md-h2").inner_text() == "今日简报"
    assert await chat.locator(".md-bold").inner_text() == "重要"
    assert await chat.locator("a").get_attribute("href") == "https://example.invalid/crm"
    assert await chat.locator("a").count() == 1
    text = await chat.inner_text()
    assert "<script>window.pwned=1</script>" in text and "[坏链接](javascript:alert(1))" in text
    assert await chat.locator("img, script").count() == 0
    assert await page.evaluate("window.pwned === undefined")


async def test_a_group_post_is_sent_from_the_consoles_mass_assistant(page, emu: Emulator) -> None:
    """The 群发助手 panel: a proposed group post shows who must send it; their button sends it into the group,
    whose chat the console shows."""
    await emu.create_group("wrBrowser01", "li.na", "护肤交流1群")
    async with aiohttp.ClientSession() as http:
        api = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["contact"])
        await api.post("externalcontact/add_msg_template", {
            "chat_type": "group", "sender": "li.na", "text": {"content": "<b>今晚</b>八点聊聊换季护肤"}})

    await page.goto(emu.base_url + "/console")
    button = page.locator("#mass button")
    await button.wait_for()
    assert await button.inner_text() == "李娜 发送（1）"
    assert "<b>今晚</b>八点聊聊换季护肤" in await page.locator("#mass").inner_text()  # text, never markup
    await button.click()
    line = page.locator("#group-chat .line")
    await line.wait_for()
    assert "<b>今晚</b>八点聊聊换季护肤" in await line.inner_text()
    await page.locator("#mass button").wait_for(state="detached")
    assert "已发 1" in await page.locator("#mass").inner_text()
