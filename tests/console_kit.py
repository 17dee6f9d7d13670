"""Helpers for console tests: a logged-in HTTP client that reads the CSRF token off the page."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.sources import TicketView

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


class MemoryTickets:
    """A TicketSource over a dict: the console's side of the escalation queue, before issue 5's tables.

    It behaves as the protocol asks (claim only open tickets, resolve open or claimed ones), so
    the console's forms, CSRF and redirects are exercised for real."""

    def __init__(self, tickets: list[TicketView]) -> None:
        self.tickets = {t.id: t for t in tickets}

    async def queue(self, session: AsyncSession) -> list[TicketView]:
        return sorted(self.tickets.values(), key=lambda t: (t.status == "resolved", t.opened_at))

    async def claim(self, session: AsyncSession, ticket_id: int, staff: str) -> str:
        t = self.tickets[ticket_id]
        if t.status != "open":
            return f"#{ticket_id} 已被 {t.assignee} 认领"
        self.tickets[ticket_id] = replace(t, status="claimed", assignee=staff)
        return f"已认领 #{ticket_id}"

    async def resolve(self, session: AsyncSession, ticket_id: int, staff: str) -> str:
        t = self.tickets[ticket_id]
        self.tickets[ticket_id] = replace(t, status="resolved", assignee=t.assignee or staff)
        return f"已解决 #{ticket_id}"
