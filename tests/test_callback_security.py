"""Bad callbacks get a 4xx, are logged, and store nothing; good ones are acked and stored once."""

from __future__ import annotations

import logging
from typing import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.wecom.xml import build_xml
from storage.models import InboundEvent
from tests.harness import CORP_ID, BotUnderTest, friend_added_xml, make_config

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'.encode()
                             for i in range(1, 9))
                  + b"]><xml><ToUserName>&lol8;</ToUserName><Encrypt>x</Encrypt></xml>")


@pytest.fixture
async def bot(db_url: str) -> AsyncIterator[BotUnderTest]:
    b = await BotUnderTest.start(make_config(db_url), FakeClock(1_700_000_000))
    yield b
    await b.stop()


async def test_url_verification_echoes_the_decrypted_challenge(bot: BotUnderTest) -> None:
    ts, nonce = "1700000000", "8675309"
    echostr, sig = bot.crypto.seal("echo-4921837465", ts, nonce)
    async with bot.http.get(f"{bot.url}/wecom/callback",
                            params={"msg_signature": sig, "timestamp": ts, "nonce": nonce, "echostr": echostr}) as r:
        assert r.status == 200
        assert await r.text() == "echo-4921837465"


async def test_url_verification_with_a_bad_signature_is_refused(bot: BotUnderTest) -> None:
    echostr, _ = bot.crypto.seal("echo-1", "1700000000", "1")
    async with bot.http.get(f"{bot.url}/wecom/callback",
                            params={"msg_signature": "f" * 40, "timestamp": "1700000000", "nonce": "1",
                                    "echostr": echostr}) as r:
        assert r.status == 400
        assert "echo-1" not in await r.text()


async def test_a_valid_callback_is_acked_with_an_empty_body_and_stored(bot: BotUnderTest) -> None:
    assert await bot.post(friend_added_xml("zhang.wei", "wmA", welcome_code="WC1")) == 200
    assert await bot.count(InboundEvent) == 1


async def test_the_same_callback_three_times_is_stored_once(bot: BotUnderTest) -> None:
    xml = friend_added_xml("zhang.wei", "wmA", welcome_code="WC1", create_time=1_700_000_000)
    assert [await bot.post(xml) for _ in range(3)] == [200, 200, 200]
    assert await bot.count(InboundEvent) == 1


async def test_bad_signature_is_refused_and_logged(bot: BotUnderTest, caplog: pytest.LogCaptureFixture) -> None:
    query, body = bot.seal(friend_added_xml("zhang.wei", "wmA"))
    query["msg_signature"] = "0" * 40
    with caplog.at_level(logging.WARNING):
        assert await bot.post_raw(body, query) == 400
    assert any("callback rejected" in r.getMessage() for r in caplog.records)
    assert await bot.count(InboundEvent) == 0


async def test_a_stale_timestamp_is_refused(bot: BotUnderTest) -> None:
    status = await bot.post(friend_added_xml("zhang.wei", "wmA"), timestamp=1_700_000_000 - 3600)
    assert status == 400
    assert await bot.count(InboundEvent) == 0


async def test_an_oversize_body_gets_413(bot: BotUnderTest) -> None:
    query, _ = bot.seal(friend_added_xml("zhang.wei", "wmA"))
    assert await bot.post_raw(b"<xml>" + b"A" * (3 * 1024 * 1024) + b"</xml>", query) == 413
    assert await bot.count(InboundEvent) == 0


@pytest.mark.parametrize("body", [b"not xml at all", b"<xml><Encrypt>", b"<root><Encrypt>abc</Encrypt></root>",
                                  b"<xml><ToUserName>x</ToUserName></xml>", BILLION_LAUGHS])
async def test_malformed_or_hostile_xml_gets_400(bot: BotUnderTest, body: bytes) -> None:
    assert await bot.post_raw(body) == 400
    assert await bot.count(InboundEvent) == 0


async def test_well_signed_garbage_inside_is_refused(bot: BotUnderTest) -> None:
    assert await bot.post("this is not xml") == 400
    assert await bot.post(build_xml({"ToUserName": CORP_ID, "Event": "x"})) == 400  # no MsgType
    assert await bot.count(InboundEvent) == 0


async def test_entity_expansion_inside_the_ciphertext_is_refused(bot: BotUnderTest) -> None:
    assert await bot.post(BILLION_LAUGHS.decode()) == 400
    assert await bot.count(InboundEvent) == 0


async def test_an_unknown_event_is_stored_not_fatal(bot: BotUnderTest) -> None:
    xml = build_xml({"ToUserName": CORP_ID, "FromUserName": "sys", "CreateTime": 1_700_000_000,
                     "MsgType": "event", "Event": "brand_new_event_2027"})
    assert await bot.post(xml) == 200
    assert await bot.count(InboundEvent, InboundEvent.kind == "unknown") == 1
    await bot.drain()
    assert await bot.count(InboundEvent, InboundEvent.status == "done") == 1


async def test_health_and_metrics(bot: BotUnderTest) -> None:
    await bot.post_raw(b"junk")
    async with bot.http.get(f"{bot.url}/healthz") as r:
        assert r.status == 200
    async with bot.http.get(f"{bot.url}/metrics") as r:
        text = await r.text()
    assert 'wanzi_callbacks_total{kind="unknown",outcome="rejected"} 1.0' in text
    assert "wanzi_callback_ack_seconds_bucket" in text
    assert 'wanzi_outbox_depth{status="pending"}' in text
