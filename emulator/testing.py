"""Test helpers: a bare WeCom API client and a stand-in callback receiver.

They let emulator tests talk HTTP without the bot, and let bot tests inspect pushes when the
bot itself is not the receiver.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from aiohttp import web

from bot.wecom.crypto import CallbackCrypto
from bot.wecom.xml import parse_xml, xml_fields


class ApiClient:
    """Calls the emulator like a minimal WeCom client: gettoken once, then ?access_token=…"""

    def __init__(self, base_url: str, session: aiohttp.ClientSession, corp_id: str, secret: str) -> None:
        self.base_url = base_url
        self.session = session
        self.corp_id = corp_id
        self.secret = secret
        self.access_token = ""

    async def gettoken(self, corpid: str | None = None, corpsecret: str | None = None) -> dict[str, Any]:
        query = {"corpid": self.corp_id if corpid is None else corpid,
                 "corpsecret": self.secret if corpsecret is None else corpsecret}
        async with self.session.get(f"{self.base_url}/cgi-bin/gettoken", params=query) as resp:
            answer: dict[str, Any] = await resp.json()
        if answer.get("errcode") == 0:
            self.access_token = answer["access_token"]
        return answer

    async def _token(self) -> str:
        if not self.access_token:
            await self.gettoken()
        return self.access_token

    async def post(self, api: str, body: Any, *, token: str | None = None, **query: str) -> dict[str, Any]:
        params = {"access_token": await self._token() if token is None else token, **query}
        async with self.session.post(f"{self.base_url}/cgi-bin/{api}", params=params, json=body) as resp:
            answer: dict[str, Any] = await resp.json()
            return answer

    async def get(self, api: str, *, token: str | None = None, **query: str) -> dict[str, Any]:
        params = {"access_token": await self._token() if token is None else token, **query}
        async with self.session.get(f"{self.base_url}/cgi-bin/{api}", params=params) as resp:
            answer: dict[str, Any] = await resp.json()
            return answer

    async def webhook(self, key: str, body: Any) -> dict[str, Any]:
        async with self.session.post(f"{self.base_url}/cgi-bin/webhook/send", params={"key": key},
                                     json=body) as resp:
            answer: dict[str, Any] = await resp.json()
            return answer


class CallbackReceiver:
    """A callback URL that verifies and decrypts like a bot, answering statuses from a script."""

    def __init__(self, crypto: CallbackCrypto) -> None:
        self.crypto = crypto
        self.plains: list[str] = []
        self.requests: list[tuple[str, bytes]] = []  # (raw query string, body) of every attempt
        self.answers: list[tuple[int, str, float]] = []  # queued (status, body, delay); default 200 ""
        self._runner: web.AppRunner | None = None
        self.url = ""

    def answer(self, status: int = 200, body: str = "", delay: float = 0.0) -> None:
        self.answers.append((status, body, delay))

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/callback", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/callback"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def events(self) -> list[dict[str, str | list[str]]]:
        return [xml_fields(parse_xml(p)) for p in self.plains]

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.requests.append((request.query_string, raw))
        status, body, delay = self.answers.pop(0) if self.answers else (200, "", 0.0)
        if delay:
            await asyncio.sleep(delay)
        if status == 200:
            fields = xml_fields(parse_xml(raw))
            q = request.query
            self.crypto.verify(q["msg_signature"], q["timestamp"], q["nonce"], str(fields["Encrypt"]))
            self.plains.append(self.crypto.decrypt(str(fields["Encrypt"])))
        return web.Response(status=status, text=body)
