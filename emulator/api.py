"""The emulated WeCom API host: /cgi-bin/... with the documented JSON shapes and errcodes.

One pipeline serves every endpoint, in this order: record the call (before any check, so tests
see rejected calls too) → injected fault → access_token (41001/40014/42001) → permission (48002)
→ per-API minute limit (45009) → HTTP method and JSON body (40058) → the endpoint's handler.
Business errors are HTTP 200 + errcode (errors-and-limits.md §1).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator.envelope import ApiReject, error, ok
from emulator.limits import HOUR, WINDOW
from emulator.state import CorpState
from emulator.tokens import AccessToken

if TYPE_CHECKING:
    from emulator.emulator import Emulator

EMULATOR: web.AppKey[Emulator] = web.AppKey("emulator")


@dataclass(frozen=True, slots=True)
class ApiRequest:
    api: str  # path after /cgi-bin/
    method: str
    query: Mapping[str, str]
    body: dict[str, Any]
    token: AccessToken | None
    ip: str


Handler = Callable[[CorpState, ApiRequest], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    api: str
    handler: Handler
    methods: tuple[str, ...] = ("POST",)
    auth: bool = True  # needs ?access_token=
    counted: bool = True  # in the generic per-API minute limit (app messages are not, outbound.md §1)
    reads_body: bool = True  # POST JSON body; query-parameter APIs set False
    defaults: Mapping[str, Any] = field(default_factory=dict)  # kept (empty) in error answers


GET = ("GET", "POST")  # read APIs that take query parameters; POST is tolerated (unconfirmed)


def gettoken(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """GET gettoken?corpid=&corpsecret= (customer-contact.md §4)."""
    corpid = req.query.get("corpid", "")
    secret = req.query.get("corpsecret", "")
    if corpid != corp.config.corp_id:
        raise ApiReject(40013)
    if not secret:
        raise ApiReject(41004)
    kind = next((k for k, s in corp.config.secrets.items() if s == secret), None)
    if kind is None:
        raise ApiReject(40001)
    token = corp.tokens.issue(kind)
    # Re-asking while valid returns the same token; we report its remaining life (unconfirmed).
    return {"access_token": token.value, "expires_in": corp.tokens.remaining(token)}


def all_endpoints() -> dict[str, Endpoint]:
    from emulator import api_auth, api_contact, api_groups, api_kf, api_message, api_ticket

    endpoints = [Endpoint("gettoken", gettoken, methods=GET, auth=False, reads_body=False)]
    for module in (api_contact, api_groups, api_kf, api_message, api_auth, api_ticket):
        endpoints.extend(module.endpoints())
    return {e.api: e for e in endpoints}


ENDPOINTS: web.AppKey[dict[str, Endpoint]] = web.AppKey("endpoints")


def create_api_app(emu: Emulator, *, console: bool = True) -> web.Application:
    """The API host, the sign-in pages and the JS bridge (and, by default, the chat console at
    /console) for one emulator."""
    from emulator.jsbridge import add_jsbridge_routes
    from emulator.signin_pages import add_signin_routes

    app = web.Application(client_max_size=4 * 1024 * 1024, middlewares=[count_changes])
    app[EMULATOR] = emu
    app[ENDPOINTS] = all_endpoints()
    app.router.add_route("*", "/cgi-bin/{api:.+}", handle_api)
    add_signin_routes(app)
    add_jsbridge_routes(app)
    if console:
        from emulator.console import add_console_routes, console_guard

        app.middlewares.append(console_guard)
        add_console_routes(app)
    return app


@web.middleware
async def count_changes(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                        ) -> web.StreamResponse:
    """Count the requests that may change the corp: API calls and every POST (console actions, sign-in
    picks, the JS bridge), not page, script or console reads. The sandbox saves the corp when it moved;
    counted again at the end, since a handler may change the corp after an await (a callback's answer)."""
    emu = request.app[EMULATOR]
    if request.method in ("GET", "HEAD", "OPTIONS") and not request.path.startswith("/cgi-bin/"):
        return await handler(request)
    emu.changes += 1
    try:
        return await handler(request)
    finally:
        emu.changes += 1


async def handle_api(request: web.Request) -> web.StreamResponse:
    emu = request.app[EMULATOR]
    raw = await request.read()
    text = raw.decode("utf-8", "replace")
    call = emu.call_log.record(request.method, request.path, dict(request.query), _loads(text), text,
                               emu.clock.time())
    status, answer = await _answer(emu, request.app[ENDPOINTS], request, raw)
    if emu.config.api_latency_s > 0:  # the answer is decided on arrival and travels back this long
        await asyncio.sleep(emu.config.api_latency_s)
    call.status = status
    if isinstance(answer, dict):
        call.response = answer
        return web.json_response(answer, status=status, dumps=_dumps)
    return web.Response(status=status, text=answer)


async def _answer(emu: Emulator, endpoints: dict[str, Endpoint], request: web.Request,
                  raw: bytes) -> tuple[int, dict[str, Any] | str]:
    corp = emu.corp
    api = request.match_info["api"]
    ip = request.remote or "127.0.0.1"
    endpoint = endpoints.get(api)
    defaults = endpoint.defaults if endpoint else {}

    fault = emu.faults.take(request.path)
    if fault is not None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status is not None:
            return fault.status, fault.body if fault.body is not None else f"{fault.status} injected fault"
        if fault.errcode is not None:
            return 200, error(fault.errcode, hint=corp.ids.hint(corp.now()), ip=ip, defaults=defaults)

    if endpoint is None:
        return 404, "404 page not found"  # unknown API path (real answer unconfirmed)
    try:
        token = None
        if endpoint.auth:
            token = corp.tokens.check(request.query.get("access_token"))
            if api in corp.forbidden.get(token.kind, set()):
                raise ApiReject(48002)
        if endpoint.counted and not corp.limiter.allow_all(
                (f"api:{api}", corp.config.api_per_minute, WINDOW, WINDOW),  # a minute block lasts 60 s,
                (f"api-hour:{api}", corp.config.api_per_hour, HOUR, HOUR)):  # an hour block 60 min (§3)
            raise ApiReject(45009)
        if request.method not in endpoint.methods:
            raise ApiReject(40058)  # e.g. GET on a POST API (errors-and-limits.md §2)
        body = _json_object(raw) if request.method == "POST" and endpoint.reads_body else {}
        req = ApiRequest(api, request.method, request.query, body, token, ip)
        payload = endpoint.handler(corp, req)
    except ApiReject as reject:
        return 200, error(reject.errcode, hint=corp.ids.hint(corp.now()), ip=ip, detail=reject.detail,
                          defaults=defaults)
    return 200, ok(payload)


def _json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiReject(40058) from exc
    if not isinstance(value, dict):
        raise ApiReject(40058)
    return value


def _loads(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
