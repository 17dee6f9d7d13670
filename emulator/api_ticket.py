"""JS-SDK tickets: get_jsapi_ticket (corp) and ticket/get?type=agent_config (app) (staff-web.md §5)."""

from __future__ import annotations

from typing import Any

from emulator.api import ApiRequest, Endpoint
from emulator.envelope import ApiReject
from emulator.limits import HOUR
from emulator.state import CorpState


def endpoints() -> list[Endpoint]:
    return [
        Endpoint("get_jsapi_ticket", get_jsapi_ticket, methods=("GET",), reads_body=False),
        Endpoint("ticket/get", ticket_get, methods=("GET",), reads_body=False),
    ]


def _issue(corp: CorpState, req: ApiRequest, kind: str) -> dict[str, Any]:
    """≤400 fetches per hour per corp and ≤100 per app (doc 14924); 45009 past that (unconfirmed code)."""
    cfg, secret_kind = corp.config, req.token.kind if req.token else ""
    if not corp.limiter.allow(f"ticket:app:{secret_kind}", cfg.jsapi_tickets_per_hour_app, window=HOUR):
        raise ApiReject(45009)
    if not corp.limiter.allow("ticket:corp", cfg.jsapi_tickets_per_hour_corp, window=HOUR):
        raise ApiReject(45009)
    now = corp.clock.time()
    ticket = corp.jssdk.issue(kind, secret_kind, now, cfg.jsapi_ticket_ttl)
    return {"ticket": ticket.ticket, "expires_in": max(int(ticket.expires_at - now), 0)}


def get_jsapi_ticket(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """GET get_jsapi_ticket: the corp ticket for wx.config."""
    return _issue(corp, req, "corp")


def ticket_get(corp: CorpState, req: ApiRequest) -> dict[str, Any]:
    """GET ticket/get?type=agent_config: the app ticket for wx.agentConfig; any other type → 91040."""
    if req.query.get("type") != "agent_config":
        raise ApiReject(91040)
    return _issue(corp, req, "agent")
