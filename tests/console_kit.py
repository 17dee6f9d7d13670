"""Helpers for console tests: a client signed in the real way (WeCom Web login through the emulator's
member picker → code → auth/getuserinfo), which reads the CSRF token off the page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import aiohttp

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


async def sign_in(http: aiohttp.ClientSession, base: str, userid: str, *, via: str = "web",
                  next_path: str = "/console/digest") -> tuple[int, str]:
    """Start a WeCom sign-in at the bot, pick `userid` on the emulated WeCom page, come back.
    Returns the bot's answer to the callback (status, page)."""
    async with http.get(f"{base}/console/login/wecom", params={"via": via, "next": next_path},
                        allow_redirects=False) as r:
        assert r.status == 302, await r.text()
        wecom_page = r.headers["Location"]
    parts = urlsplit(wecom_page)
    form = dict(parse_qsl(parts.query)) | {"pick": f"member:{userid}"}
    origin = f"{parts.scheme}://{parts.netloc}"
    async with http.post(f"{origin}{parts.path}", data=form, headers={"Origin": origin},
                         allow_redirects=False) as r:
        assert r.status == 302, await r.text()
        back = r.headers["Location"]
    async with http.get(back, allow_redirects=False) as r:
        return r.status, await r.text()


@dataclass
class ConsoleClient:
    base: str
    http: aiohttp.ClientSession

    @classmethod
    async def login(cls, base: str, *, user: str = "li.na") -> ConsoleClient:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        status, page = await sign_in(http, base, user)
        assert status == 200 and "已登录" in page, page
        return cls(base, http)

    async def get(self, path: str, **params: str) -> tuple[int, str]:
        async with self.http.get(f"{self.base}{path}", params=params, allow_redirects=False) as r:
            return r.status, await r.text()

    async def csrf(self) -> str:
        _, page = await self.get("/console/account")
        found = CSRF.search(page)
        assert found, "no CSRF token on the page"
        return found.group(1)

    async def post(self, path: str, data: dict[str, str] | list[tuple[str, str]], *, csrf: bool = True
                   ) -> tuple[int, str, str]:
        form = list(data.items()) if isinstance(data, dict) else list(data)
        if csrf:
            form.append(("csrf", await self.csrf()))
        async with self.http.post(f"{self.base}{path}", data=form, allow_redirects=False) as r:
            return r.status, r.headers.get("Location", ""), await r.text()

    async def close(self) -> None:
        await self.http.close()
