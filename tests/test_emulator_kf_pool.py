"""Receptionists per kf account, the reception pool and a human taking over (shared/wecom/kf.md §3,
§6, §7): what the bot sees through servicer/list, service_state/trans and sync_msg."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.clock import FakeClock
from emulator import Emulator, EmulatorConfig
from emulator.testing import ApiClient, CallbackReceiver

KF, KF2 = "wkWanziDemoKf01", "wkWanziVipKf02"
CUST = "wmPoolCust0001"

pytestmark = pytest.mark.usefixtures("receiver")  # the emulator's callbacks go to a stand-in bot


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_050_000)


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=51, callback_retry_delay=0, kf_accounts={KF: "丸子小助手", KF2: "丸子VIP顾问"},
                          kf_account_servicers={KF2: ("chen.jing",)})


@pytest.fixture
def api(api_as: Callable[[str], ApiClient]) -> ApiClient:
    return api_as("kf")


async def pull(api: ApiClient, receiver: CallbackReceiver, cursor: str = "") -> tuple[list[dict[str, Any]], str]:
    page = await api.post("kf/sync_msg", {"cursor": cursor, "token": receiver.events[-1]["Token"], "limit": 1000,
                                          "open_kfid": receiver.events[-1]["OpenKfId"]})
    return page["msg_list"], page["next_cursor"]


async def test_servicer_list_answers_each_accounts_own_receptionists(api: ApiClient) -> None:
    default = await api.get("kf/servicer/list", open_kfid=KF)
    vip = await api.get("kf/servicer/list", open_kfid=KF2)

    assert default["servicer_list"] == [{"userid": "li.na", "status": 0, "stop_type": 0},
                                        {"userid": "wang.fang", "status": 0, "stop_type": 0}]
    assert vip["servicer_list"] == [{"userid": "chen.jing", "status": 0, "stop_type": 0}]
    assert (await api.get("kf/servicer/list", open_kfid="wkNoSuchKf"))["errcode"] == 95004


async def test_transfer_to_someone_who_is_not_a_servicer_of_that_account_is_95014(emu: Emulator,
                                                                                   api: ApiClient) -> None:
    await emu.customer_says(CUST, "请转人工", open_kfid=KF2)

    async def trans(servicer: str) -> dict[str, Any]:
        return await api.post("kf/service_state/trans", {"open_kfid": KF2, "external_userid": CUST,
                                                         "service_state": 3, "servicer_userid": servicer})

    assert (await trans("li.na"))["errcode"] == 95014  # a servicer, but of the other account
    assert (await trans("zhang.wei"))["errcode"] == 95014  # a member who receives no kf chats
    assert (await trans("chen.jing"))["errcode"] == 0


async def test_queued_chat_is_picked_up_from_the_pool_and_the_servicer_replies(
        emu: Emulator, api: ApiClient, receiver: CallbackReceiver, clock: FakeClock) -> None:
    await emu.customer_says(CUST, "可以找人工吗", open_kfid=KF)
    _, cursor = await pull(api, receiver)
    queued = await api.post("kf/service_state/trans", {"open_kfid": KF, "external_userid": CUST,
                                                       "service_state": 2})
    assert queued["errcode"] == 0 and queued["msg_code"]
    assert [s.external_userid for s in emu.corp.kf.pool()] == [CUST]

    clock.advance(30)
    with pytest.raises(ValueError, match="not a servicer"):
        await emu.servicer_picks_up(CUST, "zhang.wei", open_kfid=KF)
    await emu.servicer_picks_up(CUST, "wang.fang", open_kfid=KF)
    await emu.servicer_says(CUST, "您好，我是王芳，请讲", open_kfid=KF)

    (change, said), _ = await pull(api, receiver, cursor)
    assert change["origin"] == 4 and change["event"] == {
        "event_type": "session_status_change", "open_kfid": KF, "external_userid": CUST, "change_type": 1,
        "new_servicer_userid": "wang.fang", "msg_code": change["event"]["msg_code"]}
    assert {k: said[k] for k in ("origin", "servicer_userid", "msgtype", "text", "external_userid")} == {
        "origin": 5, "servicer_userid": "wang.fang", "msgtype": "text", "text": {"content": "您好，我是王芳，请讲"},
        "external_userid": CUST}
    state = await api.post("kf/service_state/get", {"open_kfid": KF, "external_userid": CUST})
    assert (state["service_state"], state["servicer_userid"]) == (3, "wang.fang")
    assert emu.corp.kf.pool() == []


async def test_a_stopped_servicer_cannot_be_assigned(emu: Emulator, api: ApiClient) -> None:
    await emu.customer_says(CUST, "在吗", open_kfid=KF2)
    await emu.servicer_status("chen.jing", receiving=False, open_kfid=KF2)
    answer = await api.post("kf/service_state/trans", {"open_kfid": KF2, "external_userid": CUST,
                                                       "service_state": 3, "servicer_userid": "chen.jing"})
    assert answer["errcode"] == 95019
    listed = await api.get("kf/servicer/list", open_kfid=KF2)
    assert listed["servicer_list"] == [{"userid": "chen.jing", "status": 1, "stop_type": 0}]


async def test_customer_images_arrive_as_image_media_ids(emu: Emulator, api: ApiClient,
                                                         receiver: CallbackReceiver) -> None:
    await emu.customer_sends_image(CUST, open_kfid=KF)
    (item,), _ = await pull(api, receiver)
    assert item["origin"] == 3 and item["msgtype"] == "image" and list(item["image"]) == ["media_id"]
