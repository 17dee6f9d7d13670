"""HTTP side of the JS bridge: the stand-in JS-SDK script and the calls it makes.

A sidebar page loads the stand-in instead of the real SDK (the bot points its script base at
the emulator): the same paths as WeCom's scripts are served —
`/open/js/jweixin-1.2.0.js` (res.wx.qq.com), `/wwopen/js/jwxwork-1.0.0.js`
(open.work.weixin.qq.com) and `/@wecom/jssdk` (unpkg) — all with emulator/static/jweixin.js.
The script talks to `/jsbridge/register` and `/jsbridge/invoke` on the emulator, cross-origin:
only pages on a trusted domain get CORS answers, as only they may use the JS-SDK (80001).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

from emulator.console import STATIC_DIR
from emulator.jssdk import Rejected, SidebarMessage
from emulator.oauth import trusted

if TYPE_CHECKING:
    from emulator.emulator import Emulator
    from emulator.state import CorpState

SCRIPT_PATHS = ("/open/js/jweixin-1.2.0.js", "/wwopen/js/jwxwork-1.0.0.js", "/@wecom/jssdk", "/jssdk/jweixin.js")


def add_jsbridge_routes(app: web.Application) -> None:
    for path in SCRIPT_PATHS:
        app.router.add_get(path, _script)
    for name, handler in (("register", _register), ("invoke", _invoke)):
        app.router.add_post(f"/jsbridge/{name}", handler)
        app.router.add_route("OPTIONS", f"/jsbridge/{name}", _preflight)


def _emu(request: web.Request) -> Emulator:
    from emulator.api import EMULATOR

    return request.app[EMULATOR]


async def _script(request: web.Request) -> web.StreamResponse:
    response = web.FileResponse(STATIC_DIR / "jweixin.js", headers={"Cache-Control": "no-store"})
    response.content_type = "application/javascript"
    return response


def _allowed_origin(request: web.Request) -> str | None:
    """The Origin to echo in CORS headers: a trusted page, or the emulator's own pages."""
    origin = request.headers.get("Origin", "")
    if not origin:
        return None
    if urlsplit(origin).netloc.lower() == request.host.lower():
        return origin
    return origin if trusted(origin + "/", _emu(request).config.trusted_domains) else None


def _cors(request: web.Request, data: dict[str, Any], status: int = 200) -> web.Response:
    response = web.json_response(data, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))
    origin = _allowed_origin(request)
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    return response


async def _preflight(request: web.Request) -> web.Response:
    response = _cors(request, {})
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response


async def _body(request: web.Request) -> dict[str, Any] | None:
    try:
        value = json.loads(await request.text())
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _page_matches_origin(request: web.Request, href: str) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # scripts (tests) calling the bridge directly
        return True
    return urlsplit(origin).netloc.lower() == urlsplit(href).netloc.lower()


async def _register(request: web.Request) -> web.Response:
    """{call: "config"|"agentConfig", params, href, bridge?} → {ok, bridge, errMsg}."""
    emu = _emu(request)
    body = await _body(request)
    if body is None or not isinstance(body.get("params"), dict):
        return _cors(request, {"ok": False, "errMsg": "bad request"}, status=400)
    call, href = str(body.get("call", "")), str(body.get("href", ""))
    if call not in ("config", "agentConfig") or not _page_matches_origin(request, href):
        return _cors(request, {"ok": False, "errMsg": "bad request"}, status=400)
    cfg = emu.config
    try:
        bridge = emu.corp.jssdk.register(call, body["params"], href, corp_id=cfg.corp_id, agent_id=cfg.agent_id,
                                         domains=cfg.trusted_domains, now=emu.clock.time(),
                                         bridge_id=str(body.get("bridge", "")))
    except Rejected as rejected:
        return _cors(request, {"ok": False, "errMsg": rejected.err_msg})
    return _cors(request, {"ok": True, "bridge": bridge.id, "errMsg": f"{call}:ok"})


async def _invoke(request: web.Request) -> web.Response:
    """{bridge, api, params} → the result object (`err_msg`, and the API's fields)."""
    emu = _emu(request)
    body = await _body(request)
    if body is None:
        return _cors(request, {"err_msg": "invoke:fail bad request"}, status=400)
    api, params = str(body.get("api", "")), body.get("params") or {}
    if not isinstance(params, dict):
        params = {}
    result = emu.corp.jssdk.invoke(str(body.get("bridge", "")), api, params, emu.clock.time())
    if result["err_msg"] == "sendChatMessage:ok":
        transcribe(emu.corp, emu.corp.jssdk.sent[-1])
    return _cors(request, result)


def transcribe(corp: CorpState, message: SidebarMessage) -> None:
    """The sidebar's message shows in the chat it was sent into, from the member."""
    if message.chat_id:
        corp.transcripts.to_group(message.chat_id, at=message.at, who="staff", text=message.text,
                                  via="sendChatMessage")
    elif message.external_userid:
        corp.transcripts.to_customer(message.external_userid, at=message.at, who="staff", text=message.text,
                                     via="sendChatMessage", msgtype=message.msgtype,
                                     body={"userid": message.userid, message.msgtype: message.content})
