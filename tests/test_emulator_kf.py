"""微信客服 fidelity (shared/wecom/kf.md): the pull model, cursors, tokens, the send window,
session states and event codes. Request bodies are hand-written from the notes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.clock import FakeClock
from emulator import Emulator, EmulatorConfig
from emulator.testing import ApiClient, CallbackReceiver

KF = "wkWanziDemoKf01"
CUST = "wmDemoCust0001RRRRRRRRRRRRRRR"

pytestmark = pytest.mark.usefixtures("receiver")  # the emulator's callbacks go to a stand-in bot


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_006_000)


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=11, callback_retry_delay=0)


@pytest.fixture
def api(api_as: Callable[[str], ApiClient]) -> ApiClient:
    return api_as("kf")


def last_token(receiver: CallbackReceiver) -> str:
    token = receiver.events[-1]["Token"]
    assert isinstance(token, str)
    return token


def send_body(text: str, **extra: Any) -> dict[str, Any]:
    return {"touser": CUST, "open_kfid": KF, "msgtype": "text", "text": {"content": text}, **extra}


async def test_push_is_only_a_pull_signal_with_token_and_open_kfid(emu: Emulator, receiver: CallbackReceiver,
                                                                   clock: FakeClock) -> None:
    await emu.customer_enters_kf(CUST, scene="site_footer")

    token = last_token(receiver)
    assert receiver.plains == [
        "<xml><ToUserName><![CDATA[ww0123456789abcdef]]></ToUserName><CreateTime>1700006000</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event>"
        f"<Token><![CDATA[{token}]]></Token><OpenKfId><![CDATA[{KF}]]></OpenKfId></xml>"]


async def test_sync_msg_answers_the_documented_shape(emu: Emulator, api: ApiClient, receiver: CallbackReceiver,
                                                     clock: FakeClock) -> None:
    await emu.customer_enters_kf(CUST, scene="site_footer", scene_param="page%3Dsku42")
    clock.advance(10)
    await emu.customer_says(CUST, "Is the blue model in stock?")
    body = {"cursor": "", "token": last_token(receiver), "limit": 1000, "voice_format": 0, "open_kfid": KF}

    answer = await api.post("kf/sync_msg", body)

    assert list(answer) == ["errcode", "errmsg", "next_cursor", "has_more", "msg_list"]
    assert answer["has_more"] == 0 and isinstance(answer["next_cursor"], str) and len(answer["next_cursor"]) <= 64
    event, text = answer["msg_list"]
    assert set(event) == {"msgid", "send_time", "origin", "msgtype", "event"}  # ids only inside `event`
    assert (event["origin"], event["msgtype"], event["send_time"]) == (4, "event", 1700006000)
    assert {k: v for k, v in event["event"].items() if k != "welcome_code"} == {
        "event_type": "enter_session", "open_kfid": KF, "external_userid": CUST, "scene": "site_footer",
        "scene_param": "page%3Dsku42"}
    assert event["event"]["welcome_code"]
    assert text == {"msgid": text["msgid"], "open_kfid": KF, "external_userid": CUST, "send_time": 1700006010,
                    "origin": 3, "msgtype": "text", "text": {"content": "Is the blue model in stock?"}}


async def test_cursor_pages_by_limit_and_resumes(emu: Emulator, api: ApiClient, receiver: CallbackReceiver) -> None:
    for i in range(5):
        await emu.customer_says(CUST, f"第{i}条")
    token = last_token(receiver)

    pages, cursor = [], ""
    for _ in range(3):
        page = await api.post("kf/sync_msg", {"cursor": cursor, "token": token, "limit": 2, "open_kfid": KF})
        pages.append(([m["text"]["content"] for m in page["msg_list"]], page["has_more"]))
        cursor = page["next_cursor"]
    assert pages == [(["第0条", "第1条"], 1), (["第2条", "第3条"], 1), (["第4条"], 0)]

    assert (await api.post("kf/sync_msg", {"cursor": cursor, "token": token, "open_kfid": KF}))["msg_list"] == []
    await emu.customer_says(CUST, "新消息")
    newer = await api.post("kf/sync_msg", {"cursor": cursor, "token": last_token(receiver), "open_kfid": KF})
    assert [m["text"]["content"] for m in newer["msg_list"]] == ["新消息"]
    again = await api.post("kf/sync_msg", {"cursor": "", "token": token, "limit": 1, "open_kfid": KF})
    assert again["msg_list"][0]["text"]["content"] == "第0条"  # empty cursor = oldest within 3 days


async def test_empty_cursor_reaches_back_only_three_days(emu: Emulator, api: ApiClient, receiver: CallbackReceiver,
                                                         clock: FakeClock) -> None:
    await emu.customer_says(CUST, "很久以前")
    clock.advance(3 * 86400 + 1)
    await emu.customer_says(CUST, "现在")

    answer = await api.post("kf/sync_msg", {"cursor": "", "token": last_token(receiver), "open_kfid": KF})
    assert [m["text"]["content"] for m in answer["msg_list"]] == ["现在"]


async def test_limit_must_be_1_to_1000(emu: Emulator, api: ApiClient, receiver: CallbackReceiver) -> None:
    await emu.customer_says(CUST, "你好")
    body = {"cursor": "", "token": last_token(receiver), "open_kfid": KF}
    assert (await api.post("kf/sync_msg", {**body, "limit": 1001}))["errcode"] == 40058
    assert (await api.post("kf/sync_msg", {**body, "limit": -1}))["errcode"] == 40058


async def test_token_lives_ten_minutes_and_wrong_tokens_answer_95007(
        emu: Emulator, api: ApiClient, receiver: CallbackReceiver, clock: FakeClock) -> None:
    await emu.customer_says(CUST, "在吗")
    token = last_token(receiver)
    assert (await api.post("kf/sync_msg", {"cursor": "", "token": "ENCforged", "open_kfid": KF}))["errcode"] == 95007

    clock.advance(601)
    answer = await api.post("kf/sync_msg", {"cursor": "", "token": token, "open_kfid": KF})
    assert answer["errcode"] == 95007 and answer["errmsg"].startswith("invalid msg token, hint")


async def test_pulling_without_token_is_allowed_but_tightly_limited(emu: Emulator, api: ApiClient,
                                                                    clock: FakeClock) -> None:
    codes = [(await api.post("kf/sync_msg", {"cursor": "", "open_kfid": KF}))["errcode"] for _ in range(11)]
    assert codes == [0] * 10 + [45009]
    clock.advance(60)
    assert (await api.post("kf/sync_msg", {"cursor": "", "open_kfid": KF}))["errcode"] == 0


async def test_bot_messages_are_never_pulled_back(emu: Emulator, api: ApiClient, receiver: CallbackReceiver) -> None:
    await emu.customer_says(CUST, "蓝色有货吗？")
    sent = await api.post("kf/send_msg", send_body("有的，明天发货。", msgid="botReply0007"))
    assert sent == {"errcode": 0, "errmsg": "ok", "msgid": "botReply0007"}

    answer = await api.post("kf/sync_msg", {"cursor": "", "token": last_token(receiver), "open_kfid": KF})
    assert [m.get("origin") for m in answer["msg_list"]] == [3]
    assert emu.customer_inbox(CUST) == ["有的，明天发货。"]


async def test_five_replies_per_customer_message_then_95001(emu: Emulator, api: ApiClient) -> None:
    await emu.customer_says(CUST, "问个问题")
    codes = [(await api.post("kf/send_msg", send_body(f"回复{i}")))["errcode"] for i in range(6)]
    assert codes == [0, 0, 0, 0, 0, 95001]

    await emu.customer_says(CUST, "还有一个问题")
    assert (await api.post("kf/send_msg", send_body("好的")))["errcode"] == 0


async def test_48_hours_after_the_customer_spoke_the_window_is_closed(emu: Emulator, api: ApiClient,
                                                                      clock: FakeClock) -> None:
    await emu.customer_says(CUST, "问个问题")
    clock.advance(48 * 3600 + 1)
    assert (await api.post("kf/send_msg", send_body("迟到的回复")))["errcode"] == 95002


async def test_send_needs_state_0_or_1(emu: Emulator, api: ApiClient) -> None:
    await emu.customer_enters_kf(CUST)  # state 4 until the customer speaks
    assert (await api.post("kf/send_msg", send_body("你好")))["errcode"] == 95018
    assert (await api.post("kf/send_msg", send_body("你好", touser="wmStranger")))["errcode"] == 95031

    await emu.customer_says(CUST, "转人工")
    trans = {"open_kfid": KF, "external_userid": CUST, "service_state": 2}
    assert (await api.post("kf/service_state/trans", trans))["errcode"] == 0
    answer = await api.post("kf/send_msg", send_body("请稍候"))
    assert answer["errcode"] == 95018 and answer["errmsg"].startswith("send msg session status invalid")


async def test_text_over_2048_bytes_and_bad_msgid_are_refused(emu: Emulator, api: ApiClient) -> None:
    await emu.customer_says(CUST, "你好")
    assert (await api.post("kf/send_msg", send_body("好" * 683)))["errcode"] == 40058  # 2049 bytes
    assert (await api.post("kf/send_msg", send_body("好", msgid="has space")))["errcode"] == 40058
    assert (await api.post("kf/send_msg", send_body("好" * 682)))["errcode"] == 0
    assert (await api.post("kf/send_msg", {**send_body("x"), "open_kfid": "wkUnknown"}))["errcode"] == 95004


async def test_service_state_machine(emu: Emulator, api: ApiClient) -> None:
    await emu.customer_says(CUST, "你好")

    async def trans(state: int, servicer: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {"open_kfid": KF, "external_userid": CUST, "service_state": state}
        if servicer:
            body["servicer_userid"] = servicer
        return await api.post("kf/service_state/trans", body)

    async def state() -> int:
        got = await api.post("kf/service_state/get", {"open_kfid": KF, "external_userid": CUST})
        return int(got["service_state"])

    assert await state() == 0
    assert await trans(1) == {"errcode": 0, "errmsg": "ok"}  # 0→1: no msg_code
    assert (await trans(2))["msg_code"]  # 1→2 (queue): a wait-notice code
    assert (await trans(1))["errcode"] == 95016  # 2→1 not allowed
    await emu.servicer_status("li.na", receiving=False, stop_type=1)
    assert (await trans(3, "li.na"))["errcode"] == 95019
    assert (await trans(3, "zhang.wei"))["errcode"] == 95014
    picked = await trans(3, "wang.fang")
    assert picked["errcode"] == 0 and picked["msg_code"]
    assert await state() == 3
    ended = await trans(4)
    assert ended["errcode"] == 0 and ended["msg_code"]
    assert (await trans(1))["errcode"] == 95016  # 4 cannot be changed by API
    await emu.customer_says(CUST, "又来了")
    assert await state() == 0


async def test_queue_transition_answers_a_wait_msg_code(emu: Emulator, api: ApiClient) -> None:
    await emu.customer_says(CUST, "你好")
    answer = await api.post("kf/service_state/trans", {"open_kfid": KF, "external_userid": CUST, "service_state": 2})
    assert answer["errcode"] == 0 and answer["msg_code"]
    sent = await api.post("kf/send_msg_on_event", {"code": answer["msg_code"], "msgtype": "text",
                                                   "text": {"content": "正在为您转接人工，请稍候"}})
    assert sent["errcode"] == 0


async def test_welcome_code_one_message_within_20_seconds(emu: Emulator, api: ApiClient, receiver: CallbackReceiver,
                                                          clock: FakeClock) -> None:
    await emu.customer_enters_kf(CUST, scene="site_footer")
    pulled = await api.post("kf/sync_msg", {"cursor": "", "token": last_token(receiver), "open_kfid": KF})
    code = pulled["msg_list"][0]["event"]["welcome_code"]
    body = {"code": code, "msgid": "welcome0001", "msgtype": "text",
            "text": {"content": "Hi! Ask me anything about our products."}}

    assert await api.post("kf/send_msg_on_event", body) == {"errcode": 0, "errmsg": "ok", "msgid": "welcome0001"}
    assert (await api.post("kf/send_msg_on_event", body))["errcode"] != 0
    assert emu.customer_inbox(CUST) == ["Hi! Ask me anything about our products."]

    await emu.customer_enters_kf("wmOther", scene="site_footer")
    late = await api.post("kf/sync_msg", {"cursor": pulled["next_cursor"], "token": last_token(receiver),
                                          "open_kfid": KF})
    clock.advance(21)
    stale = await api.post("kf/send_msg_on_event", {**body, "code": late["msg_list"][0]["event"]["welcome_code"]})
    assert stale["errcode"] != 0


async def test_no_welcome_code_when_the_customer_spoke_in_the_last_48_hours(emu: Emulator, api: ApiClient,
                                                                            receiver: CallbackReceiver,
                                                                            clock: FakeClock) -> None:
    await emu.customer_says(CUST, "你好")
    clock.advance(3600)
    await emu.customer_enters_kf(CUST)
    page = await api.post("kf/sync_msg", {"cursor": "", "token": last_token(receiver), "open_kfid": KF})
    assert "welcome_code" not in page["msg_list"][-1]["event"]
    clock.advance(48 * 3600)
    await api.gettoken()  # the 2-hour access_token is long gone too
    await emu.customer_enters_kf(CUST)
    page = await api.post("kf/sync_msg", {"cursor": page["next_cursor"], "token": last_token(receiver),
                                          "open_kfid": KF})
    assert page["errcode"] == 0, page
    assert page["msg_list"][-1]["event"]["welcome_code"]


async def test_servicer_ending_a_session_emits_change_type_3_with_an_end_code(
        emu: Emulator, api: ApiClient, receiver: CallbackReceiver) -> None:
    await emu.customer_says(CUST, "人工")
    await api.post("kf/service_state/trans", {"open_kfid": KF, "external_userid": CUST, "service_state": 2})
    await emu.servicer_picks_up(CUST, "li.na")
    await emu.servicer_says(CUST, "您好，我是李娜")
    await emu.servicer_ends_session(CUST)

    page = await api.post("kf/sync_msg", {"cursor": "", "token": last_token(receiver), "open_kfid": KF})
    entries = page["msg_list"]
    pick, said, end = entries[1], entries[2], entries[3]
    assert pick["event"] == {"event_type": "session_status_change", "open_kfid": KF, "external_userid": CUST,
                             "change_type": 1, "new_servicer_userid": "li.na", "msg_code": pick["event"]["msg_code"]}
    assert (said["origin"], said["servicer_userid"]) == (5, "li.na")
    assert end["event"]["change_type"] == 3 and end["event"]["old_servicer_userid"] == "li.na"
    assert "new_servicer_userid" not in end["event"]
    goodbye = {"code": end["event"]["msg_code"], "msgtype": "msgmenu",
               "msgmenu": {"head_content": "请评价本次服务",
                           "list": [{"type": "click", "click": {"id": "1", "content": "满意"}}]}}
    assert (await api.post("kf/send_msg_on_event", goodbye))["errcode"] == 0
    assert emu.customer_inbox(CUST)[-1] == "请评价本次服务\n满意"
    assert (await api.post("kf/service_state/get", {"open_kfid": KF, "external_userid": CUST}))["service_state"] == 4


async def test_servicer_status_numbering_differs_between_event_and_list(emu: Emulator, api: ApiClient,
                                                                        receiver: CallbackReceiver) -> None:
    await emu.servicer_status("li.na", receiving=False, stop_type=1)

    page = await api.post("kf/sync_msg", {"cursor": "", "token": last_token(receiver), "open_kfid": KF})
    assert page["msg_list"][0]["event"] == {"event_type": "servicer_status_change", "servicer_userid": "li.na",
                                            "status": 2, "stop_type": 1, "open_kfid": KF}
    listed = await api.get("kf/servicer/list", open_kfid=KF)
    assert {"userid": "li.na", "status": 1, "stop_type": 1} in listed["servicer_list"]


async def test_accounts_are_listed_by_post_and_get(api: ApiClient) -> None:
    expected = [{"open_kfid": KF, "name": "丸子小助手", "avatar": "https://example.invalid/kf/wkWanziDemoKf01.png",
                 "manage_privilege": True}]
    assert (await api.post("kf/account/list", {"offset": 0, "limit": 100}))["account_list"] == expected
    assert (await api.get("kf/account/list", offset="0", limit="100"))["account_list"] == expected
    assert (await api.post("kf/account/list", {"offset": 0, "limit": 101}))["errcode"] == 40058


async def test_customer_batchget_knows_kf_customers_only(emu: Emulator, api: ApiClient) -> None:
    await emu.customer_enters_kf(CUST, scene="site_footer", name="小陈")
    answer = await api.post("kf/customer/batchget", {"external_userid_list": [CUST, "wmNobody"],
                                                     "need_enter_session_context": 1})
    (customer,) = answer["customer_list"]
    assert customer["nickname"] == "小陈" and customer["enter_session_context"]["scene"] == "site_footer"
    assert answer["invalid_external_userid"] == ["wmNobody"]


async def test_kf_contact_way_scene_comes_back_in_enter_session(emu: Emulator, api: ApiClient,
                                                                receiver: CallbackReceiver) -> None:
    link = await api.post("kf/add_contact_way", {"open_kfid": KF, "scene": "site_footer"})
    assert link["errcode"] == 0 and link["url"].startswith("https://work.weixin.qq.com/kf/")
    assert (await api.post("kf/add_contact_way", {"open_kfid": KF, "scene": "bad scene!"}))["errcode"] == 40058

    await emu.customer_enters_kf(CUST, scene="site_footer", scene_param="sku%3D42")
    session = emu.kf_session(CUST)
    assert session is not None and session.state == 4 and emu.kf_session("wmNever") is None
