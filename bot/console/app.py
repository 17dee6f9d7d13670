"""The staff console: an aiohttp sub-app at /console on the bot's own app.

The frame (login, menu, the outbox and sandbox pages) is the platform's; every other page is a
feature's (`Feature.console`), mounted here. Every page is behind a login except /healthz and
/metrics (which live on the bot's app, not here). Without `console.password` the console does
not start: /console explains how to turn it on instead. Pages read the bot's objects (database,
clock, config, the handlers' Context factory) from the parent app.
"""

from __future__ import annotations

import logging
from typing import AsyncIterator, Callable, Sequence
from urllib.parse import urlsplit

from aiohttp import web

from bot.appkeys import CLOCK, CONFIG, FACTS, FRAME_SRC, GATE, PAGES, READER, SESSIONS
from bot.config import Config
from bot.console import outbox_page
from bot.console.auth import guard, safe_next, security_headers
from bot.console.frame import frame, nav
from bot.console.gate import COOKIE, Gate
from bot.console.html import STATIC, Safe, render
from bot.feature import ConsolePage, CustomerFacts
from storage import db

log = logging.getLogger(__name__)


PLATFORM_PAGES = (
    ConsolePage("/outbox", outbox_page.outbox_page, title="发件箱", order=90),
    ConsolePage("/outbox/retry", outbox_page.retry, method="POST"),
)


def mount_console(app: web.Application, config: Config, pages: Sequence[ConsolePage],
                  facts: Sequence[CustomerFacts] = ()) -> None:
    """Add /console to the bot's app with the features' pages, or a page saying why it is off."""
    if not config.console.password:
        log.warning("console disabled: set console.password (WANZI_CONSOLE__PASSWORD) to turn it on")
        app.router.add_get("/console", _disabled)
        app.router.add_get("/console/{tail:.*}", _disabled)
        return
    console = web.Application(middlewares=[security_headers, guard(lambda r: r.config_dict[GATE])])
    every = (*pages, *PLATFORM_PAGES)
    console[PAGES] = every
    console[FACTS] = tuple(facts)
    console.cleanup_ctx.append(_reader(app))
    if config.console.sandbox_url:
        parts = urlsplit(config.console.sandbox_url)
        console[FRAME_SRC] = f"{parts.scheme}://{parts.netloc}"
    secure = (config.server.public_url or "").startswith("https://")
    console[GATE] = Gate(config.console.password, app[CLOCK], config.console.session_hours * 3600,
                         secure_cookie=secure)
    console.router.add_static("/static/", STATIC)
    console.router.add_get("/", _home)
    console.router.add_get("/login", login_page)
    console.router.add_post("/login", login)
    console.router.add_post("/logout", logout)
    for p in every:
        console.router.add_route(p.method, p.path, p.handler)
    console.router.add_get("/sandbox", sandbox_page)
    app.router.add_get("/console", _to_console)
    app.add_subapp("/console", console)


def _reader(app: web.Application) -> Callable[[web.Application], AsyncIterator[None]]:
    """The pages' read sessions, opened after the bot's database (its cleanup_ctx runs first)."""

    async def open_reader(console: web.Application) -> AsyncIterator[None]:
        engine = db.create_reader(app[CONFIG].database.url)
        console[READER] = db.session_factory(engine) if engine is not None else app[SESSIONS]
        yield
        if engine is not None:
            await engine.dispose()

    return open_reader


async def _disabled(request: web.Request) -> web.Response:
    return web.Response(status=503, content_type="text/html", charset="utf-8",
                        text="<!doctype html><meta charset=utf-8><title>控制台未开启</title>"
                             "<p>控制台未开启：请设置 <code>console.password</code>"
                             "（或环境变量 <code>WANZI_CONSOLE__PASSWORD</code>，至少 8 个字符）后重启。</p>")


async def _to_console(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console/")


async def _home(request: web.Request) -> web.StreamResponse:
    menu = nav(request)
    raise web.HTTPFound(menu[0][1] if menu else "/console/outbox")


LOGIN = """<section class="login"><h1>登录丸子控制台</h1>$error
<form method="post" action="/console/login">
<input type="hidden" name="next" value="$next">
<label>你的名字或企业微信账号 <input name="user" value="$user" maxlength="40" placeholder="例如 li.na"
 autocomplete="username"></label>
<label>控制台密码 <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">登录</button>
</form><p class="hint">名字会记在操作日志里（谁看了、改了什么）。</p></section>"""


def _login_form(request: web.Request, *, error: str = "", user: str = "", status: int = 200) -> web.Response:
    nxt = safe_next(request.query.get("next", ""))
    body = render(LOGIN, error=render('<p class="error">$e</p>', e=error) if error else Safe(""), next=nxt, user=user)
    return frame(request, "登录", body, status=status)


async def login_page(request: web.Request) -> web.Response:
    return _login_form(request)


async def login(request: web.Request) -> web.StreamResponse:
    gate: Gate = request.config_dict[GATE]
    address = request.remote or "?"
    if gate.throttled(address):
        raise web.HTTPTooManyRequests(text="too many failed logins; try again later")
    form = await request.post()
    user = str(form.get("user", "")).strip()[:40] or "staff"
    if not gate.password_ok(str(form.get("password", ""))):
        gate.failed(address)
        log.warning("console login failed", extra={"peer": address})
        return _login_form(request, error="密码不对", user=user, status=401)
    cookie, _ = gate.issue(user)
    log.info("console login", extra={"user": user, "peer": address})
    response = see_other(safe_next(str(form.get("next", ""))))
    gate.set_cookie(response, cookie)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    response = see_other("/console/login")
    response.del_cookie(COOKIE, path="/console")
    return response


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


async def sandbox_page(request: web.Request) -> web.Response:
    target = request.config_dict[CONFIG].console.sandbox_url
    if not target:
        raise web.HTTPNotFound(text="the sandbox page exists only under `wanzi sandbox`")
    body = render('<h1>沙盒 · 企业微信模拟器</h1><p class="sub">在这里扮演客户或员工：加好友、在微信客服里聊天、'
                  '给应用发指令，右侧能看到丸子发出的每一个接口调用。<a href="$u" target="_blank" rel="noopener">'
                  '在新窗口打开</a></p><iframe class="sandbox" src="$u" title="企业微信模拟器"></iframe>', u=target)
    return frame(request, "沙盒", body, active="sandbox")
