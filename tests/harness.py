"""Test harness: the bot as a real aiohttp server on 127.0.0.1, workers off, driven by drain().

The bot starts on an already migrated database (a copy of the session's template, see
tests/databases.py) and only checks its revision, as `wanzi serve` does."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, select

from bot.app import config_from, create_app, drain
from bot.appkeys import CLIENT, SCHEDULER, SESSIONS
from bot.clock import Clock
from bot.config import Config
from bot.context import ContextFactory
from bot.wecom.crypto import CallbackCrypto, random_nonce
from bot.wecom.xml import build_xml
from handlers.services import Services
from storage.models import Base

CORP_ID = "ww0123456789abcdef"
TOKEN = "TestToken2025"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
AGENT_ID = 1000002


def make_config(db_url: str, api_base: str = "http://127.0.0.1:9", **sections: dict[str, Any]) -> Config:
    data: dict[str, dict[str, Any]] = {
        "wecom": {"corp_id": CORP_ID, "token": TOKEN, "encoding_aes_key": AES_KEY, "agent_id": AGENT_ID,
                  "app_secret": "AppSecretDemoWanzi0000000000000000000000001",
                  "contact_secret": "ContactSecretDemoWanzi000000000000000000002",
                  "kf_secret": "KfSecretDemoWanzi00000000000000000000000003",
                  "api_base": api_base, "oauth_base": api_base, "login_base": api_base,
                  "retry_base_s": 0.01, "open_kfid": "wkWanziDemoKf01"},
        "database": {"url": db_url},
        "worker": {"poll_interval_s": 0.05},
        "log": {"json": False},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return config_from(data, {})


async def warm_up_examples(app: web.Application) -> None:
    """What `wanzi serve` embeds at start-up besides the knowledge base (handlers/wiring.py warm_up):
    the sentence models' example sentences, which handlers never build inside their transaction."""
    from bot.appkeys import CONTEXTS
    from handlers.replies.kept_examples import prepare_examples
    from handlers.wiring import example_models

    await prepare_examples(example_models(app[CONTEXTS].services), app[SESSIONS])


@dataclass
class BotUnderTest:
    app: web.Application
    runner: web.AppRunner
    url: str
    clock: Clock
    http: aiohttp.ClientSession
    crypto: CallbackCrypto

    @classmethod
    async def start(cls, config: Config, clock: Clock, **kwargs: Any) -> BotUnderTest:
        app = create_app(config, clock=clock, run_workers=False, **kwargs)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        await warm_up_examples(app)
        return cls(app, runner, f"http://127.0.0.1:{port}", clock, aiohttp.ClientSession(),
                   CallbackCrypto(TOKEN, AES_KEY, CORP_ID))

    async def stop(self) -> None:
        await self.http.close()
        await self.runner.cleanup()

    @property
    def sessions(self):
        return self.app[SESSIONS]

    @property
    def client(self):
        return self.app[CLIENT]

    async def drain(self) -> None:
        await drain(self.app)

    async def run_job(self, name: str) -> None:
        """One fire time of a scheduled job at the clock's now, as the running scheduler would, then drain."""
        assert await self.app[SCHEDULER].fire(name, self.clock.now())
        await self.drain()

    def seal(self, plain: str, *, timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
        ts = str(int(self.clock.time()) if timestamp is None else timestamp)
        nonce = random_nonce()
        encrypt, sig = self.crypto.seal(plain, ts, nonce)
        body = build_xml({"ToUserName": CORP_ID, "Encrypt": encrypt, "AgentID": str(AGENT_ID)})
        return {"msg_signature": sig, "timestamp": ts, "nonce": nonce}, body.encode()

    async def post(self, plain: str, **kw: Any) -> int:
        query, body = self.seal(plain, **kw)
        return await self.post_raw(body, query)

    async def post_raw(self, body: bytes, query: dict[str, str] | None = None) -> int:
        query = query or {"msg_signature": "0" * 40, "timestamp": str(int(self.clock.time())), "nonce": "1"}
        async with self.http.post(f"{self.url}/wecom/callback", params=query, data=body,
                                  headers={"Content-Type": "text/xml"}) as resp:
            await resp.read()
            return resp.status

    async def count(self, model: type[Base], *where: Any) -> int:
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def friend_added_xml(userid: str, external_userid: str, *, state: str = "", welcome_code: str = "",
                     create_time: int | None = None) -> str:
    return build_xml({"ToUserName": CORP_ID, "FromUserName": "sys",
                      "CreateTime": int(time.time()) if create_time is None else create_time,
                      "MsgType": "event", "Event": "change_external_contact", "ChangeType": "add_external_contact",
                      "UserID": userid, "ExternalUserID": external_userid, "State": state,
                      "WelcomeCode": welcome_code})


def context_factory(clock: Clock, config: Config | None = None) -> ContextFactory[Services]:
    """The app's Context factory for jobs and handlers tested without the HTTP app."""
    from handlers import FEATURES
    from handlers.wiring import build_services, channel_overlays
    from persona import default_persona_path, load_persona

    persona = load_persona(default_persona_path())
    config = config or make_config("sqlite+aiosqlite:///:memory:")
    return ContextFactory(persona=persona, clock=clock, config=config,
                          services=build_services(config, persona, FEATURES), channel_overlays=channel_overlays(config))
