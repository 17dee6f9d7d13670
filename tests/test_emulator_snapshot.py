"""The sandbox's emulated corp survives a restart (emulator/snapshot.py): restored from its file, it answers
the bot as the saved corp would — same access token, same kf read cursor, same customers and chats —
and a file that cannot restore it is refused whole, never half-read."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest

from bot.clock import FakeClock
from emulator import Emulator, EmulatorConfig
from emulator.snapshot import SnapshotFile, SnapshotUnusable, corp_to_json
from emulator.testing import ApiClient

KF = "wkWanziDemoKf01"
ASKER = "wmSnapAsker00000000000000000001"
FRIEND = "wmSnapFriend0000000000000000001"

pytestmark = pytest.mark.usefixtures("receiver")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_006_000)


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=23, callback_retry_delay=0)


async def busy_corp(emu: Emulator, api_as: Callable[[str], ApiClient]) -> str:
    """Something in every book: a welcomed, tagged friend, a group, a mass send, a kf chat half read, a sidebar
    with a JS-SDK ticket, a visitor's openid, a webhook message. Returns the bot's kf read cursor."""
    contact, kf, app = api_as("contact"), api_as("kf"), api_as("app")
    added = await emu.add_friend("zhang.wei", FRIEND, state="expo", name="周敏")
    assert (await contact.post("externalcontact/send_welcome_msg", {"welcome_code": added.fields["WelcomeCode"],
                                                                    "text": {"content": "欢迎"}}))["errcode"] == 0
    assert (await contact.post("externalcontact/mark_tag", {"userid": "zhang.wei", "external_userid": FRIEND,
                                                            "add_tag": [emu.tag_id("展会")]}))["errcode"] == 0
    await emu.create_group("wrSnapGroup01", "zhang.wei", "护肤交流群")
    await emu.customers_join_group("wrSnapGroup01", [FRIEND])
    assert (await contact.post("externalcontact/add_msg_template", {
        "chat_type": "single", "sender": "zhang.wei", "external_userid": [FRIEND],
        "text": {"content": "新品上架"}}))["errcode"] == 0
    await emu.customer_enters_kf(ASKER, name="林晓")
    await emu.customer_says(ASKER, "你们门店几点关门？")
    page = await kf.post("kf/sync_msg", {"open_kfid": KF})
    assert (await kf.post("kf/send_msg", {"touser": ASKER, "open_kfid": KF, "msgtype": "text",
                                          "text": {"content": "我去问问同事"}}))["errcode"] == 0
    await emu.customer_says(ASKER, "好的")  # not yet pulled when the sandbox stops
    assert (await app.get("ticket/get", type="agent_config"))["errcode"] == 0
    emu.open_sidebar("li.na", external_userid=FRIEND)
    emu.oauth_code_for_visitor(FRIEND)
    assert (await app.webhook(emu.config.webhook_keys[0], {"msgtype": "text", "text": {"content": "日报"}}))[
        "errcode"] == 0
    return str(page["next_cursor"])


@pytest.fixture
async def restarted(emu: Emulator, clock: FakeClock,
                    tmp_path: Path) -> AsyncIterator[Callable[[], Awaitable[Emulator]]]:
    """A second emulator on the first one's file, as the next `wanzi sandbox` start builds it."""
    started: list[Emulator] = []

    async def restart() -> Emulator:
        file = tmp_path / "sandbox.emulator.json"
        assert SnapshotFile(file).save(emu.corp)
        again = Emulator(emu.config, clock=clock)
        again.corp = SnapshotFile(file).load(emu.config, clock)
        await again.start()
        started.append(again)
        return again

    yield restart
    for again in started:
        await again.stop()


async def test_a_restored_corp_answers_the_bot_as_before(emu: Emulator, api_as: Callable[[str], ApiClient],
                                                         http: aiohttp.ClientSession,
                                                         restarted: Callable[[], Awaitable[Emulator]]) -> None:
    cursor = await busy_corp(emu, api_as)
    kf_token = api_as("kf")  # the token the bot kept in its database
    await kf_token.gettoken()
    again = await restarted()
    kf = ApiClient(again.base_url, http, again.config.corp_id, again.config.secrets["kf"])
    kf.access_token = kf_token.access_token

    page = await kf.post("kf/sync_msg", {"open_kfid": KF, "cursor": cursor})
    assert page["errcode"] == 0 and [m["text"]["content"] for m in page["msg_list"]] == ["好的"]
    sent = await kf.post("kf/send_msg", {"touser": ASKER, "open_kfid": KF, "msgtype": "text",
                                         "text": {"content": "门店每天22点打烊"}})
    assert sent["errcode"] == 0  # a new emulator refused it: 95031
    assert [line.text for line in again.customer_transcript(ASKER)][-3:] == ["我去问问同事", "好的", "门店每天22点打烊"]
    assert again.customer_tags("zhang.wei", FRIEND) == ["展会"]
    assert again.group("wrSnapGroup01").members.keys() == emu.group("wrSnapGroup01").members.keys()
    # nothing lost in any book: the restored corp saves exactly as the first (one more line and a send apart)
    before, after = corp_to_json(emu.corp), corp_to_json(again.corp)
    for book in ("contacts", "tags", "groups", "mass", "signin", "jssdk", "tokens"):
        assert after[book] == before[book], book


async def test_ids_of_a_restored_corp_never_repeat_and_app_msg_ids_keep_growing(
        emu: Emulator, api_as: Callable[[str], ApiClient], restarted: Callable[[], Awaitable[Emulator]]) -> None:
    await busy_corp(emu, api_as)
    last_msg_id = emu.corp.ids.app_msg_id()
    again = await restarted()
    assert again.corp.ids.app_msg_id() > last_msg_id
    issued = set(emu.corp.ids._issued)
    assert not {again.corp.ids.make("wm", 32) for _ in range(50)} & issued


@pytest.mark.parametrize(("change", "why"), [
    (lambda data: {**data, "version": data["version"] + 1}, "version"),
    (lambda data: {**data, "corp_id": "wwSomeoneElse"}, "another corp"),
    (lambda data: {**data, "kf": {**data["kf"], "sessions": [{"who": "?"}]}}, "damaged"),
    (lambda data: [data], "not an emulator snapshot"),
])
async def test_a_file_that_cannot_restore_the_corp_is_refused_whole(
        emu: Emulator, api_as: Callable[[str], ApiClient], clock: FakeClock, tmp_path: Path,
        change: Callable[[dict], object], why: str) -> None:
    await busy_corp(emu, api_as)
    file = tmp_path / "sandbox.emulator.json"
    SnapshotFile(file).save(emu.corp)
    file.write_text(json.dumps(change(json.loads(file.read_text()))))
    with pytest.raises(SnapshotUnusable, match=why):
        SnapshotFile(file).load(emu.config, clock)


async def test_loading_never_runs_code_from_the_file(tmp_path: Path, clock: FakeClock) -> None:
    file = tmp_path / "sandbox.emulator.json"
    file.write_bytes(b"\x80\x04\x95cos\nsystem\n.")  # a pickle; JSON cannot say "call this"
    with pytest.raises(SnapshotUnusable, match="unreadable"):
        SnapshotFile(file).load(EmulatorConfig(), clock)
