"""The sandbox console page and its JSON drive the same scripts tests use."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.clock import FakeClock
from emulator import Emulator, EmulatorConfig
from emulator.testing import ApiClient, CallbackReceiver


@pytest.fixture
async def setup() -> AsyncIterator[tuple[Emulator, aiohttp.ClientSession, CallbackReceiver]]:
    receiver = CallbackReceiver(EmulatorConfig().crypto())
    await receiver.start()
    emu = Emulator(EmulatorConfig(seed=17), clock=FakeClock(1_700_020_000))
    await emu.start()
    emu.connect(receiver.url)
    async with aiohttp.ClientSession() as http:
        yield emu, http, receiver
    await emu.stop()
    await receiver.stop()


async def test_root_redirects_to_a_chinese_console_page(
        setup: tuple[Emulator, aiohttp.ClientSession, CallbackReceiver]) -> None:
    emu, http, _ = setup
    async with http.get(emu.base_url + "/", allow_redirects=False) as resp:
        assert resp.status == 302 and resp.headers["Location"] == "/console"
    async with http.get(emu.base_url + "/console") as resp:
        page = await resp.text()
    assert resp.status == 200 and "企业微信模拟器" in page
    async with http.get(emu.base_url + "/console/static/console.js") as resp:
        assert resp.status == 200


async def test_console_actions_call_back_and_show_the_conversation_and_calls(
        setup: tuple[Emulator, aiohttp.ClientSession, CallbackReceiver]) -> None:
    emu, http, receiver = setup
    async with http.post(emu.base_url + "/console/api/add_friend",
                         json={"staff": "zhang.wei", "ext": "", "state": "expo"}) as resp:
        added = await resp.json()
    ext = added["ext"]
    assert added["ok"] and added["delivery"]["acked"] and ext.startswith("wm")
    async with http.post(emu.base_url + "/console/api/kf_say", json={"ext": ext, "text": "你好"}) as resp:
        assert (await resp.json())["ok"]
    async with http.post(emu.base_url + "/console/api/staff_say", json={"userid": "nobody", "text": "/help"}) as resp:
        assert resp.status == 400 and not (await resp.json())["ok"]
    api = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["kf"])
    await api.post("kf/send_msg", {"touser": ext, "open_kfid": "wkWanziDemoKf01", "msgtype": "text",
                                   "text": {"content": "您好，我是丸子"}})

    async with http.get(emu.base_url + "/console/api/conversation", params={"ext": ext}) as resp:
        lines = (await resp.json())["lines"]
    assert [(x["who"], x["text"]) for x in lines][-2:] == [("customer", "你好"), ("bot", "您好，我是丸子")]
    async with http.get(emu.base_url + "/console/api/calls", params={"since": "0"}) as resp:
        calls = await resp.json()
    assert [c["api"] for c in calls["calls"]] == ["gettoken", "kf/send_msg"] and calls["next"] == 2
    assert "access_token" not in calls["calls"][1]["summary"]
    async with http.get(emu.base_url + "/console/api/state") as resp:
        state = await resp.json()
    (customer,) = state["customers"]
    assert customer["follows"][0]["state"] == "expo" and customer["kf"][0]["state"] == 0
    assert [e["ChangeType" if "ChangeType" in e else "Event"] for e in receiver.events] == [
        "add_external_contact", "kf_msg_or_event"]


async def test_console_can_move_a_fake_clock(setup: tuple[Emulator, aiohttp.ClientSession, CallbackReceiver]) -> None:
    emu, http, _ = setup
    async with http.post(emu.base_url + "/console/api/advance", json={"seconds": 20}) as resp:
        assert (await resp.json())["now"] == 1_700_020_020
