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


async def test_a_customer_joins_a_group_by_its_qr_code_from_the_console(
        setup: tuple[Emulator, aiohttp.ClientSession, CallbackReceiver]) -> None:
    emu, http, receiver = setup
    await emu.create_group("wrConsole01", "li.na", "护肤交流1群")
    async with http.post(emu.base_url + "/console/api/group_join",
                         json={"chat_id": "wrConsole01", "ext": "", "name": "小美"}) as resp:
        joined = await resp.json()
    assert joined["ok"] and joined["delivery"]["acked"]
    event = receiver.events[-1]
    assert (event["ChangeType"], event["UpdateDetail"], event["JoinScene"]) == ("update", "add_member", "3")
    async with http.get(emu.base_url + "/console/api/state") as resp:
        state = await resp.json()
    assert state["groups"] == [{"chat_id": "wrConsole01", "name": "护肤交流1群", "owner": "李娜", "customers": 1}]
    assert [(c["name"], c["kind"]) for c in state["customers"]] == [("小美", "group")]
    async with http.post(emu.base_url + "/console/api/group_join", json={"chat_id": "", "ext": ""}) as resp:
        assert resp.status == 400 and (await resp.json())["error"] == "请先选择一个客户群"


async def test_a_mass_message_waits_in_the_console_until_its_sender_taps_send(
        setup: tuple[Emulator, aiohttp.ClientSession, CallbackReceiver]) -> None:
    """add_msg_template only proposes (doc 92135): the console lists the task with who still has to send
    it, and the member's tap sends it into the chats, as the WeCom client does."""
    emu, http, _ = setup
    await emu.add_friend("wang.fang", "wmMass0001")
    await emu.create_group("wrConsole02", "li.na", "护肤交流2群")
    api = ApiClient(emu.base_url, http, emu.config.corp_id, emu.config.secrets["contact"])
    single = await api.post("externalcontact/add_msg_template", {
        "chat_type": "single", "external_userid": ["wmMass0001"], "sender": "wang.fang",
        "text": {"content": "新品到啦"}})
    await api.post("externalcontact/add_msg_template", {
        "chat_type": "group", "sender": "li.na", "text": {"content": "今晚八点聊聊换季护肤"}})

    async def tasks() -> list[dict]:
        async with http.get(emu.base_url + "/console/api/state") as resp:
            return list((await resp.json())["mass_tasks"])

    listed = {t["msgid"]: t for t in await tasks()}
    assert listed[single["msgid"]]["pending"] == [{"userid": "wang.fang", "name": "王芳", "count": 1}]
    assert listed[single["msgid"]]["text"] == "新品到啦" and listed[single["msgid"]]["sent"] == 0
    assert "新品到啦" not in [x.text for x in emu.customer_transcript("wmMass0001")]  # nothing sent yet

    group_task = next(t for t in listed.values() if t["chat_type"] == "group")
    for msgid, userid in ((single["msgid"], "wang.fang"), (group_task["msgid"], "li.na")):
        async with http.post(emu.base_url + "/console/api/mass_send", json={"msgid": msgid, "userid": userid}) as resp:
            assert await resp.json() == {"ok": True, "sent": 1}
    assert emu.customer_transcript("wmMass0001")[-1].text == "新品到啦"
    async with http.get(emu.base_url + "/console/api/group", params={"chat_id": "wrConsole02"}) as resp:
        assert [x["text"] for x in (await resp.json())["lines"]] == ["今晚八点聊聊换季护肤"]
    assert all(t["pending"] == [] and t["sent"] == 1 for t in await tasks())
    async with http.post(emu.base_url + "/console/api/mass_send", json={"msgid": "nope", "userid": "li.na"}) as resp:
        assert resp.status == 400 and not (await resp.json())["ok"]
