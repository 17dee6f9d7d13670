"""The staff console: an aiohttp sub-app at /console on the bot's own app.

The frame (sign-in, menu, the outbox, account and sandbox pages) is the platform's; every other page
is a feature's (`Feature.console`), mounted here with the role it needs. Every page is behind a
sign-in except /healthz and /metrics (which live on the bot's app, not here). Without a way to
sign in (the self-built app for WeCom sign-in, or `console.password_login`) the console does not
start: /console explains how to turn it on instead. Pages read the bot's objects (database, clock,
config, the handlers' Context factory) from the parent app.
"""

from __future__ import annotations

import logging
from typing import AsyncIterator, Callable, Sequence
from urllib.parse import urlsplit

from aiohttp import web

from bot.appkeys import CLOCK, CONFIG, FACTS, FRAME_SRC, PAGES, PANELS, READER, SESSIONS, SIGNIN
from bot.config import Config
from bot.console import account, jssdk, outbox_page, signin
from bot.console.auth import guard, requires, security_headers
from bot.console.frame import error_pages, frame, nav
from bot.console.html import STATIC, render
from bot.console.sessions import SessionStore
from bot.console.signin import console_enabled
from bot.feature import ConsolePage, CustomerFacts, CustomerPanel
from storage import db

log = logging.getLogger(__name__)


PLATFORM_PAGES = (
    ConsolePage("/outbox", outbox_page.outbox_page, title="发件箱", order=90, role="operator"),
    ConsolePage("/outbox/retry", outbox_page.retry, method="POST", role="operator"),
    ConsolePage("/account", account.account_page, title="我的登录", order=99),
    ConsolePage("/account/sessions/{id}/end", account.end_session, method="POST"),
    ConsolePage("/sidebar/signature", jssdk.signature, method="POST"),  # the chat sidebar's JS-SDK signatures
)


def mount_console(app: web.Application, config: Config, pages: Sequence[ConsolePage],
                  facts: Sequence[CustomerFacts] = (), panels: Sequence[CustomerPanel] = ()
                  ) -> web.Application | None:
    """Add /console to the bot's app with the features' pages, or a page saying why it is off.
    Returns the console sub-app (served on its own with `[console] listen`)."""
    if not console_enabled(config):
        log.warning("console disabled: configure the self-built app (wecom.agent_id, wecom.app_secret) for WeCom "
                    "sign-in, or set console.password_login = true")
        app.router.add_get("/console", _disabled)
        app.router.add_get("/console/{tail:.*}", _disabled)
        return None
    console = web.Application(middlewares=[security_headers, error_pages, guard()])
    every = (*pages, *PLATFORM_PAGES)
    console[PAGES] = every
    console[FACTS] = tuple(facts)
    console[PANELS] = tuple(panels)
    console.cleanup_ctx.append(_reader(app))
    console.cleanup_ctx.append(_signin(app))
    if config.console.sandbox_url:
        parts = urlsplit(config.console.sandbox_url)
        console[FRAME_SRC] = f"{parts.scheme}://{parts.netloc}"
    console.router.add_static("/static/", STATIC)
    console.router.add_get("/", _home)
    console.router.add_get("/login", signin.login_page)
    console.router.add_post("/login", signin.password_login)
    console.router.add_get("/login/wecom", signin.start_wecom)
    console.router.add_get("/login/callback", signin.wecom_callback)
    console.router.add_post("/logout", signin.logout)
    for p in every:
        console.router.add_route(p.method, p.path, requires(p.role, p.handler))
    console.router.add_get("/sandbox", sandbox_page)
    app.router.add_get("/console", _to_console)
    app.add_subapp("/console", console)
    return console


def _signin(app: web.Application) -> Callable[[web.Application], AsyncIterator[None]]:
    async def open_store(console: web.Application) -> AsyncIterator[None]:
        config = app[CONFIG]
        console[SIGNIN] = SessionStore(app[SESSIONS], app[CLOCK], absolute_s=config.console.session_hours * 3600,
                                       idle_s=config.console.idle_minutes * 60)
        yield

    return open_store


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
                             "<p>控制台未开启：员工用企业微信登录，需要配置自建应用的 <code>wecom.agent_id</code> 和 "
                             "<code>wecom.app_secret</code>（以及可信域名上的 <code>server.public_url</code>）；"
                             "没有可信域名的企业可以设置 <code>console.password_login = true</code>，"
                             "再用 <code>wanzi console passwd 账号</code> 给每位员工设个人密码。</p>")


async def _to_console(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console/")


async def _home(request: web.Request) -> web.StreamResponse:
    menu = nav(request)
    raise web.HTTPFound(menu[0][1] if menu else "/console/outbox")


async def sandbox_page(request: web.Request) -> web.Response:
    target = request.config_dict[CONFIG].console.sandbox_url
    if not target:
        raise web.HTTPNotFound(text="沙盒页只在 `wanzi sandbox` 下才有。")
    body = render('<h1>沙盒 · 企业微信模拟器</h1><p class="sub">在这里扮演客户或员工：加好友、在微信客服里聊天、'
                  '给应用发指令，右侧能看到丸子发出的每一个接口调用。<a href="$u" target="_blank" rel="noopener">'
                  '在新窗口打开</a></p><iframe class="sandbox" src="$u" title="企业微信模拟器"></iframe>', u=target)
    return frame(request, "沙盒", body, active="sandbox")
