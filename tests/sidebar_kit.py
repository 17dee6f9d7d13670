"""Helpers for the chat-sidebar tests: a bot whose sidebar loads the emulator's stand-in JS-SDK, and
an HTTP client that opens the sidebar the way the WeCom client does (the member signed into the
client, a silent OAuth sign-in, then the page's own requests)."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator

import aiohttp

from storage.repos import CustomerRepo
from tests.harness import BotUnderTest, make_config

# zhang.wei admin, chen.jing operator, li.na and wang.fang advisors
STAFF = {"admins": ["zhang.wei"], "operators": ["chen.jing"], "advisors": ["li.na", "wang.fang"],
         "names": ["li.na=李娜", "wang.fang=王芳", "zhang.wei=张伟", "chen.jing=陈静"]}
CSRF = re.compile(r'data-csrf="([0-9a-f]+)"')


def sidebar_config(db_url: str, wecom, **sections: Any):
    """The bot's config with the sidebar's scripts served by the emulator (as `wanzi sandbox` does)."""
    console = {"jssdk_url": f"{wecom.base_url}/open/js/jweixin-1.2.0.js",
               "jwxwork_url": f"{wecom.base_url}/wwopen/js/jwxwork-1.0.0.js", **sections.pop("console", {})}
    return make_config(db_url, wecom.base_url, staff=STAFF, console=console, **sections)


async def start(db_url: str, wecom, clock, **sections: Any) -> BotUnderTest:
    bot = await BotUnderTest.start(sidebar_config(db_url, wecom, **sections), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    return bot


@dataclass
class Sidebar:
    """The sidebar page as one member's WeCom client opened it."""

    base: str
    http: aiohttp.ClientSession
    csrf: str
    shell: str

    @classmethod
    async def open(cls, bot: BotUnderTest, wecom, userid: str, **chat: str) -> Sidebar:
        wecom.open_sidebar(userid, **chat)
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with http.get(f"{bot.url}/console/sidebar") as r:  # → silent OAuth inside the client → back
            landed = await r.text()
        assert r.status == 200 and "已登录" in landed, landed
        async with http.get(f"{bot.url}/console/sidebar") as r:
            shell = await r.text()
        found = CSRF.search(shell)
        assert found, shell
        return cls(bot.url, http, found.group(1), shell)

    async def get(self, path: str, **params: str) -> tuple[int, str]:
        async with self.http.get(f"{self.base}/console/sidebar{path}", params=params, allow_redirects=False) as r:
            return r.status, await r.text()

    async def post(self, path: str, **form: str) -> tuple[int, str]:
        async with self.http.post(f"{self.base}/console/sidebar{path}", data={**form, "csrf": self.csrf},
                                  allow_redirects=False) as r:
            return r.status, await r.text()

    async def signature(self, url: str | None = None) -> tuple[int, dict[str, Any]]:
        page = url or f"{self.base}/console/sidebar"
        async with self.http.post(f"{self.base}/console/sidebar/signature", data={"url": page, "csrf": self.csrf},
                                  allow_redirects=False) as r:
            return r.status, (await r.json() if r.content_type == "application/json" else {"text": await r.text()})

    async def close(self) -> None:
        await self.http.close()


CUSTOMER = "wmSideCust0001"


async def named(bot: BotUnderTest, ext: str, name: str) -> None:
    """The customer's name, as the profile read after the welcome stores it (not made by this build's
    handlers yet)."""
    async with bot.sessions.begin() as s:
        customer = await CustomerRepo(s).find(ext)
        assert customer is not None
        customer.name = name


@asynccontextmanager
async def sidebar_beside_a_customer(db_url: str, wecom, clock
                                    ) -> AsyncIterator[tuple[BotUnderTest, Any, Sidebar]]:
    """A bot, the emulator, a customer 小林 who added li.na, and li.na's sidebar open beside that chat."""
    bot = await start(db_url, wecom, clock)
    try:
        await wecom.add_friend("li.na", CUSTOMER, name="小林")
        await bot.drain()
        await named(bot, CUSTOMER, "小林")
        sidebar = await Sidebar.open(bot, wecom, "li.na", external_userid=CUSTOMER)
        try:
            yield bot, wecom, sidebar
        finally:
            await sidebar.close()
    finally:
        await bot.stop()
