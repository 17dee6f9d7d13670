"""App messages and the group-robot webhook behave as shared/wecom/outbound.md documents."""

from __future__ import annotations

from typing import Any

import pytest

from bot.clock import FakeClock
from emulator import Emulator, EmulatorConfig
from emulator.testing import ApiClient

KEY = "2f8c4a1e-5b7d-4c3a-9e6f-1a2b3c4d5e6f"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_010_000)


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=13)


@pytest.fixture
def api(app_api: ApiClient) -> ApiClient:
    return app_api


def text_msg(content: str, **extra: Any) -> dict[str, Any]:
    return {"touser": "zhang.wei", "msgtype": "text", "agentid": 1000002, "text": {"content": content}, **extra}


async def test_app_message_lists_invalid_users_lowercased_and_delivers_to_the_rest(
        emu: Emulator, api: ApiClient) -> None:
    answer = await api.post("message/send", text_msg("3 new customers today.", touser="zhang.wei|Former.Staff"))

    assert answer["errcode"] == 0 and answer["invaliduser"] == "former.staff"
    assert answer["invalidparty"] == "" and answer["invalidtag"] == "" and answer["msgid"]
    assert emu.staff_inbox("zhang.wei") == ["3 new customers today."]


async def test_app_message_recipient_errors(api: ApiClient) -> None:
    assert (await api.post("message/send", text_msg("x", touser="ghost1|ghost2")))["errcode"] == 81013
    assert (await api.post("message/send", text_msg("x", touser="")))["errcode"] == 82001
    assert (await api.post("message/send", text_msg("x", agentid=1000003)))["errcode"] == 40056
    assert (await api.post("message/send", {**text_msg("x"), "msgtype": "sticker"}))["errcode"] == 40008
    assert (await api.post("message/send", text_msg("")))["errcode"] == 44004


async def test_long_text_is_cut_at_2048_bytes_but_long_markdown_is_refused(emu: Emulator, api: ApiClient) -> None:
    assert (await api.post("message/send", text_msg("日" * 1000)))["errcode"] == 0  # 3000 bytes: "超过将截断"
    (received,) = emu.staff_inbox("zhang.wei")
    assert len(received.encode()) <= 2048 and received == "日" * 682

    markdown = {"touser": "zhang.wei", "msgtype": "markdown", "agentid": 1000002,
                "markdown": {"content": "## Daily digest\n" + "x" * 2048}}
    assert (await api.post("message/send", markdown))["errcode"] == 40058


async def test_textcard_needs_title_description_url(emu: Emulator, api: ApiClient) -> None:
    card: dict[str, Any] = {"touser": "zhang.wei", "msgtype": "textcard", "agentid": 1000002,
            "textcard": {"title": "Lead escalated", "description": "<div class=\"gray\">2025-03-01</div>",
                         "url": "https://example.invalid/lead/42", "btntxt": "Open now"}}
    assert (await api.post("message/send", card))["errcode"] == 0
    no_url = {**card, "textcard": {k: v for k, v in card["textcard"].items() if k != "url"}}
    assert (await api.post("message/send", no_url))["errcode"] == 41010
    assert emu.corp.transcripts.staff["zhang.wei"][0].body["btntxt"] == "Open"  # cut to 4 characters


async def test_button_card_gets_a_response_code(api: ApiClient) -> None:
    card = {"touser": "zhang.wei", "msgtype": "template_card", "agentid": 1000002,
            "template_card": {"card_type": "button_interaction", "task_id": "approve-42",
                              "main_title": {"title": "Approve discount?"},
                              "button_list": [{"text": "Approve", "style": 1, "key": "approve_42"}]}}
    assert (await api.post("message/send", card))["response_code"]


async def test_more_than_30_messages_a_minute_to_one_member_are_dropped_silently(
        emu: Emulator, api: ApiClient, clock: FakeClock) -> None:
    codes = [(await api.post("message/send", text_msg(f"提醒{i}")))["errcode"] for i in range(31)]
    assert set(codes) == {0}
    assert len(emu.staff_inbox("zhang.wei")) == 30
    clock.advance(60)
    await api.post("message/send", text_msg("一分钟后"))
    assert emu.staff_inbox("zhang.wei")[-1] == "一分钟后"


async def test_webhook_needs_a_known_key_and_allows_20_a_minute(emu: Emulator, api: ApiClient,
                                                                clock: FakeClock) -> None:
    body = {"msgtype": "text", "text": {"content": "Deploy finished", "mentioned_list": ["zhang.wei"],
                                        "mentioned_mobile_list": ["@all"]}}
    assert (await api.webhook("00000000-dead-beef-0000-000000000000", body))["errcode"] == 93000
    codes = [(await api.webhook(KEY, body))["errcode"] for _ in range(21)]
    assert codes == [0] * 20 + [45009]
    clock.advance(60)
    assert (await api.webhook(KEY, body))["errcode"] == 0
    assert len(emu.webhook_messages(KEY)) == 21 and emu.webhook_messages()[0] == body
    assert emu.calls("webhook/send")[0].query == {"key": "00000000-dead-beef-0000-000000000000"}


async def test_webhook_markdown_limit_is_4096_bytes_with_the_observed_errmsg(api: ApiClient) -> None:
    ok = {"msgtype": "markdown", "markdown": {"content": "### Leads today\n" + "x" * (4096 - 16)}}
    assert (await api.webhook(KEY, ok))["errcode"] == 0
    too_long = {"msgtype": "markdown", "markdown": {"content": "x" * 4097}}
    answer = await api.webhook(KEY, too_long)
    assert answer["errcode"] == 40058
    assert answer["errmsg"].startswith("markdown.content exceed max length 4096. invalid Request Parameter, hint: [")
    assert (await api.webhook(KEY, {"msgtype": "text", "text": {"content": "x" * 2049}}))["errcode"] == 40058
