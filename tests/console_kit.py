"""Helpers for console tests: a logged-in HTTP client that reads the CSRF token off the page."""

from __future__ import annotations

import re
from dataclasses import dataclass

import aiohttp

PASSWORD = "console-pass-2024"
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@dataclass
class ConsoleClient:
    base: str
    http: aiohttp.ClientSession

    @classmethod
    async def login(cls, base: str, *, user: str = "li.na", password: str = PASSWORD) -> ConsoleClient:
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        client = cls(base, http)
        async with http.post(f"{base}/console/login", data={"user": user, "password": password,
                                                            "next": "/console/digest"},
                             allow_redirects=False) as r:
            assert r.status == 303, await r.text()
        return client

    async def get(self, path: str, **params: str) -> tuple[int, str]:
        async with self.http.get(f"{self.base}{path}", params=params, allow_redirects=False) as r:
            return r.status, await r.text()

    async def csrf(self) -> str:
        _, page = await self.get("/console/digest")
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
