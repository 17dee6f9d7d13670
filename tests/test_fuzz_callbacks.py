"""Fuzzing the callback endpoint: thousands of malformed requests get a 4xx, never a crash, and
nothing is stored. Runs through the real aiohttp server and the real crypto."""

from __future__ import annotations

import string
from typing import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.wecom.xml import build_xml
from storage.models import InboundEvent
from tests.harness import CORP_ID, BotUnderTest, make_config

FUZZ = settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

xml_names = st.text(alphabet=string.ascii_letters, min_size=1, max_size=12)
xml_docs = st.recursive(
    st.builds(lambda tag, text: f"<{tag}>{text}</{tag}>", xml_names,
              st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="<&"), max_size=30)),
    lambda inner: st.builds(lambda tag, kids: f"<{tag}>{''.join(kids)}</{tag}>", xml_names,
                            st.lists(inner, max_size=4)),
    max_leaves=12,
)
hostile = st.sampled_from([
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>',
    '<!DOCTYPE x SYSTEM "file:///etc/passwd"><xml/>',
    "<xml><Encrypt><![CDATA[",
    "\x00\xff<xml>",
])




@pytest.fixture
async def bot(sqlite_url: str) -> AsyncIterator[BotUnderTest]:
    b = await BotUnderTest.start(make_config(sqlite_url), FakeClock(1_700_000_000))
    yield b
    await b.stop()


@FUZZ
@given(body=st.one_of(st.binary(max_size=2048), xml_docs.map(str.encode), hostile.map(str.encode)),
       query=st.dictionaries(st.sampled_from(["msg_signature", "timestamp", "nonce", "echostr", "x"]),
                             st.text(max_size=50), max_size=4))
async def test_random_bodies_and_queries_get_4xx(bot: BotUnderTest, body: bytes, query: dict[str, str]) -> None:
    status = await bot.post_raw(body, query or None)
    assert 400 <= status < 500
    assert await bot.count(InboundEvent) == 0


@FUZZ
@given(inner=st.one_of(st.text(max_size=500), xml_docs, hostile)
       .filter(lambda s: "MsgType" not in s and "\x00" not in s))
async def test_well_signed_garbage_gets_4xx(bot: BotUnderTest, inner: str) -> None:
    """Authentic transport, unreadable content: the signature passes, the content does not."""
    status = await bot.post(inner)
    assert 400 <= status < 500
    assert await bot.count(InboundEvent) == 0


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["MsgType", "Event", "ChangeType", "UserID", "ExternalUserID",
                                               "ChatId", "CreateTime", "MsgId", "FromUserName", "JoinScene"]),
                              st.text(max_size=20), max_size=8)
       .filter(lambda f: not (f.get("MsgType") and f.get("CreateTime", "").isascii()
                              and f.get("CreateTime", "").isdigit())
               or f.get("MsgType") == "event" and f.get("Event") == "change_external_contact"
               and not (f.get("UserID") and f.get("ExternalUserID"))))
async def test_callbacks_missing_required_fields_get_4xx(bot: BotUnderTest, fields: dict[str, str]) -> None:
    status = await bot.post(build_xml({"ToUserName": CORP_ID, **fields}))
    assert 400 <= status < 500
    assert await bot.count(InboundEvent) == 0
