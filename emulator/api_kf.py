"""微信客服 APIs: sync_msg, send_msg, send_msg_on_event, service_state, accounts (kf.md)."""

from __future__ import annotations

import copy
import re
from typing import Any

from emulator.api import GET, ApiRequest, Endpoint
from emulator.checks import max_bytes, obj, str_list, string
from emulator.envelope import ApiReject
from emulator.kf_desk import TRANSITIONS, KfSession
from emulator.state import CorpState
from emulator.transcript import summarize

KF_MSGTYPES = ("text", "image", "voice", "video", "file", "link", "miniprogram", "msgmenu", "location")
MSGID_PATTERN = re.compile(r"[0-9a-zA-Z_-]{1,32}")
SCENE_PATTERN = re.compile(r"[0-9a-zA-Z_-]{0,32}")


def endpoints() -> list[Endpoint]:
    return [
        Endpoint("kf/sync_msg", sync_msg),
        Endpoint("kf/send_msg", send_msg),
        Endpoint("kf/send_msg_on_event", send_msg_on_event),
        Endpoint("kf/service_state/get", service_state_get),
        Endpoint("kf/service_state/trans", service_state_trans),
        Endpoint("kf/account/list", account_list, methods=("POST", "GET"), defaults={"account_list": []}),
        Endpoint("kf/servicer/list", servicer_list, methods=GET, reads_body=False,
                 defaults={"servicer_list": []}),
        Endpoint("kf/add_contact_way", add_contact_way),
        Endpoint("kf/customer/batchget", customer_batchget),
    ]


def require_account(corp: CorpState, open_kfid: str) -> str:
    if not open_kfid or not open_kfid.startswith("wk"):
        raise ApiReject(95000)
    if open_kfid not in corp.kf.accounts:
        raise ApiReject(95004)
    return open_kfid


