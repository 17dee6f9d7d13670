"""The sandbox chat console: a page at /console where a person plays customer and staff.

JSON under /console/api/ feeds the page (it polls every second); actions call the same
scripts tests use, so what you click is what a test would do.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator.driver import Delivery
from emulator.kf_desk import STATE_NAMES

if TYPE_CHECKING:
    from emulator.emulator import Emulator

STATIC_DIR = Path(__file__).parent / "static"
SUMMARY_CHARS = 160

Action = Callable[["Emulator", dict[str, Any]], Awaitable[Delivery]]


def add_console_routes(app: web.Application) -> None:
    app.router.add_get("/", _to_console)
    app.router.add_get("/console", _page)
    app.router.add_static("/console/static", STATIC_DIR)
    app.router.add_get("/console/api/state", _state)
    app.router.add_get("/console/api/conversation", _conversation)
    app.router.add_get("/console/api/staff_chat", _staff_chat)
    app.router.add_get("/console/api/calls", _calls)
    app.router.add_get("/console/api/webhook", _webhook)
    for name, action in ACTIONS:
        app.router.add_post(f"/console/api/{name}", _action_handler(action, new_customer=name in NEW_CUSTOMER))
    app.router.add_post("/console/api/advance", _advance)


def _emu(request: web.Request) -> Emulator:
    from emulator.api import EMULATOR

    return request.app[EMULATOR]


async def _to_console(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console")


async def _page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC_DIR / "console.html")


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


async def _state(request: web.Request) -> web.Response:
    emu = _emu(request)
    corp = emu.corp
    customers = []
    for ext, customer in corp.contacts.customers.items():
        follows = [{"userid": f.userid, "name": corp.staff_name(f.userid), "state": f.state,
                    "tags": emu.customer_tags(f.userid, ext)} for f in corp.contacts.follows_of(ext)]
        sessions = [{"open_kfid": s.open_kfid, "state": s.state, "state_name": STATE_NAMES[s.state],
                     "servicer": s.servicer_userid}
                    for (_, e), s in corp.kf.sessions.items() if e == ext]
        lines = corp.transcripts.customers.get(ext, [])
        customers.append({"external_userid": ext, "name": customer.name, "follows": follows, "kf": sessions,
                          "last_seq": lines[-1].seq if lines else 0})
    return _json({
        "corp_id": emu.config.corp_id, "agent_id": emu.config.agent_id, "now": emu.clock.time(),
        "connected": emu.driver.url if emu.driver else "",
        "fake_clock": hasattr(emu.clock, "advance"),
        "staff": [{"userid": u, "name": n} for u, n in emu.config.staff.items()],
        "kf_accounts": [{"open_kfid": k, "name": n} for k, n in corp.kf.accounts.items()],
        "contact_states": sorted({w.state for w in corp.contacts.contact_ways.values() if w.state}),
        "webhook_keys": list(emu.config.webhook_keys),
        "customers": customers,
    })


def _lines(lines: list[Any]) -> list[dict[str, Any]]:
    return [{"seq": x.seq, "at": x.at, "who": x.who, "text": x.text, "via": x.via, "msgtype": x.msgtype}
            for x in lines]


async def _conversation(request: web.Request) -> web.Response:
    emu = _emu(request)
    return _json({"lines": _lines(emu.customer_transcript(request.query.get("ext", "")))})


async def _staff_chat(request: web.Request) -> web.Response:
    emu = _emu(request)
    return _json({"lines": _lines(emu.staff_transcript(request.query.get("userid", "")))})


async def _webhook(request: web.Request) -> web.Response:
    emu = _emu(request)
    key = request.query.get("key") or None
    return _json({"messages": emu.webhook_messages(key)})


async def _calls(request: web.Request) -> web.Response:
    emu = _emu(request)
    since = int(request.query.get("since", "0") or 0)
    out = []
    for call in emu.call_log.since(since):
        if call.body is not None:
            summary = json.dumps(call.body, ensure_ascii=False)
        else:
            summary = "&".join(f"{k}={v}" for k, v in call.query.items() if k not in ("access_token", "corpsecret"))
        out.append({"index": call.index, "at": call.at, "method": call.method, "api": call.api,
                    "status": call.status, "errcode": call.errcode,
                    "errmsg": (call.response or {}).get("errmsg", "") if call.errcode else "",
                    "summary": summary[:SUMMARY_CHARS]})
    return _json({"calls": out, "next": len(emu.call_log)})


def _delivery_json(delivery: Delivery) -> dict[str, Any]:
    return {"sent": delivery.sent, "acked": delivery.acked, "statuses": delivery.statuses,
            "reply": delivery.reply_fields.get("Content", "") if delivery.reply_fields else ""}


def _action_handler(action: Action, *, new_customer: bool) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        emu = _emu(request)
        try:
            body = await request.json()
            body = body if isinstance(body, dict) else {}
            if new_customer:  # an empty id means "a new WeChat user"
                body["ext"] = str(body.get("ext") or "") or emu.corp.ids.make("wm", 32)
            delivery = await action(emu, body)
        except (ValueError, KeyError) as exc:
            return _json({"ok": False, "error": str(exc)}, status=400)
        return _json({"ok": True, "ext": body.get("ext", ""), "delivery": _delivery_json(delivery)})

    return handler


async def _add_friend(emu: Emulator, body: dict[str, Any]) -> Delivery:
    return await emu.add_friend(str(body["staff"]), str(body["ext"]),
                                state=str(body.get("state") or ""), name=str(body.get("name") or ""))


async def _kf_enter(emu: Emulator, body: dict[str, Any]) -> Delivery:
    return await emu.customer_enters_kf(str(body["ext"]),
                                        open_kfid=str(body.get("open_kfid") or "") or None,
                                        scene=str(body.get("scene") or ""), name=str(body.get("name") or ""))


async def _kf_say(emu: Emulator, body: dict[str, Any]) -> Delivery:
    text = str(body.get("text") or "")
    if not text:
        raise ValueError("消息不能为空")
    return await emu.customer_says(str(body["ext"]), text, open_kfid=str(body.get("open_kfid") or "") or None)


async def _staff_say(emu: Emulator, body: dict[str, Any]) -> Delivery:
    text = str(body.get("text") or "")
    if not text:
        raise ValueError("消息不能为空")
    return await emu.staff_sends(str(body["userid"]), text)


ACTIONS: tuple[tuple[str, Action], ...] = (("add_friend", _add_friend), ("kf_enter", _kf_enter),
                                          ("kf_say", _kf_say), ("staff_say", _staff_say))
NEW_CUSTOMER = frozenset({"add_friend", "kf_enter"})


async def _advance(request: web.Request) -> web.Response:
    """Move a FakeClock forward (sandbox time travel); a system clock cannot be moved."""
    emu = _emu(request)
    advance = getattr(emu.clock, "advance", None)
    if advance is None:
        return _json({"ok": False, "error": "系统时钟不能快进"}, status=400)
    body = await request.json()
    advance(float(body.get("seconds", 0)))
    return _json({"ok": True, "now": emu.clock.time()})
