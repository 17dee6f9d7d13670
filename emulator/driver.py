"""WeCom → bot callback delivery: encrypt, sign, POST, retry as WeCom does (callbacks.md §2–5)."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field

import aiohttp

from bot.clock import Clock, SystemClock
from bot.errors import WanziError
from bot.wecom.crypto import CallbackCrypto
from bot.wecom.xml import build_xml, parse_xml, xml_fields

ACK_BODIES = ("", "success")  # empty = explicit "no reply"; "success" is common, unconfirmed as official


def numeric_nonce() -> str:
    """WeCom nonces are numeric strings (callbacks.md §2 examples)."""
    return str(1_000_000_000 + secrets.randbelow(9_000_000_000))


@dataclass(slots=True)
class Delivery:
    """What happened to one callback: every attempt's status and the passive reply, if any."""

    plain: str  # the decrypted inner XML we sent
    query: dict[str, str] = field(default_factory=dict)
    body: str = ""  # the encrypted envelope, identical on every attempt
    statuses: list[int | str] = field(default_factory=list)  # HTTP status, "timeout" or "error:<Kind>"
    response_bodies: list[str] = field(default_factory=list)
    acked: bool = False
    reply: str | None = None  # decrypted passive reply XML
    reply_fields: dict[str, str | list[str]] = field(default_factory=dict)
    reply_error: str | None = None  # an answer we could not verify/decrypt
    elapsed: float = 0.0  # real seconds from first attempt to the end

    @property
    def fields(self) -> dict[str, str | list[str]]:
        """The plaintext we sent, as {tag: text}; e.g. delivery.fields["WelcomeCode"]."""
        return xml_fields(parse_xml(self.plain))

    @property
    def attempts(self) -> int:
        return len(self.statuses)

    @property
    def sent(self) -> bool:
        """False when the emulator was not connected to a callback URL."""
        return bool(self.statuses)


class CallbackDriver:
    """Sends callbacks to one URL with one crypto; owns its aiohttp session (call close())."""

    def __init__(self, url: str, crypto: CallbackCrypto, corp_id: str, agent_id: int | None, *,
                 clock: Clock | None = None, timeout: float = 5.0, retries: int = 3,
                 retry_delay: float = 1.0) -> None:
        self.url = url
        self.crypto = crypto
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.clock = clock or SystemClock()
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def seal(self, plain_xml: str) -> tuple[dict[str, str], str]:
        """(query, body) of a push: `<xml><ToUserName/><Encrypt/><AgentID/></xml>` signed over Encrypt."""
        timestamp = str(int(self.clock.time()))
        nonce = numeric_nonce()
        encrypt, signature = self.crypto.seal(plain_xml, timestamp, nonce)
        envelope: dict[str, object] = {"ToUserName": self.corp_id, "Encrypt": encrypt}
        if self.agent_id is not None:
            envelope["AgentID"] = str(self.agent_id)
        return {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}, build_xml(envelope)

    async def send(self, plain_xml: str) -> Delivery:
        """POST until a 200 (ack) or 1 + `retries` attempts; retries resend the identical request."""
        query, body = self.seal(plain_xml)
        delivery = Delivery(plain_xml, query, body)
        started = time.monotonic()
        for attempt in range(1 + self.retries):
            if attempt:
                await asyncio.sleep(self.retry_delay)
            status, text = await self._post(query, body)
            delivery.statuses.append(status)
            delivery.response_bodies.append(text)
            if status == 200:
                delivery.acked = True
                self._read_reply(delivery, text)
                break
        delivery.elapsed = time.monotonic() - started
        return delivery

    async def _post(self, query: dict[str, str], body: str) -> tuple[int | str, str]:
        try:
            async with self._http().post(self.url, params=query, data=body.encode(),
                                         headers={"Content-Type": "text/xml"},
                                         timeout=aiohttp.ClientTimeout(total=self.timeout)) as resp:
                return resp.status, await resp.text()
        except asyncio.TimeoutError:
            return "timeout", ""
        except aiohttp.ClientError as exc:
            return f"error:{type(exc).__name__}", ""

    def _read_reply(self, delivery: Delivery, text: str) -> None:
        """A non-empty 200 must be an encrypted passive reply (callbacks.md §5): verify, decrypt, keep."""
        if text.strip() in ACK_BODIES:
            return
        try:
            fields = xml_fields(parse_xml(text))
            encrypt, signature = str(fields.get("Encrypt", "")), str(fields.get("MsgSignature", ""))
            self.crypto.verify(signature, str(fields.get("TimeStamp", "")), str(fields.get("Nonce", "")), encrypt)
            delivery.reply = self.crypto.decrypt(encrypt)
            delivery.reply_fields = xml_fields(parse_xml(delivery.reply))
        except WanziError as exc:
            delivery.reply_error = f"{type(exc).__name__}: {exc}"

    async def verify_url(self) -> tuple[int | str, str, str]:
        """The GET echostr check WeCom sends when the admin saves the URL; returns (status, body, expected)."""
        expected = numeric_nonce() + numeric_nonce()
        timestamp = str(int(self.clock.time()))
        nonce = numeric_nonce()
        echostr, signature = self.crypto.seal(expected, timestamp, nonce)
        query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce, "echostr": echostr}
        try:
            async with self._http().get(self.url, params=query,
                                        timeout=aiohttp.ClientTimeout(total=self.timeout)) as resp:
                return resp.status, await resp.text(), expected
        except asyncio.TimeoutError:
            return "timeout", "", expected
        except aiohttp.ClientError as exc:
            return f"error:{type(exc).__name__}", "", expected
