"""What every console page shares: the app keys, the navigation, and the page frame."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.appkeys import CONFIG, DELIVERY
from bot.console.auth import SESSION, Gate, Session
from bot.console.html import Safe, page
from bot.console.sources import ConsoleSources

GATE = web.AppKey("console_gate", Gate)
SOURCES = web.AppKey("console_sources", ConsoleSources)
# Sessions for the pages' reads: on SQLite a read-only engine that never holds the bot's write lock.
READER = web.AppKey("console_reader", async_sessionmaker[AsyncSession])


def nav(request: web.Request) -> list[tuple[str, str, str]]:
    items = [("digest", "/console/digest", "简报"), ("customers", "/console/customers", "客户"),
             ("escalations", "/console/escalations", "升级工单"), ("campaigns", "/console/campaigns", "活动与话题"),
             ("outbox", "/console/outbox", "发件箱")]
    if request.config_dict[CONFIG].console.sandbox_url:
        items.append(("sandbox", "/console/sandbox", "沙盒"))
    return items


def session_of(request: web.Request) -> Session:
    return request[SESSION]


def frame(request: web.Request, title: str, body: Safe, *, active: str = "", status: int = 200) -> web.Response:
    session = request.get(SESSION)
    html = page(title, body, active=active, nav=nav(request) if session else (),
                user=session.user if session else "", csrf=session.csrf if session else "")
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def wake_delivery(request: web.Request) -> None:
    """An action queued outbox rows: send them now, not at the delivery worker's next poll."""
    delivery = request.config_dict.get(DELIVERY)
    if delivery is not None:
        delivery.wakeup.set()


def actor(request: web.Request) -> str:
    """Who did it, for the audit log: the name given at login."""
    return f"console:{session_of(request).user}"[:64]
