"""The chat console's sandbox rehearsal tools and the guard on its own API: JSON-only,
same-origin POSTs; configured channels; kf customers; the reception pool; markdown; the sidebar."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.clock import FakeClock
from emulator import Emulator, EmulatorConfig
from emulator.markdown import parse
from emulator.testing import ApiClient, CallbackReceiver

pytestmark = pytest.mark.usefixtures("receiver")  # the emulator's callbacks go to a stand-in bot


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_070_000)


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=71, callback_retry_delay=0, channel_states=("spring_sale", "expo_booth3"),
                          sidebar_url="http://127.0.0.1:8080/sidebar")


async def post(emu: Emulator, http: aiohttp.ClientSession, name: str, body: dict[str, Any],
               **headers: str) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{emu.base_url}/console/api/{name}", json=body,
                         headers={"Origin": emu.base_url, **headers}) as resp:
        return resp.status, await resp.json()


async def state(emu: Emulator, http: aiohttp.ClientSession) -> dict[str, Any]:
    async with http.get(emu.base_url + "/console/api/state") as resp:
        answer: dict[str, Any] = await resp.json()
        return answer


# --- the guard ----------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/page"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "SAME", "Sec-Fetch-Site": "cross-site"},
])
async def test_cross_origin_console_posts_are_refused(emu: Emulator, http: aiohttp.ClientSession,
                                                      headers: dict[str, str]) -> None:
    headers = {k: emu.base_url if v == "SAME" else v for k, v in headers.items()}
    async with http.post(emu.base_url + "/console/api/add_friend", json={"staff": "zhang.wei"},
                         headers=headers) as resp:
        assert resp.status == 403
    async with http.post(emu.base_url + "/console/api/advance", json={"seconds": 5}, headers=headers) as resp:
        assert resp.status == 403
    assert emu.corp.contacts.customers == {}


async def test_console_posts_must_be_json(emu: Emulator, http: aiohttp.ClientSession) -> None:
    for data, content_type in (("staff=zhang.wei", "application/x-www-form-urlencoded"),
                               ('{"staff": "zhang.wei"}', "text/plain")):
        async with http.post(emu.base_url + "/console/api/add_friend", data=data,
                             headers={"Content-Type": content_type, "Origin": emu.base_url}) as resp:
            assert resp.status == 415
    assert emu.corp.contacts.customers == {}


async def test_same_origin_posts_pass_and_unlabelled_ones_only_when_allowed(
        emu: Emulator, http: aiohttp.ClientSession) -> None:
    headers = {"Sec-Fetch-Site": "same-origin", "Referer": emu.base_url + "/console"}
    status, answer = await post(emu, http, "add_friend", {"staff": "zhang.wei"}, **headers)
    assert status == 200 and answer["ok"]
    async with http.post(emu.base_url + "/console/api/add_friend", json={"staff": "li.na"}) as resp:
        assert resp.status == 200  # a script, not a browser: no labels at all
    strict = Emulator(EmulatorConfig(console_origin_required=True))
    await strict.start()
    try:
        async with http.post(strict.base_url + "/console/api/add_friend", json={"staff": "li.na"}) as resp:
            assert resp.status == 403
        async with http.post(strict.base_url + "/console/api/add_friend", json={"staff": "li.na"},
                             headers={"Origin": strict.base_url}) as resp:
            assert resp.status == 200
    finally:
        await strict.stop()


# --- what the console shows and does --------------------------------------------------------------

async def test_channels_come_from_configuration_and_kf_only_customers_are_kf_customers(
        emu: Emulator, http: aiohttp.ClientSession) -> None:
    async with http.get(emu.base_url + "/console") as resp:
        assert "expo2025" not in await resp.text()
    await emu.add_friend("zhang.wei", "wmFriend0071", state="spring_sale")
    await emu.customer_enters_kf("wmKfOnly0071")
    await emu.create_group("wrGroup0071", "zhang.wei", "护肤群")
    await emu.customers_join_group("wrGroup0071", ["wmGroupOnly0071"])

    shown = await state(emu, http)

    assert shown["contact_states"] == ["spring_sale", "expo_booth3"]
    kinds = {c["external_userid"]: c["kind"] for c in shown["customers"]}
    assert kinds == {"wmFriend0071": "contact", "wmKfOnly0071": "kf", "wmGroupOnly0071": "group"}
    assert shown["groups"] == [{"chat_id": "wrGroup0071", "name": "护肤群", "owner": "张伟", "customers": 1}]


async def test_the_pool_pickup_and_servicer_reply_from_the_console(emu: Emulator, http: aiohttp.ClientSession,
                                                                   receiver: CallbackReceiver) -> None:
    await emu.customer_says("wmPool0071", "转人工")
    kf = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["kf"])
    await kf.post("kf/service_state/trans", {"open_kfid": "wkWanziDemoKf01", "external_userid": "wmPool0071",
                                             "service_state": 2})
    assert (await state(emu, http))["kf_pool"] == [{"open_kfid": "wkWanziDemoKf01", "external_userid": "wmPool0071",
                                                   "name": emu.corp.display_name("wmPool0071")}]
    status, early = await post(emu, http, "kf_servicer_say", {"ext": "wmPool0071", "text": "在的"})
    assert status == 400 and not early["ok"]

    _, picked = await post(emu, http, "kf_pickup", {"ext": "wmPool0071", "userid": "wang.fang"})
    _, replied = await post(emu, http, "kf_servicer_say", {"ext": "wmPool0071", "text": "您好，我是王芳"})
    _, image = await post(emu, http, "kf_image", {"ext": "wmPool0071"})

    assert picked["ok"] and replied["ok"] and image["ok"]
    shown = await state(emu, http)
    (session,) = next(c for c in shown["customers"] if c["external_userid"] == "wmPool0071")["kf"]
    assert (session["state"], session["servicer"], session["servicer_name"]) == (3, "wang.fang", "王芳")
    assert shown["kf_pool"] == []
    lines = [(x.who, x.text) for x in emu.customer_transcript("wmPool0071")]
    assert lines[-2:] == [("servicer", "您好，我是王芳"), ("customer", "[图片]")]
    _, stopped = await post(emu, http, "kf_servicer_status", {"userid": "li.na", "receiving": False})
    assert stopped["ok"] and not emu.corp.kf.servicers["li.na"].receiving


def test_markdown_is_parsed_into_the_wecom_subset_only() -> None:
    blocks = parse('# 标题\n> 新客：<font color="info">**3**</font>\n'
                   "<font color=\"red\">x</font> `a<b>` [站点](https://e.invalid) [坏](javascript:alert(1))\n"
                   "<script>alert(1)</script>")
    assert blocks[0] == {"kind": "h", "level": 1, "spans": [{"text": "标题"}]}
    assert blocks[1] == {"kind": "quote", "spans": [{"text": "新客："}, {"text": "3", "color": "info", "bold": True}]}
    spans = blocks[2]["spans"]
    assert spans[:5] == [{"text": "x"}, {"text": " "}, {"text": "a<b>", "code": True}, {"text": " "},
                         {"text": "站点", "href": "https://e.invalid"}]  # unknown colours drop, text stays
    assert "".join(s["text"] for s in spans[5:]) == " [坏](javascript:alert(1))"  # literal, never a link
    assert all(set(s) == {"text"} for s in spans[5:])
    assert blocks[3] == {"kind": "p", "spans": [{"text": "<script>alert(1)</script>"}]}


async def test_markdown_app_messages_and_robot_messages_carry_rich_blocks(emu: Emulator,
                                                                          http: aiohttp.ClientSession) -> None:
    app = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["app"])
    await app.post("message/send", {"touser": "li.na", "msgtype": "markdown", "agentid": emu.config.agent_id,
                                    "markdown": {"content": "**待办** <font color=\"warning\">2</font>"}})
    await app.webhook(emu.config.webhook_keys[0], {"msgtype": "markdown", "markdown": {"content": "## 日报"}})

    async with http.get(emu.base_url + "/console/api/staff_chat", params={"userid": "li.na"}) as resp:
        (line,) = (await resp.json())["lines"]
    async with http.get(emu.base_url + "/console/api/webhook") as resp:
        (hook,) = (await resp.json())["messages"]

    assert line["rich"] == [{"kind": "p", "spans": [{"text": "待办", "bold": True}, {"text": " "},
                                                    {"text": "2", "color": "warning"}]}]
    assert hook["rich"] == [{"kind": "h", "level": 2, "spans": [{"text": "日报"}]}]


async def test_the_console_opens_the_sidebar_beside_a_chat(emu: Emulator, http: aiohttp.ClientSession) -> None:
    await emu.add_friend("li.na", "wmSide0071")
    status, opened = await post(emu, http, "sidebar", {"userid": "li.na", "ext": "wmSide0071"})
    assert status == 200 and opened["context"] == {"userid": "li.na", "entry": "single_chat_tools"}

    shown = (await state(emu, http))["sidebar"]

    assert shown["url"] == "http://127.0.0.1:8080/sidebar"
    assert shown["context"] == {"userid": "li.na", "entry": "single_chat_tools", "external_userid": "wmSide0071",
                                "chat_id": "", "open_kfid": ""}
    assert emu.corp.signin.client_member == "li.na"
    status, bad = await post(emu, http, "sidebar", {"userid": "li.na", "chat_id": "wrNope"})
    assert status == 400 and not bad["ok"]
    await post(emu, http, "sidebar", {"userid": ""})
    assert (await state(emu, http))["sidebar"]["context"] is None
