"""code → identity: auth/getuserinfo and auth/getuserdetail (staff-web.md §3; doc 96442, 96443)."""

from __future__ import annotations

import hashlib
from typing import Any

from emulator.api import ApiRequest, Endpoint
from emulator.checks import string
from emulator.envelope import ApiReject
from emulator.oauth import APP_SECRET_KIND
from emulator.state import CorpState


def endpoints() -> list[Endpoint]:
    return [
        Endpoint("auth/getuserinfo", getuserinfo, methods=("GET",), reads_body=False),
        Endpoint("auth/getuserdetail", getuserdetail),
    ]


def getuserinfo(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """GET auth/getuserinfo?code=: userid for members, openid (+ external_userid) for visitors.

    41008 no code; 40029 unknown, used or older than 5 minutes; 50001 when the token is not the
    app's whose trusted domain the code was issued for (doc 90313: "the token's app must have
    the redirect domain" — only the self-built app has trusted domains here)."""
    value = req.query.get("code", "")
    if not value:
        raise ApiReject(41008)
    signin, now = corp.signin, corp.clock.time()
    code = signin.codes.get(value)
    if code is None or code.used or now - code.issued_at > corp.config.oauth_code_ttl:
        raise ApiReject(40029)
    if req.token is None or req.token.kind != APP_SECRET_KIND or code.agent_id != corp.config.agent_id:
        raise ApiReject(50001)  # the code is not consumed by the wrong app (unconfirmed)
    code.used = True
    if code.userid:
        out: dict[str, Any] = {"userid": code.userid}
        if code.flow == "oauth" and code.scope == "snsapi_privateinfo":
            # every member is in the app's visible range here, so privateinfo always gives a ticket
            ticket = signin.issue_user_ticket(code.userid, now)
            # expires_in with the ticket: doc 90313 (84014) says its life is given by expires_in;
            # absent from the self-built example (unconfirmed)
            out.update({"user_ticket": ticket.ticket, "expires_in": corp.config.user_ticket_ttl})
        return out
    out = {"openid": code.openid}
    if code.external_userid:
        out["external_userid"] = code.external_userid
    return out


def getuserdetail(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """POST auth/getuserdetail {user_ticket}: 84090 missing, 84015 invalid, 84014 expired (doc 90313)."""
    value = string(req.body, "user_ticket")
    if not value:
        raise ApiReject(84090)
    ticket = corp.signin.user_tickets.get(value)
    if ticket is None:
        raise ApiReject(84015)
    if corp.clock.time() - ticket.issued_at > corp.config.user_ticket_ttl:
        raise ApiReject(84014)
    return member_detail(ticket.userid)


def member_detail(userid: str) -> dict[str, Any]:
    """The documented fields with demo values derived from the userid (gender is a string, doc 96443)."""
    digits = str(int(hashlib.md5(userid.encode()).hexdigest()[:8], 16)).rjust(8, "0")[:8]
    slug = userid.replace(".", "_")
    return {"userid": userid, "gender": "2" if int(digits[-1]) % 2 else "1",
            "avatar": f"https://example.invalid/staff/{slug}.png", "qr_code": f"https://example.invalid/qr/{slug}",
            "mobile": f"139{digits}", "email": f"{slug}@example.invalid", "biz_mail": f"{slug}@corp.example.invalid",
            "address": "示例路1号"}
