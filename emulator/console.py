"""The sandbox chat console: a page at /console where a person plays customer and staff.

JSON under /console/api/ feeds the page (it polls every second); actions call the same
scripts tests use, so what you click is what a test would do. Every POST must be JSON and
same-origin (`console_guard`): another site open in the tester's browser cannot drive it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from emulator import markdown
from emulator.driver import Delivery
from emulator.jssdk import ENTRIES
from emulator.kf_desk import STATE_NAMES
from emulator.origin import reject_cross_origin

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
    app.router.add_get("/console/api/group", _group)
    app.router.add_post("/console/api/mass_send", _mass_send)
    app.router.add_post("/console/api/advance", _advance)
    app.router.add_post("/console/api/sidebar", _sidebar)


API_PREFIX = "/console/api/"


@web.middleware
async def console_guard(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                        ) -> web.StreamResponse:
    """POSTs to /console/api/*: 403 unless same-origin, 415 unless application/json."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.path.startswith(API_PREFIX):
        refused = reject_cross_origin(request, required=_emu(request).config.console_origin_required,
                                      json_body=True)
        if refused is not None:
            return refused
    return await handler(request)


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
    corp, cfg = emu.corp, emu.config
    customers = []
    for ext, customer in corp.contacts.customers.items():
        follows = [{"userid": f.userid, "name": corp.staff_name(f.userid), "state": f.state,
                    "tags": emu.customer_tags(f.userid, ext)} for f in corp.contacts.follows_of(ext)]
        sessions = [{"open_kfid": s.open_kfid, "state": s.state, "state_name": STATE_NAMES[s.state],
                     "servicer": s.servicer_userid, "servicer_name": corp.staff_name(s.servicer_userid)
                     if s.servicer_userid else ""}
                    for (_, e), s in corp.kf.sessions.items() if e == ext]
        lines = corp.transcripts.customers.get(ext, [])
        # 好友 = a customer-contact relation; 微信客服 customers who never added anyone are kf-only
        kind = "contact" if follows else "kf" if sessions else "group"
        customers.append({"external_userid": ext, "name": customer.name, "kind": kind, "follows": follows,
                          "kf": sessions, "last_seq": lines[-1].seq if lines else 0})
    contact_way_states = [w.state for w in corp.contacts.contact_ways.values() if w.state]
    context = corp.jssdk.context
    return _json({
        "corp_id": cfg.corp_id, "agent_id": cfg.agent_id, "now": emu.clock.time(),
        "connected": emu.driver.url if emu.driver else "",
        "fake_clock": hasattr(emu.clock, "advance"),
        "staff": [{"userid": u, "name": n} for u, n in cfg.staff.items()],
        "kf_accounts": [{"open_kfid": k, "name": n,
                         "servicers": [{"userid": sv.userid, "name": corp.staff_name(sv.userid),
                                        "receiving": sv.receiving} for sv in corp.kf.servicers_of(k)]}
                        for k, n in corp.kf.accounts.items()],
        "kf_pool": [{"open_kfid": s.open_kfid, "external_userid": s.external_userid,
                     "name": corp.display_name(s.external_userid)} for s in corp.kf.pool()],
        "contact_states": list(dict.fromkeys([*cfg.channel_states, *contact_way_states])),
        "groups": [{"chat_id": c.chat_id, "name": c.name, "owner": corp.staff_name(c.owner),
                    "customers": sum(1 for m in c.members.values() if m.type == 2)}
                   for c in corp.groups.chats.values() if not c.dismissed],
        "mass_tasks": _mass_tasks(emu),
        "webhook_keys": list(cfg.webhook_keys),
        "customers": customers,
        "sidebar": {
            "url": cfg.sidebar_url, "entries": list(ENTRIES),
            "context": None if context is None else {
                "userid": context.userid, "entry": context.entry, "external_userid": context.external_userid,
                "chat_id": context.chat_id, "open_kfid": context.open_kfid},
            "sent": [{"at": m.at, "userid": m.userid, "entry": m.entry, "external_userid": m.external_userid,
                      "chat_id": m.chat_id, "msgtype": m.msgtype, "text": m.text} for m in corp.jssdk.sent],
        },
    })


MASS_SHOWN = 20  # the newest mass-message tasks the page lists


def _mass_tasks(emu: Emulator) -> list[dict[str, Any]]:
    """Mass messages (add_msg_template) as the 群发助手 shows them to staff: what was proposed, to how many,
    and who still has to tap send; newest first."""
    corp = emu.corp
    out = []
    for task in sorted(corp.mass.tasks.values(), key=lambda t: t.created_at, reverse=True)[:MASS_SHOWN]:
        pending: dict[str, int] = {}
        for row in task.records:
            if row.status == 0:
                pending[row.userid] = pending.get(row.userid, 0) + 1
        out.append({"msgid": task.msgid, "chat_type": task.chat_type, "created_at": task.created_at,
                    "text": task.summary(),
                    "targets": len(task.records), "sent": sum(1 for r in task.records if r.status == 1),
                    "failed": sum(1 for r in task.records if r.status in (2, 3)),
                    "pending": [{"userid": u, "name": corp.staff_name(u), "count": n} for u, n in pending.items()]})
    return out


def _lines(lines: list[Any]) -> list[dict[str, Any]]:
    """Transcript lines; markdown ones also as `rich` blocks (emulator/markdown.py) for the page."""
    out = []
    for x in lines:
        item = {"seq": x.seq, "at": x.at, "who": x.who, "text": x.text, "via": x.via, "msgtype": x.msgtype}
        if x.msgtype == "markdown":
            item["rich"] = markdown.parse(x.text)
        out.append(item)
    return out


async def _conversation(request: web.Request) -> web.Response:
    emu = _emu(request)
    return _json({"lines": _lines(emu.customer_transcript(request.query.get("ext", "")))})


async def _group(request: web.Request) -> web.Response:
    """What a customer group saw (mass messages staff sent into it)."""
    emu = _emu(request)
    return _json({"lines": _lines(emu.corp.transcripts.groups.get(request.query.get("chat_id", ""), []))})


async def _mass_send(request: web.Request) -> web.Response:
    """A member taps send on a mass-message task in the 群发助手 ({msgid, userid}): their rows go out
    (rows to former friends, dismissed groups or a used-up monthly quota fail as WeCom records them)."""
    emu = _emu(request)
    body = await request.json()
    body = body if isinstance(body, dict) else {}
    try:
        sent = emu.confirm_group_msg(str(body.get("msgid") or ""), str(body.get("userid") or "") or None)
    except ValueError as exc:
        return _json({"ok": False, "error": str(exc)}, status=400)
    return _json({"ok": True, "sent": sent})


async def _staff_chat(request: web.Request) -> web.Response:
    emu = _emu(request)
    return _json({"lines": _lines(emu.staff_transcript(request.query.get("userid", "")))})


async def _webhook(request: web.Request) -> web.Response:
    emu = _emu(request)
    key = request.query.get("key") or None
    messages = []
    for body in emu.webhook_messages(key):
        item = dict(body)
        if body.get("msgtype") == "markdown" and isinstance(body.get("markdown"), dict):
            item["rich"] = markdown.parse(str(body["markdown"].get("content", "")))
        messages.append(item)
    return _json({"messages": messages})


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


async def _group_join(emu: Emulator, body: dict[str, Any]) -> Delivery:
    """A WeChat user scans a group's QR code and joins (change_external_chat update/add_member, JoinScene 3)."""
    chat_id = str(body.get("chat_id") or "")
    if not chat_id:
        raise ValueError("请先选择一个客户群")
    return await emu.customers_join_group(chat_id, [str(body["ext"])], scene=3, name=str(body.get("name") or ""))


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


def _kf_of(body: dict[str, Any]) -> str | None:
    return str(body.get("open_kfid") or "") or None


async def _kf_image(emu: Emulator, body: dict[str, Any]) -> Delivery:
    """The customer sends a picture (image{media_id}, kf.md §2)."""
    return await emu.customer_sends_image(str(body["ext"]), open_kfid=_kf_of(body))


async def _kf_pickup(emu: Emulator, body: dict[str, Any]) -> Delivery:
    """A servicer takes the chat from the reception pool (2 → 3, change_type 1)."""
    return await emu.servicer_picks_up(str(body["ext"]), str(body.get("userid") or "") or None,
                                       open_kfid=_kf_of(body))


async def _kf_servicer_say(emu: Emulator, body: dict[str, Any]) -> Delivery:
    """The servicer who holds the chat replies from the WeCom client (origin 5)."""
    text = str(body.get("text") or "")
    if not text:
        raise ValueError("消息不能为空")
    ext, kf = str(body["ext"]), _kf_of(body)
    session = emu.kf_session(ext, kf)
    if session is None or session.state != 3:
        raise ValueError("这位客户的会话不在人工接待中：先从待接入池接入")
    return await emu.servicer_says(ext, text, userid=session.servicer_userid, open_kfid=kf)


async def _kf_servicer_end(emu: Emulator, body: dict[str, Any]) -> Delivery:
    return await emu.servicer_ends_session(str(body["ext"]), open_kfid=_kf_of(body))


async def _kf_servicer_status(emu: Emulator, body: dict[str, Any]) -> Delivery:
    """A servicer starts/stops receiving (servicer_status_change; stop_type 0 stopped)."""
    return await emu.servicer_status(str(body["userid"]), bool(body.get("receiving")), open_kfid=_kf_of(body))


ACTIONS: tuple[tuple[str, Action], ...] = (
    ("add_friend", _add_friend), ("kf_enter", _kf_enter), ("kf_say", _kf_say), ("staff_say", _staff_say),
    ("kf_image", _kf_image), ("kf_pickup", _kf_pickup), ("kf_servicer_say", _kf_servicer_say),
    ("kf_servicer_end", _kf_servicer_end), ("kf_servicer_status", _kf_servicer_status), ("group_join", _group_join))
NEW_CUSTOMER = frozenset({"add_friend", "kf_enter", "group_join"})


async def _advance(request: web.Request) -> web.Response:
    """Move a FakeClock forward (sandbox time travel); a system clock cannot be moved."""
    emu = _emu(request)
    advance = getattr(emu.clock, "advance", None)
    if advance is None:
        return _json({"ok": False, "error": "系统时钟不能快进"}, status=400)
    body = await request.json()
    advance(float(body.get("seconds", 0)))
    return _json({"ok": True, "now": emu.clock.time()})


async def _sidebar(request: web.Request) -> web.Response:
    """Open the chat toolbar beside a chat as a member ({userid, entry?, ext?, chat_id?, open_kfid?});
    an empty userid closes it."""
    emu = _emu(request)
    body = await request.json()
    body = body if isinstance(body, dict) else {}
    userid = str(body.get("userid") or "")
    if not userid:
        emu.close_sidebar()
        return _json({"ok": True, "context": None})
    try:
        context = emu.open_sidebar(userid, external_userid=str(body.get("ext") or ""),
                                   chat_id=str(body.get("chat_id") or ""),
                                   open_kfid=str(body.get("open_kfid") or ""),
                                   entry=str(body.get("entry") or "") or None)
    except ValueError as exc:
        return _json({"ok": False, "error": str(exc)}, status=400)
    return _json({"ok": True, "context": {"userid": context.userid, "entry": context.entry}})
