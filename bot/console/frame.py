"""What every console page shares: the menu (from the pages the features mounted), the page frame,
who is signed in, the sessions to read and write with, and a handler Context for actions."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import roles
from bot.appkeys import CONFIG, CONTEXTS, DELIVERY, PAGES, READER, SESSION, SESSIONS, SIGNIN
from bot.console.html import Safe, join, page, render
from bot.console.jssdk import in_sidebar
from bot.console.sessions import SignedIn
from bot.context import Context
from bot.feature import PageHandler
from bot.roles import member_words
from storage.repos import StaffRepo

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def nav(request: web.Request) -> list[tuple[str, str, str]]:
    """(key, path, label) of the menu: every titled page, in order; the sandbox under `wanzi sandbox`."""
    me = request.get(SESSION)
    allowed = [p for p in request.config_dict[PAGES] if p.title and me is not None and roles.allows(me.role, p.role)]
    pages = sorted(allowed, key=lambda p: p.order)
    items = [(p.path.strip("/"), f"/console{p.path}", p.title) for p in pages]
    if request.config_dict[CONFIG].console.sandbox_url:
        items.append(("sandbox", "/console/sandbox", "沙盒"))
    return items


def allowed(request: web.Request, handler: PageHandler) -> bool:
    """May the signed-in member use this page (mounted, and their role enough)? Pages show a form or
    a button only then; the route refuses everyone else anyway (403 and an audit row)."""
    me = request.get(SESSION)
    return me is not None and any(p.handler is handler and roles.allows(me.role, p.role)
                                  for p in request.config_dict[PAGES])


def signed_in(request: web.Request) -> SignedIn:
    return request[SESSION]


session_of = signed_in


def frame(request: web.Request, title: str, body: Safe, *, active: str = "", status: int = 200) -> web.Response:
    me = request.get(SESSION)
    notice = render('<p class="flash">$m</p>', m=me.flash) if me is not None and me.flash else Safe("")
    html = page(title, join([notice, body]), active=active, nav=nav(request) if me else (),
                user=me.label if me else "", csrf=me.csrf if me else "")
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def reader(request: web.Request) -> async_sessionmaker[AsyncSession]:
    """Sessions for a page's reads (on SQLite a read-only engine that never holds the bot's write lock)."""
    return request.config_dict[READER]


def writer(request: web.Request) -> async_sessionmaker[AsyncSession]:
    """Sessions for a page's actions."""
    return request.config_dict[SESSIONS]


def context(request: web.Request, session: AsyncSession) -> Context[Any]:
    """The handlers' Context for an action, so a page runs the same functions as the slash commands."""
    return request.config_dict[CONTEXTS](session)


def wake_delivery(request: web.Request) -> None:
    """An action queued outbox rows: send them now, not at the delivery worker's next poll."""
    delivery = request.config_dict.get(DELIVERY)
    if delivery is not None:
        delivery.wakeup.set()


async def staff_names(session: AsyncSession) -> dict[str, str]:
    """Every member's name by userid (those with one), to show members as staff know them."""
    return {m.userid: m.name for m in await StaffRepo(session).list() if m.name}


def who(userid: str, names: dict[str, str]) -> str:
    """A member as staff know them: 王芳（wang.fang）, or the userid alone when no name is on file."""
    return member_words(names.get(userid, ""), userid)


MAX_ID = 2 ** 63 - 1  # the largest id a BIGINT column holds


def path_id(request: web.Request, name: str = "id") -> int:
    """A row id from the URL; anything that cannot be one is a 404, never a 500."""
    raw = request.match_info.get(name, "")
    if not raw.isdigit() or len(raw) > 19 or int(raw) > MAX_ID:
        raise web.HTTPNotFound(text="没有这个编号。")
    return int(raw)


def actor(request: web.Request) -> str:
    """Who did it, for the audit log: the signed-in member's userid."""
    return f"console:{signed_in(request).userid}"[:64]


async def tell(request: web.Request, text: str) -> None:
    """A message shown once on the member's next page (never taken from the URL)."""
    await request.config_dict[SIGNIN].flash(signed_in(request).session_id, text)


ERROR_TITLES = {400: "链接里的参数不对", 401: "请先登录", 403: "没有权限", 404: "找不到这个页面", 405: "不支持这样打开"}
ERROR_HINTS = {
    400: "请从控制台里的链接或表单打开。",
    403: "如需这个页面，请联系管理员调整你的角色。",
    404: "它可能已被删除，或不是你负责的客户、工单；请从菜单重新进入。",
}


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A page the member cannot open answers in the console's frame, in Chinese, with the menu and a
    way back, instead of a bare English line. JSON, redirects, the chat sidebar (which has its own
    pages) and static files keep their answers."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if (exc.status not in ERROR_TITLES or in_sidebar(request.path) or request.path.startswith("/console/static/")
                or exc.content_type != "text/plain"):
            raise
        title = ERROR_TITLES[exc.status]
        body = render('<section class="unavailable error-page"><h1>$title</h1><p>$why</p><p class="sub">$hint</p>'
                      '<p><a href="/console/">← 回到控制台首页</a></p></section>',
                      title=title, why=exc.text or "", hint=ERROR_HINTS.get(exc.status, ""))
        response = frame(request, title, body, status=exc.status)
        for key in ("WWW-Authenticate", "Allow"):
            if key in exc.headers:
                response.headers[key] = exc.headers[key]
        return response
