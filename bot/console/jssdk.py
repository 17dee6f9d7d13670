"""Console pages that run in the WeCom client's chat toolbar (聊天工具栏) and use the JS-SDK.

They live under /console/sidebar (staff-web.md §5–7) and differ from the rest of the console in
three ways, all decided here and in bot/console/auth.py:

- their own session cookie, opened by a silent OAuth sign-in (snsapi_base) inside the client, so
  the sidebar is always the client's member, whoever uses the console in the same browser;
- a Content-Security-Policy that admits the JS-SDK's script hosts (`[console] jssdk_url`,
  `jwxwork_url`) for scripts and bridge calls; there is still no inline script;
- the signature endpoint: the page posts its own URL, the server signs it with the cached tickets
  (the tickets never reach the page) and answers what wx.config and wx.agentConfig take.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from bot.appkeys import CLIENT, CLOCK, CONFIG
from bot.config import Config
from bot.errors import ApiError, TransportError
from bot.wecom.jsapi import sign, signed_url

log = logging.getLogger(__name__)

SIDEBAR = "/console/sidebar"
MAX_URL = 1024


def in_sidebar(path: str) -> bool:
    return path == SIDEBAR or path.startswith(SIDEBAR + "/")


def sign_in_url(path_qs: str) -> str:
    """Where a sidebar page without a session goes: the silent OAuth sign-in inside the client."""
    return f"/console/login/wecom?{urlencode({'via': 'oauth', 'next': path_qs})}"


def script_urls(config: Config) -> list[str]:
    return [u for u in (config.console.jssdk_url, config.console.jwxwork_url) if u]


def script_origins(config: Config) -> list[str]:
    origins = []
    for u in script_urls(config):
        parts = urlsplit(u)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return list(dict.fromkeys(origins))


def _own_page(request: web.Request, url: str) -> bool:
    """Only the console's own sidebar pages are signed, on the host the member reached."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    public = urlsplit(request.config_dict[CONFIG].server.public_url).netloc
    return (parts.scheme in ("http", "https") and parts.netloc in {request.host, public} - {""}
            and in_sidebar(parts.path) and len(url) <= MAX_URL)


async def signature(request: web.Request) -> web.Response:
    """POST url=<the page's location.href>: {corpid, agentid, config, agent} for wx.config (corp
    ticket) and wx.agentConfig (agent ticket), each {timestamp, nonceStr, signature}."""
    form = await request.post()
    url = signed_url(str(form.get("url", "")))
    if not _own_page(request, url):
        raise web.HTTPBadRequest(text="only this console's sidebar pages are signed")
    config, client, now = request.config_dict[CONFIG], request.config_dict[CLIENT], request.config_dict[CLOCK].time()
    answer: dict[str, object] = {"corpid": config.wecom.corp_id, "agentid": config.wecom.agent_id}
    for kind, key in (("corp", "config"), ("agent", "agent")):
        try:
            answer[key] = sign(await client.jsapi_ticket(kind), url, now=now).as_js()
        except (ApiError, TransportError) as exc:
            log.warning("jsapi ticket unavailable", extra={"api": exc.api, "errcode": exc.errcode})
            answer[key] = None
    if answer["agent"] is None:  # every toolbar API needs the app's identity (staff-web.md §6)
        return web.json_response({"error": "暂时拿不到企业微信的 JS-SDK 票据，请稍后重新打开侧边栏。"}, status=502)
    return web.json_response(answer)