def sync_msg(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST kf/sync_msg: cursor paging over the account's log; the bot's own sends never appear."""
    body, cfg, now = req.body, corp.config, corp.clock.time()
    open_kfid = string(body, "open_kfid") or None  # optional in older docs: then all accounts
    if open_kfid:
        require_account(corp, open_kfid)
    token = string(body, "token")
    if token:
        if not corp.kf.token_valid(token, open_kfid, now, cfg.kf_token_ttl):
            raise ApiReject(95007)
    elif not corp.limiter.allow("kf/sync_msg:without-token", cfg.sync_msg_without_token_per_minute):
        raise ApiReject(45009)
    limit = body.get("limit") or 1000
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
        raise ApiReject(40058)
    cursor = string(body, "cursor")
    max_bytes("cursor", cursor, 64)
    start = 0
    if cursor:
        found = corp.kf.position(cursor)
        if found is None:
            raise ApiReject(50100)  # unknown cursor (unconfirmed code)
        start = found
    entries, next_pos, has_more = corp.kf.page(open_kfid, start, limit, now - cfg.kf_retention)
    return {"next_cursor": corp.kf.cursor_for(next_pos), "has_more": int(has_more),
            "msg_list": [copy.deepcopy(e.item) for e in entries]}


def _message(body: dict[str, Any], allowed: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    msgtype = string(body, "msgtype")
    if msgtype not in allowed:
        raise ApiReject(40008)
    content = obj(body, msgtype)
    if msgtype == "text":
        text = content.get("content", "")
        if not isinstance(text, str) or not text:
            raise ApiReject(44004)
        max_bytes("text.content", text, 2048)  # (unconfirmed code for kf)
    elif not content:
        raise ApiReject(40058)
    return msgtype, content


def _msgid(corp: CorpState, body: dict[str, Any]) -> str:
    msgid = string(body, "msgid")
    if msgid and not MSGID_PATTERN.fullmatch(msgid):
        raise ApiReject(40058)
    return msgid or corp.ids.make("", 32)


def send_msg(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST kf/send_msg: state 0/1 only, ≤5 messages within 48 h of the customer's last one (kf.md §4)."""
    body, cfg, now = req.body, corp.config, corp.clock.time()
    open_kfid = require_account(corp, string(body, "open_kfid"))
    touser = string(body, "touser")
    if not touser:
        raise ApiReject(40058)
    msgtype, content = _message(body, KF_MSGTYPES)
    msgid = _msgid(corp, body)
    session = corp.kf.sessions.get((open_kfid, touser))
    if session is None:
        raise ApiReject(95031)  # this customer never consulted this account
    if session.state not in (0, 1) or session.last_customer_msg_at is None:
        raise ApiReject(95018)
    if now - session.last_customer_msg_at > cfg.kf_window:
        raise ApiReject(95002)
    if session.sent_since_customer >= cfg.kf_window_messages:
        raise ApiReject(95001)
    session.sent_since_customer += 1
    corp.transcripts.to_customer(touser, at=now, who="bot", text=summarize(msgtype, content),
                                 via="kf/send_msg", msgtype=msgtype, body=body)
    return {"msgid": msgid}


def send_msg_on_event(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST kf/send_msg_on_event: one message per welcome_code / msg_code (kf.md §5)."""
    body, now = req.body, corp.clock.time()
    code = corp.kf.codes.get(string(body, "code"))
    # unknown, used and expired codes: the real errcode is not documented in our notes (unconfirmed)
    if code is None or code.used or now - code.issued_at > code.ttl:
        raise ApiReject(40058, "invalid code.")
    msgtype, content = _message(body, code.msgtypes)
    session = corp.kf.session(code.open_kfid, code.external_userid)
    if code.state is not None and session.state != code.state:
        raise ApiReject(95018)  # only while the session is still in the producing state (unconfirmed code)
    msgid = _msgid(corp, body)
    code.used = True
    if code.kind == "welcome":
        session.last_welcome_at = now
    corp.transcripts.to_customer(code.external_userid, at=now, who="bot", text=summarize(msgtype, content),
                                 via="kf/send_msg_on_event", msgtype=msgtype, body=body)
    return {"msgid": msgid}


def _session(corp: CorpState, body: dict[str, Any]) -> KfSession:
    open_kfid = require_account(corp, string(body, "open_kfid"))
    ext = string(body, "external_userid")
    if not ext:
        raise ApiReject(40058)
    return corp.kf.session(open_kfid, ext)


def service_state_get(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    session = _session(corp, req.body)
    return {"service_state": session.state, "servicer_userid": session.servicer_userid}


def service_state_trans(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST kf/service_state/trans: kf.md §6 state machine; msg_code for →2, →3 (picked up), →4."""
    body, cfg, now = req.body, corp.config, corp.clock.time()
    session = _session(corp, body)
    target = body.get("service_state")
    if not isinstance(target, int) or isinstance(target, bool) or target not in TRANSITIONS:
        raise ApiReject(40058)
    allowed = set(TRANSITIONS[session.state])
    if cfg.kf_bot_may_end_session and session.state in (0, 1):
        allowed.add(4)
    servicer = string(body, "servicer_userid")
    if target not in allowed or (target == 3 and session.state == 3 and servicer == session.servicer_userid):
        raise ApiReject(95016)
    if target == 3:
        if not servicer:
            raise ApiReject(40058)
        if not corp.kf.serves(session.open_kfid, servicer):
            raise ApiReject(95014)  # not a receptionist of this account (doc 90313: "用户不是接待人员")
        found = corp.kf.servicers[servicer]
        if not found.receiving:
            raise ApiReject(95019)
    previous = session.state
    session.state = target
    session.servicer_userid = servicer if target == 3 else ""
    code = None
    if target == 2:
        code = corp.kf.issue_code("wait", session, now=now, ttl=cfg.kf_wait_code_ttl, msgtypes=("text",), state=2)
    elif target == 3 and previous != 3:
        code = corp.kf.issue_code("pickup", session, now=now, ttl=cfg.kf_wait_code_ttl, msgtypes=("text",),
                                  state=3)
    elif target == 4:
        code = corp.kf.issue_code("end", session, now=now, ttl=cfg.kf_end_code_ttl,
                                  msgtypes=("text", "msgmenu"), state=4)
    return {"msg_code": code.code} if code else {}


def account_list(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """kf/account/list, POST body or GET query (kf.md §7: accept both)."""
    source: dict[str, Any] = dict(req.body) if req.method == "POST" else {
        k: int(v) for k, v in req.query.items() if k in ("offset", "limit") and v.isdigit()}
    offset, limit = source.get("offset", 0), source.get("limit", 100)
    if not isinstance(offset, int) or not isinstance(limit, int) or offset < 0 or not 1 <= limit <= 100:
        raise ApiReject(40058)
    accounts = list(corp.kf.accounts.items())[offset:offset + limit]
    return {"account_list": [{"open_kfid": k, "name": name, "avatar": f"https://example.invalid/kf/{k}.png",
                              "manage_privilege": True} for k, name in accounts]}


def servicer_list(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """GET kf/servicer/list?open_kfid=: that account's receptionists; status 0 receiving / 1 stopped
    (not the event's 1/2), stop_type 0 stopped / 1 suspended (kf.md §7; the
    servicer-list page is /document/31064 in the old numbering)."""
    open_kfid = require_account(corp, req.query.get("open_kfid", ""))
    return {"servicer_list": [{"userid": s.userid, "status": 0 if s.receiving else 1, "stop_type": s.stop_type}
                              for s in corp.kf.servicers_of(open_kfid)]}


def add_contact_way(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST kf/add_contact_way: a link; `scene` comes back in enter_session (kf.md §7)."""
    open_kfid = require_account(corp, string(req.body, "open_kfid"))
    scene = string(req.body, "scene")
    if not SCENE_PATTERN.fullmatch(scene):
        raise ApiReject(40058)
    url = f"https://work.weixin.qq.com/kf/kfc{corp.ids.make('', 26)}?enc_scene=ENC{corp.ids.make('', 30)}"
    corp.kf.links[url] = (open_kfid, scene)
    return {"url": url}


def customer_batchget(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST kf/customer/batchget: customers who have talked to any kf account."""
    wanted = str_list(req.body, "external_userid_list")
    if not wanted or len(wanted) > 100:
        raise ApiReject(40058)
    with_context = req.body.get("need_enter_session_context") == 1
    found, invalid = [], []
    for ext in wanted:
        customer = corp.contacts.customers.get(ext)
        sessions = [s for (_, e), s in corp.kf.sessions.items() if e == ext]
        if customer is None or not sessions:
            invalid.append(ext)
            continue
        item: dict[str, Any] = {"external_userid": ext, "nickname": customer.name, "avatar": customer.avatar,
                                "gender": customer.gender, "unionid": customer.unionid}
        if with_context:
            item["enter_session_context"] = dict(sessions[-1].enter_context)
        found.append(item)
    return {"customer_list": found, "invalid_external_userid": invalid}
