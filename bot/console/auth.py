"""Console middlewares: a signed-in, active member for every page but sign-in and static files, the
role each page needs (403 and an audit row otherwise), a CSRF token and a same-origin check on every
POST, and the security headers of every answer. Chat-sidebar pages (bot/console/jssdk.py) read
their own session cookie, sign in through OAuth inside the client, and may load the JS-SDK."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot import roles
from bot.appkeys import CLOCK, CONFIG, FRAME_SRC, SESSION, SESSIONS, SIGNIN
from bot.console.jssdk import SIDEBAR, in_sidebar, script_origins, sign_in_url
from bot.console.sessions import COOKIE, SIDEBAR_COOKIE
from storage.repos import AuditRepo

log = logging.getLogger(__name__)
OPEN_PATHS = ("/console/login", "/console/static/")
NONE = "'none'"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.host


def safe_next(target: str) -> str:
    """Only paths inside the console: never another host (`//evil`) after signing in."""
    if target.startswith("/console/") and not target.startswith("//") and "\\" not in target and len(target) < 256:
        return target
    return "/console/"


def client_address(request: web.Request) -> str:
    """The member's address: the peer, or what a configured trusted proxy says it forwarded."""
    peer = request.remote or "?"
    trusted = request.config_dict[CONFIG].console.trusted_proxies
    forwarded = request.headers.get("X-Forwarded-For", "")
    if not trusted or not forwarded or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    while hops and _trusted(hops[-1], trusted):  # walk back past our own proxies
        hops.pop()
    return hops[-1][:64] if hops else peer


def _trusted(address: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in trusted)


def guard() -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(OPEN_PATHS):
            if request.method == "POST" and not same_origin(request):
                raise web.HTTPForbidden(text="这个表单不是从本控制台提交的，已拒绝。")
            return await handler(request)
        sidebar = in_sidebar(request.path)
        cookie = request.cookies.get(SIDEBAR_COOKIE if sidebar else COOKIE)
        me = await request.config_dict[SIGNIN].read(cookie, take_flash=request.method == "GET" and not sidebar)
        if me is None:
            if sidebar and request.method == "GET" and request.path == SIDEBAR:
                raise web.HTTPFound(sign_in_url(request.path_qs))  # silent inside the WeCom client
            if request.method == "GET" and not sidebar:
                raise web.HTTPFound(f"/console/login?next={request.path_qs}")
            raise web.HTTPUnauthorized(text="登录已过期：请重新登录。")
        if request.method == "POST":
            form = await request.post()
            if not same_origin(request) or not hmac.compare_digest(str(form.get("csrf", "")), me.csrf):
                raise web.HTTPForbidden(text="表单已过期（或不是从本控制台提交的）：请刷新页面后再试。")
        request[SESSION] = me
        return await handler(request)

    return middleware


def requires(role: str, handler: Handler) -> Handler:
    """A page that needs at least `role`: anyone less is refused (403) and the attempt audited."""

    async def checked(request: web.Request) -> web.StreamResponse:
        me = request[SESSION]
        if not roles.allows(me.role, role):
            async with request.config_dict[SESSIONS].begin() as session:
                AuditRepo(session).record(actor=f"console:{me.userid}"[:64], action="console_denied",
                                          target=request.path[:128], detail={"role": me.role, "needs": role},
                                          now=request.config_dict[CLOCK].now())
            raise web.HTTPForbidden(
                text=f"这个页面需要「{roles.label(role)}」或以上的角色，你现在是「{roles.label(me.role)}」。")
        return await handler(request)

    checked.__name__ = getattr(handler, "__name__", "page")
    return checked


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
        _headers(request, response)
        raise
    _headers(request, response)
    return response


def _headers(request: web.Request, response: web.StreamResponse) -> None:
    sandbox = request.config_dict.get(FRAME_SRC, "")
    scripts, ancestors = "'self'", NONE
    if in_sidebar(request.path):  # the JS-SDK's scripts, and the bridge calls of the sandbox's stand-in
        scripts = " ".join(["'self'", *script_origins(request.config_dict[CONFIG])])
    if sandbox and (in_sidebar(request.path) or request.path.startswith("/console/login")):
        ancestors = f"'self' {sandbox}"  # the emulator's chat page shows the sidebar beside the chat
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src {scripts}; connect-src {scripts}; "
        f"form-action 'self'; frame-ancestors {ancestors}; base-uri 'none'; frame-src {sandbox or NONE}")
    if ancestors == NONE:
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/console/static/"):
        response.headers.setdefault("Cache-Control", "no-store")  # customer data stays off shared caches
