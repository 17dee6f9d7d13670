"""Console middlewares: a session for every page but login and static files, a CSRF token and a
same-origin check on every POST, and the security headers of every answer."""

from __future__ import annotations

import hmac
from typing import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.appkeys import FRAME_SRC, SESSION
from bot.console.gate import COOKIE, Gate

OPEN_PATHS = ("/console/login", "/console/static/")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.host


def safe_next(target: str) -> str:
    """Only paths inside the console: never another host (`//evil`) after logging in."""
    if target.startswith("/console/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/"


def guard(gate_of: Callable[[web.Request], Gate]) -> Middleware:
    """Middleware: a session for every page but login and static files; a CSRF token on every POST."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(OPEN_PATHS):
            if request.method == "POST" and not same_origin(request):
                raise web.HTTPForbidden(text="cross-origin form refused")
            return await handler(request)
        gate = gate_of(request)
        session = gate.read(request.cookies.get(COOKIE))
        if session is None:
            if request.method == "GET":
                raise web.HTTPFound(f"/console/login?next={request.path_qs}")
            raise web.HTTPUnauthorized(text="log in first")
        if request.method == "POST":
            form = await request.post()
            if not same_origin(request) or not hmac.compare_digest(str(form.get("csrf", "")), session.csrf):
                raise web.HTTPForbidden(text="missing or wrong CSRF token; reload the page")
        request[SESSION] = session
        return await handler(request)

    return middleware


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
    frame = request.config_dict.get(FRAME_SRC, "") or "'none'"
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; "
        f"frame-ancestors 'none'; base-uri 'none'; frame-src {frame}")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if not request.path.startswith("/console/static/"):
        response.headers.setdefault("Cache-Control", "no-store")  # customer data stays off shared caches


