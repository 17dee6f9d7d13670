"""The callback driver pushes exactly as WeCom does (shared/wecom/crypto.md, callbacks.md §2–5).

The receiver here is written from the notes alone (crypto.md §8 reference code), not from the
emulator's own crypto, so the two cannot agree on a shared mistake.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import struct
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml.ElementTree import fromstring

from bot.clock import FakeClock
from emulator import CallbackDriver, EmulatorConfig

# crypto.md §9 shared settings and vectors
TOKEN = "TestToken2025"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CORP_ID = "ww0123456789abcdef"
VECTOR_A = {"timestamp": "1700000000", "nonce": "8675309", "plain": "echo-4921837465",
            "echostr": "5XltAAWvdfK97kdYilpWLOgwuHGBZJ3uTjvbY+kva+pKcLp7cdVj7axuvNVSNIzZCy8tHCR2rJMAMzL30ykhxw==",
            "msg_signature": "a6695d08f64960a96bf9be96b7b8ba411622a1e5"}
VECTOR_B_PLAIN = (
    "<xml><ToUserName><![CDATA[ww0123456789abcdef]]></ToUserName><FromUserName><![CDATA[zhang.wei]]>"
    "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>"
    "<![CDATA[report today]]></Content><MsgId>7300000000000000001</MsgId><AgentID>1000002</AgentID></xml>")
VECTOR_B_ENCRYPT = (
    "5XltAAWvdfK97kdYilpWLGt4C+L/JrzE4aeljnjmAdVTa9MxM/AMh6/amski9AtglUvOBCnygc51z1HHtO5TdcqUZgVywFA3BE1fWcCb16rZNA"
    "KkkHJBIWMY2yuhfa1i0TGXVQW7Z33HkVP5csgq1f2prrF7RRTO3WuUvG0WJWl/UMX+rvwoMbo2LQse/B3V2kyOeCT1Lc0QbeY3AE5IOTsGbkpZ"
    "iAJlxjo+P2vnC4ufSGxSQhoHvSUEycBGZdIYPWkF/iY2YbzJtiZQUl/qm8J6Z4qnb7AO7SnQVC8BZ5lcbr+poA4X8lnItMWvIVjRzN4bdlRz1I"
    "WSyTRJv8J5jy5QWWvkVN/bYF+6o0Yu9LP//6ozu8dyfJ//DbzGhHpEeESvDQjc8uknoBBQRpoN1KtI3rOFdwT2A1uQY7B9ULcdvwPdoKC/Ixp"
    "IbU3ayWDA6/ccI8zQFlWB6PvQrGMW7A==")
VECTOR_B = {"timestamp": "1700000001", "nonce": "1357924680",
            "msg_signature": "02f76589285ad9647fd2e534942677882a463a07"}
VECTOR_D_PLAIN = (
    "<xml><ToUserName><![CDATA[zhang.wei]]></ToUserName><FromUserName><![CDATA[ww0123456789abcdef]]>"
    "</FromUserName><CreateTime>1700000005</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>"
    "<![CDATA[Report queued]]></Content></xml>")
VECTOR_D_REPLY = (
    "<xml><Encrypt><![CDATA[t3HMtzjTyzLUlMuBGlmNF6otg3VJPAYUw4V6Y+u3AdoHXN9STFqpltA3tbmaOGa2P/Jy9j9guie/wSm5x1d7"
    "LwojmHBqPijp+b/xGrHs0YAKLT14VJ8Bi5hyzZJNXsZYO6km7rwZUo4KPOxPNVG5/t3davvqxgM8+Wd8VCYV7ChVDHmigivy5cM7PBM62pqK"
    "b4CdAB+2eMZMdjWom/S3Kbmb2HFVMs73gEjvj59euCPglbIOyaI4796La7EU6EDuBOF+Q+AEwXHvgTFdgh9cwXfF51cOrk1Z056plkv+/kRa"
    "KJI1jCISAkBbJ3+rq8rHjqof+r1F6dWHd0CCpZqkBp4dY5VWmQzKu/y24dOTzlFavv267Tt6IBg2iwxgkhfZ]]></Encrypt>"
    "<MsgSignature><![CDATA[db8df7bdd18ce491d493a64d4f7b73d211f89fed]]></MsgSignature>"
    "<TimeStamp>1700000005</TimeStamp><Nonce><![CDATA[5551234]]></Nonce></xml>")


# --- crypto.md §8, transcribed: the independent reference -------------------------------------

def ref_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


def ref_decrypt(b64: str, receive_id: str = CORP_ID) -> str:
    key = base64.b64decode(AES_KEY + "=")
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    raw = dec.update(base64.b64decode(b64)) + dec.finalize()
    pad = raw[-1]
    assert 1 <= pad <= 32
    raw = raw[:-pad]
    size = struct.unpack(">I", raw[16:20])[0]
    assert raw[20 + size:].decode() == receive_id
    return raw[20:20 + size].decode()


@dataclass
class RefReceiver:
    """A bot endpoint written from callbacks.md: records raw attempts, answers from a script."""

    answers: list[tuple[int, str, float]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.attempts.append({"method": request.method, "query": dict(request.query),
                              "raw_query": request.query_string, "body": raw,
                              "content_type": request.headers.get("Content-Type", "")})
        status, body, delay = self.answers.pop(0) if self.answers else (200, "", 0.0)
        if delay:
            await asyncio.sleep(delay)
        if request.method == "GET" and status == 200:
            q = request.query
            assert ref_signature(TOKEN, q["timestamp"], q["nonce"], q["echostr"]) == q["msg_signature"]
            return web.Response(text=ref_decrypt(q["echostr"]))
        return web.Response(status=status, text=body)


@pytest.fixture
async def receiver() -> AsyncIterator[RefReceiver]:
    rec = RefReceiver()
    app = web.Application()
    app.router.add_route("*", "/wecom/callback", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    rec.url = f"http://{host}:{port}/wecom/callback"
    yield rec
    await runner.cleanup()


@pytest.fixture
async def driver(receiver: RefReceiver) -> AsyncIterator[CallbackDriver]:
    drv = CallbackDriver(receiver.url, EmulatorConfig().crypto(), CORP_ID, 1000002,
                         clock=FakeClock(1_700_000_001), timeout=0.15, retries=3, retry_delay=0.0)
    yield drv
    await drv.close()


def test_default_config_reads_the_documented_vectors_b_and_a() -> None:
    crypto = EmulatorConfig().crypto()
    crypto.verify(VECTOR_B["msg_signature"], VECTOR_B["timestamp"], VECTOR_B["nonce"], VECTOR_B_ENCRYPT)
    assert crypto.decrypt(VECTOR_B_ENCRYPT) == VECTOR_B_PLAIN
    crypto.verify(VECTOR_A["msg_signature"], VECTOR_A["timestamp"], VECTOR_A["nonce"], VECTOR_A["echostr"])
    assert crypto.decrypt(VECTOR_A["echostr"]) == VECTOR_A["plain"]


async def test_push_is_signed_encrypted_and_enveloped_as_wecom_does(driver: CallbackDriver,
                                                                    receiver: RefReceiver) -> None:
    delivery = await driver.send(VECTOR_B_PLAIN)

    assert delivery.acked and delivery.statuses == [200]
    (attempt,) = receiver.attempts
    query = attempt["query"]
    assert isinstance(query, dict) and set(query) == {"msg_signature", "timestamp", "nonce"}
    assert query["timestamp"] == "1700000001" and query["nonce"].isdigit()
    assert attempt["content_type"].startswith("text/xml")
    root = fromstring(attempt["body"])
    assert root.tag == "xml" and [c.tag for c in root] == ["ToUserName", "Encrypt", "AgentID"]
    assert root.findtext("ToUserName") == CORP_ID and root.findtext("AgentID") == "1000002"
    encrypt = root.findtext("Encrypt") or ""
    assert ref_signature(TOKEN, query["timestamp"], query["nonce"], encrypt) == query["msg_signature"]
    assert ref_decrypt(encrypt) == VECTOR_B_PLAIN


async def test_passive_reply_vector_d_is_verified_and_decrypted(driver: CallbackDriver,
                                                                receiver: RefReceiver) -> None:
    receiver.answers.append((200, VECTOR_D_REPLY, 0.0))

    delivery = await driver.send(VECTOR_B_PLAIN)

    assert delivery.reply == VECTOR_D_PLAIN
    assert delivery.reply_fields["Content"] == "Report queued" and delivery.reply_error is None


async def test_tampered_passive_reply_is_reported_not_trusted(driver: CallbackDriver,
                                                              receiver: RefReceiver) -> None:
    receiver.answers.append((200, VECTOR_D_REPLY.replace("db8df7bd", "00000000"), 0.0))

    delivery = await driver.send(VECTOR_B_PLAIN)

    assert delivery.acked and delivery.reply is None and delivery.reply_error


async def test_success_body_is_an_ack_without_reply(driver: CallbackDriver, receiver: RefReceiver) -> None:
    receiver.answers.append((200, "success", 0.0))

    delivery = await driver.send(VECTOR_B_PLAIN)

    assert delivery.acked and delivery.attempts == 1 and delivery.reply is None and delivery.reply_error is None


async def test_non_200_is_resent_identically_until_200(driver: CallbackDriver, receiver: RefReceiver) -> None:
    receiver.answers.extend([(500, "", 0.0), (503, "", 0.0)])

    delivery = await driver.send(VECTOR_B_PLAIN)

    assert delivery.statuses == [500, 503, 200] and delivery.acked
    first = receiver.attempts[0]
    assert all(a["raw_query"] == first["raw_query"] and a["body"] == first["body"] for a in receiver.attempts)


async def test_a_receiver_that_never_answers_in_time_gets_three_more_tries(driver: CallbackDriver,
                                                                           receiver: RefReceiver) -> None:
    receiver.answers.extend([(200, "", 0.4)] * 4)

    delivery = await driver.send(VECTOR_B_PLAIN)

    assert delivery.statuses == ["timeout"] * 4
    assert not delivery.acked and len(receiver.attempts) == 4


async def test_retries_stop_at_the_first_timely_200(driver: CallbackDriver, receiver: RefReceiver) -> None:
    receiver.answers.extend([(200, "", 0.4), (500, "", 0.0)])

    delivery = await driver.send(VECTOR_B_PLAIN)

    assert delivery.statuses == ["timeout", 500, 200]
    assert len(receiver.attempts) == 3


async def test_url_verification_sends_a_signed_echostr_and_expects_its_plaintext(
        driver: CallbackDriver, receiver: RefReceiver) -> None:
    status, body, expected = await driver.verify_url()

    assert (status, body) == (200, expected)
    (attempt,) = receiver.attempts
    assert attempt["method"] == "GET"
    assert set(attempt["query"]) == {"msg_signature", "timestamp", "nonce", "echostr"}
    assert "+" not in str(attempt["raw_query"])  # Base64 '+' travels URL-encoded (crypto.md §6)
