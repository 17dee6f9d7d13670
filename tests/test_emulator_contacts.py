"""Customer contact fidelity: callback XML, reads, tags, welcome codes, 「联系我」, groups, mass
messages (shared/wecom/customer-contact.md). Expected XML and request bodies are hand-copied
from the notes' examples."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.clock import FakeClock
from emulator import Emulator, EmulatorConfig
from emulator.testing import ApiClient, CallbackReceiver

EXT1 = "wmDemoExt0001AAAAAAAAAAAAAAAA"
EXT2 = "wmDemoExt0002BBBBBBBBBBBBBBBB"
EXT4 = "wmDemoExt0004DDDDDDDDDDDDDDDD"
CHAT = "wrDemoChat0001XXXXXXXXXXXXXXX"
HEAD = ("<xml><ToUserName><![CDATA[ww0123456789abcdef]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>"
        "<CreateTime>{t}</CreateTime><MsgType><![CDATA[event]]></MsgType>")

pytestmark = pytest.mark.usefixtures("receiver")  # the emulator's callbacks go to a stand-in bot


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_001_000)


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=5, callback_retry_delay=0)


@pytest.fixture
def api(api_as: Callable[[str], ApiClient]) -> ApiClient:
    return api_as("contact")


# --- callbacks ---------------------------------------------------------------------------------


async def test_add_friend_pushes_the_documented_add_external_contact(emu: Emulator,
                                                                     receiver: CallbackReceiver) -> None:
    delivery = await emu.add_friend("zhang.wei", EXT1, state="expo2025_booth3")

    code = delivery.fields["WelcomeCode"]
    assert isinstance(code, str) and code
    assert receiver.plains == [
        HEAD.format(t=1700001000) + "<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA["
        "add_external_contact]]></ChangeType><UserID><![CDATA[zhang.wei]]></UserID><ExternalUserID><![CDATA["
        f"{EXT1}]]></ExternalUserID><State><![CDATA[expo2025_booth3]]></State><WelcomeCode><![CDATA[{code}]]>"
        "</WelcomeCode></xml>"]


async def test_half_add_then_full_add_carries_no_second_welcome_code_once_welcomed(
        emu: Emulator, api: ApiClient) -> None:
    half = await emu.add_friend("li.na", EXT2, state="web_banner", half=True)
    assert half.fields["ChangeType"] == "add_half_external_contact"
    await api.post("externalcontact/send_welcome_msg",
                   {"welcome_code": half.fields["WelcomeCode"], "text": {"content": "欢迎～"}})

    full = await emu.add_friend("li.na", EXT2, state="web_banner")

    assert full.fields["ChangeType"] == "add_external_contact" and "WelcomeCode" not in full.fields


async def test_deletes_edit_and_transfer_fail_match_the_documented_xml(emu: Emulator,
                                                                       receiver: CallbackReceiver,
                                                                       clock: FakeClock) -> None:
    await emu.add_friend("zhang.wei", EXT1, welcome=False)
    await emu.add_friend("li.na", EXT2, welcome=False)
    clock.set(1700001100)
    await emu.staff_edits_customer("zhang.wei", EXT1, remark="陈总", add_tags=["展会"])
    clock.set(1700001300)
    await emu.staff_deletes_customer("zhang.wei", EXT1, by_transfer=True)
    clock.set(1700001400)
    await emu.customer_deletes_staff("li.na", EXT2)
    clock.set(1700001500)
    await emu.transfer_fails("wang.fang", "wmDemoExt0003CCCCCCCCCCCCCCCC")

    ev = "<Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[{c}]]></ChangeType>"
    who = "<UserID><![CDATA[{u}]]></UserID><ExternalUserID><![CDATA[{e}]]></ExternalUserID>"
    assert receiver.plains[2:] == [
        HEAD.format(t=1700001100) + ev.format(c="edit_external_contact") + who.format(u="zhang.wei", e=EXT1) + "</xml>",
        HEAD.format(t=1700001300) + ev.format(c="del_external_contact") + who.format(u="zhang.wei", e=EXT1)
        + "<Source><![CDATA[DELETE_BY_TRANSFER]]></Source></xml>",
        HEAD.format(t=1700001400) + ev.format(c="del_follow_user") + who.format(u="li.na", e=EXT2) + "</xml>",
        HEAD.format(t=1700001500) + ev.format(c="transfer_fail") + "<FailReason><![CDATA[customer_refused]]>"
        "</FailReason>" + who.format(u="wang.fang", e="wmDemoExt0003CCCCCCCCCCCCCCCC") + "</xml>",
    ]


async def test_admin_tag_changes_push_change_external_tag(emu: Emulator, receiver: CallbackReceiver) -> None:
    await emu.admin_adds_tag("客户来源", "直播间")
    await emu.admin_adds_tag("会员等级", "金卡")
    await emu.admin_deletes_tag("会员等级")
    await emu.admin_reorders_tags()

    events = receiver.events
    assert [(e["ChangeType"], e.get("TagType")) for e in events] == [
        ("create", "tag"), ("create", "tag_group"), ("delete", "tag_group"), ("shuffle", None)]
    assert events[0]["Id"] == emu.tag_id("直播间") and events[3]["Id"] == ""
    assert "会员等级" not in emu.corp_tags()


# --- reads and tags ----------------------------------------------------------------------------


async def test_externalcontact_get_has_the_documented_shape(emu: Emulator, api: ApiClient) -> None:
    await emu.add_friend("zhang.wei", EXT1, state="expo2025_booth3", name="陈杰")
    await emu.staff_edits_customer("zhang.wei", EXT1, add_tags=["展会"])

    answer = await api.get("externalcontact/get", external_userid=EXT1)

    assert answer["errcode"] == 0 and answer["next_cursor"] == ""
    assert {"external_userid", "name", "avatar", "type", "gender"} <= set(answer["external_contact"])
    assert answer["external_contact"]["name"] == "陈杰"
    (follow,) = answer["follow_user"]
    assert {"userid", "remark", "description", "createtime", "tags", "add_way", "oper_userid", "state"} <= set(follow)
    assert follow["state"] == "expo2025_booth3" and follow["createtime"] == 1700001000
    assert follow["tags"] == [{"group_name": "客户来源", "tag_name": "展会", "tag_id": emu.tag_id("展会"), "type": 1}]
    assert (await api.get("externalcontact/list", userid="zhang.wei"))["external_userid"] == [EXT1]


async def test_unknown_customer_keeps_empty_defaults(api: ApiClient) -> None:
    answer = await api.get("externalcontact/get", external_userid="wmNobody")
    assert answer["errcode"] == 40096 and answer["external_contact"] == {} and answer["follow_user"] == []
    assert (await api.get("externalcontact/get"))["errcode"] == 41035


async def test_mark_tag_checks_ids_and_changes_state_without_a_callback(
        emu: Emulator, api: ApiClient, receiver: CallbackReceiver) -> None:
    await emu.add_friend("zhang.wei", EXT1, welcome=False)
    body = {"userid": "zhang.wei", "external_userid": EXT1, "add_tag": [emu.tag_id("高意向")], "remove_tag": []}

    assert (await api.post("externalcontact/mark_tag", {**body, "add_tag": [], "remove_tag": []}))["errcode"] == 40058
    assert (await api.post("externalcontact/mark_tag", {**body, "add_tag": ["etNoSuchTag"]}))["errcode"] == 40068
    assert (await api.post("externalcontact/mark_tag", {**body, "userid": "nobody"}))["errcode"] == 40003
    assert (await api.post("externalcontact/mark_tag", body))["errcode"] == 0
    assert emu.customer_tags("zhang.wei", EXT1) == ["高意向"]
    assert len(receiver.plains) == 1  # only the add; API changes do not call back


async def test_add_corp_tag_answers_the_new_ids_and_get_filters(emu: Emulator, api: ApiClient,
                                                                receiver: CallbackReceiver) -> None:
    answer = await api.post("externalcontact/add_corp_tag",
                            {"group_name": "Intent", "order": 1, "tag": [{"name": "Hot", "order": 3},
                                                                         {"name": "Cold", "order": 1}]})

    group = answer["tag_group"]
    assert group["group_name"] == "Intent" and group["order"] == 1
    assert [(t["name"], t["order"]) for t in group["tag"]] == [("Hot", 3), ("Cold", 1)]
    assert all(t["id"].startswith("et") for t in group["tag"])
    hot = group["tag"][0]["id"]
    only_hot = await api.post("externalcontact/get_corp_tag_list", {"tag_id": [hot]})
    assert [(g["group_name"], [t["name"] for t in g["tag"]]) for g in only_hot["tag_group"]] == [("Intent", ["Hot"])]
    by_group = await api.post("externalcontact/get_corp_tag_list", {"tag_id": [hot], "group_id": [group["group_id"]]})
    assert [t["name"] for t in by_group["tag_group"][0]["tag"]] == ["Hot", "Cold"]  # group_id wins
    dup = await api.post("externalcontact/add_corp_tag", {"group_id": group["group_id"], "tag": [{"name": "Hot"}]})
    assert dup["errcode"] == 40071
    assert receiver.plains == []


# --- welcome messages ----------------------------------------------------------------------------


async def test_welcome_code_is_single_use_with_the_documented_body(emu: Emulator, api: ApiClient) -> None:
    code = (await emu.add_friend("zhang.wei", EXT1, state="expo2025_booth3")).fields["WelcomeCode"]
    body = {
        "welcome_code": code,
        "text": {"content": "Hi Chen, thanks for visiting booth 3!"},
        "attachments": [
            {"msgtype": "image", "image": {"media_id": "MEDIA_DEMO_1"}},
            {"msgtype": "link", "link": {"title": "Price list", "picurl": "https://example.invalid/p.png",
                                         "desc": "2025 edition", "url": "https://example.invalid/prices"}},
            {"msgtype": "miniprogram", "miniprogram": {"title": "Shop", "pic_media_id": "MEDIA_DEMO_2",
                                                       "appid": "wxDemoApp0001", "page": "/pages/index"}},
            {"msgtype": "video", "video": {"media_id": "MEDIA_DEMO_3"}},
            {"msgtype": "file", "file": {"media_id": "MEDIA_DEMO_4"}},
        ],
    }

    assert await api.post("externalcontact/send_welcome_msg", body) == {"errcode": 0, "errmsg": "ok"}
    assert (await api.post("externalcontact/send_welcome_msg", body))["errcode"] == 41051
    (welcome,) = emu.customer_inbox(EXT1)
    assert welcome.startswith("Hi Chen, thanks for visiting booth 3!") and "[链接] Price list" in welcome


async def test_welcome_code_expires_after_20_seconds(emu: Emulator, api: ApiClient, clock: FakeClock) -> None:
    code = (await emu.add_friend("zhang.wei", EXT1)).fields["WelcomeCode"]
    clock.advance(21)

    answer = await api.post("externalcontact/send_welcome_msg", {"welcome_code": code, "text": {"content": "你好"}})
    assert answer["errcode"] == 41050
    assert (await api.post("externalcontact/send_welcome_msg", {"welcome_code": "WCODE-7f3a9c1e",
                                                                "text": {"content": "你好"}}))["errcode"] == 41050
    assert emu.customer_inbox(EXT1) == []


async def test_welcome_rejects_ten_attachments_and_a_console_welcome_means_no_code(
        emu: Emulator, api: ApiClient) -> None:
    code = (await emu.add_friend("zhang.wei", EXT1)).fields["WelcomeCode"]
    image = {"msgtype": "image", "image": {"media_id": "MEDIA_DEMO_1"}}
    answer = await api.post("externalcontact/send_welcome_msg", {"welcome_code": code, "attachments": [image] * 10})
    assert answer["errcode"] == 40058

    silent = await emu.add_friend("li.na", EXT2, welcome=False)
    assert "WelcomeCode" not in silent.fields and silent.fields["State"] == ""


# --- 「联系我」 ------------------------------------------------------------------------------------


async def test_contact_way_state_limit_qr_code_and_scan(emu: Emulator, api: ApiClient) -> None:
    body = {"type": 1, "scene": 2, "style": 1, "remark": "Expo booth 3", "skip_verify": True,
            "state": "expo2025_booth3", "user": ["zhang.wei"], "is_temp": False}
    answer = await api.post("externalcontact/add_contact_way", body)
    assert answer["errcode"] == 0 and answer["config_id"] and answer["qr_code"].startswith("https://")
    assert "qr_code" not in await api.post("externalcontact/add_contact_way", {**body, "scene": 1})
    assert (await api.post("externalcontact/add_contact_way", {**body, "state": "x" * 31}))["errcode"] == 40058
    assert (await api.post("externalcontact/add_contact_way", {**body, "scene": 3}))["errcode"] == 41040

    delivery = await emu.customer_scans(answer["config_id"], EXT4)
    assert (delivery.fields["UserID"], delivery.fields["State"]) == ("zhang.wei", "expo2025_booth3")


# --- customer groups -----------------------------------------------------------------------------


async def test_group_join_and_leave_match_the_documented_update_events(
        emu: Emulator, api: ApiClient, receiver: CallbackReceiver, clock: FakeClock) -> None:
    clock.set(1700002000)
    await emu.create_group(CHAT, "zhang.wei", "VIP buyers")
    clock.set(1700002100)
    await emu.customers_join_group(CHAT, [EXT1, EXT4], scene=3)
    clock.set(1700002200)
    await emu.customer_leaves_group(CHAT, EXT4, removed=True)

    create, join, leave = receiver.plains
    chat_head = HEAD + "<Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[" + CHAT + "]]></ChatId>"
    assert create == chat_head.format(t=1700002000) + "<ChangeType><![CDATA[create]]></ChangeType></xml>"
    join_fields = receiver.events[1]
    assert join.startswith(chat_head.format(t=1700002100) + "<ChangeType><![CDATA[update]]></ChangeType>"
                           "<UpdateDetail><![CDATA[add_member]]></UpdateDetail><JoinScene>3</JoinScene>"
                           "<MemChangeCnt>2</MemChangeCnt><MemChangeList><Item><![CDATA[" + EXT1 + "]]></Item>"
                           "<Item><![CDATA[" + EXT4 + "]]></Item></MemChangeList><LastMemVer>")
    assert "<QuitScene>1</QuitScene><MemChangeCnt>1</MemChangeCnt>" in leave
    assert receiver.events[2]["LastMemVer"] == join_fields["CurMemVer"] != join_fields["LastMemVer"]

    got = (await api.post("externalcontact/groupchat/get", {"chat_id": CHAT, "need_name": 1}))["group_chat"]
    assert got["member_version"] == receiver.events[2]["CurMemVer"]
    assert [(m["userid"], m["type"], m["join_scene"]) for m in got["member_list"]] == [
        ("zhang.wei", 1, 1), (EXT1, 2, 3)]
    assert got["member_list"][0]["name"] == "张伟"


async def test_callback_join_scene_0_is_join_scene_1_in_groupchat_get(emu: Emulator, api: ApiClient) -> None:
    await emu.create_group(CHAT, "zhang.wei", "VIP buyers")
    delivery = await emu.customers_join_group(CHAT, [EXT1], scene=0)

    assert delivery.fields["JoinScene"] == "0"
    members = (await api.post("externalcontact/groupchat/get", {"chat_id": CHAT}))["group_chat"]["member_list"]
    assert members[1]["join_scene"] == 1 and members[1]["invitor"] == {"userid": "zhang.wei"}
    assert "name" not in members[1]  # only with need_name=1


async def test_groupchat_list_pages_and_dismissed_groups_vanish(emu: Emulator, api: ApiClient) -> None:
    for i in range(3):
        await emu.create_group(f"wrChat{i}", "zhang.wei", f"群{i}")
    await emu.create_group("wrOther", "li.na", "别人的群")
    body = {"status_filter": 0, "owner_filter": {"userid_list": ["zhang.wei"]}, "cursor": "", "limit": 2}

    first = await api.post("externalcontact/groupchat/list", body)
    second = await api.post("externalcontact/groupchat/list", {**body, "cursor": first["next_cursor"]})
    assert [g["chat_id"] for g in first["group_chat_list"] + second["group_chat_list"]] == [
        "wrChat0", "wrChat1", "wrChat2"]
    assert second["next_cursor"] == ""
    assert (await api.post("externalcontact/groupchat/list", {**body, "limit": 0}))["errcode"] == 40058

    await emu.dismiss_group("wrChat1")
    assert (await api.post("externalcontact/groupchat/get", {"chat_id": "wrChat1"}))["errcode"] == 40050


# --- mass messages -------------------------------------------------------------------------------


async def test_mass_message_waits_for_staff_confirmation(emu: Emulator, api: ApiClient) -> None:
    await emu.add_friend("zhang.wei", EXT1, welcome=False)
    body = {"chat_type": "single", "external_userid": [EXT1, EXT4], "sender": "zhang.wei",
            "text": {"content": "Spring promotion starts Monday."},
            "attachments": [{"msgtype": "link", "link": {"title": "Details", "url": "https://example.invalid/spring"}}]}

    answer = await api.post("externalcontact/add_msg_template", body)
    assert answer["errcode"] == 0 and answer["fail_list"] == [EXT4] and answer["msgid"]
    result = {"msgid": answer["msgid"], "userid": "zhang.wei", "limit": 500, "cursor": ""}
    before = await api.post("externalcontact/get_groupmsg_send_result", result)
    assert before["send_list"] == [{"external_userid": EXT1, "chat_id": "", "userid": "zhang.wei", "status": 0}]
    assert emu.customer_inbox(EXT1) == []

    assert emu.confirm_group_msg(answer["msgid"]) == 1
    after = (await api.post("externalcontact/get_groupmsg_send_result", result))["send_list"]
    assert after[0]["status"] == 1 and after[0]["send_time"] == 1700001000
    assert emu.customer_inbox(EXT1) == ["Spring promotion starts Monday.\n[链接] Details"]


async def test_mass_message_to_nobody_reachable_is_refused(emu: Emulator, api: ApiClient) -> None:
    answer = await api.post("externalcontact/add_msg_template",
                            {"external_userid": [EXT4], "text": {"content": "hi"}})
    assert answer["errcode"] == 41048
    assert (await api.post("externalcontact/get_groupmsg_send_result",
                           {"msgid": "msgNope", "userid": "zhang.wei"}))["errcode"] == 41047


async def test_monthly_receive_quota_turns_rows_into_status_3(clock: FakeClock) -> None:
    emu = Emulator(EmulatorConfig(seed=9, mass_quota_per_month=1), clock=clock)
    await emu.add_friend("zhang.wei", EXT1, welcome=False)
    from emulator.api import ApiRequest
    from emulator.api_groups import add_msg_template

    def propose() -> str:
        req = ApiRequest("externalcontact/add_msg_template", "POST", {},
                         {"external_userid": [EXT1], "text": {"content": "月度活动"}}, None, "127.0.0.1")
        return str(add_msg_template(emu.corp, req)["msgid"])

    first, second = propose(), propose()
    assert emu.confirm_group_msg(first) == 1 and emu.confirm_group_msg(second) == 0
    assert emu.corp.mass.tasks[second].records[0].status == 3


async def test_group_welcome_template_add_get_del(api: ApiClient) -> None:
    body = {"text": {"content": "Welcome %NICKNAME%! Rules are pinned."}, "image": {"media_id": "MEDIA_DEMO_1"},
            "notify": 1}
    added = await api.post("externalcontact/group_welcome_template/add", body)
    assert added["errcode"] == 0 and added["template_id"]

    got = await api.post("externalcontact/group_welcome_template/get", {"template_id": added["template_id"]})
    assert got["text"] == body["text"] and got["image"] == body["image"]
    two_media = {**body, "link": {"title": "Rules", "url": "https://example.invalid/rules"}}
    assert (await api.post("externalcontact/group_welcome_template/add", two_media))["errcode"] == 40058
    assert (await api.post("externalcontact/group_welcome_template/add",
                           {"text": {"content": "欢" * 1001}}))["errcode"] == 40058  # 3003 bytes
    assert (await api.post("externalcontact/group_welcome_template/del",
                           {"template_id": added["template_id"]}))["errcode"] == 0
