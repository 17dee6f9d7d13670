"""POST /api/orders: a shop (mini-program backend, ERP, a Tmall/JD connector) reports one order.

Signed like a webhook: `X-Wanzi-Timestamp` (Unix seconds) and `X-Wanzi-Signature`, the hex
HMAC-SHA256 with `[orders] secret` over the timestamp, a ".", and the raw body bytes, compared in
constant time; a timestamp outside `timestamp_window_s` is refused, so a captured request cannot be
replayed later (and a replay inside the window is a duplicate order_id: nothing happens twice).
Answers are JSON; every refusal names the field (or header) and stores nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from bot.appkeys import CLOCK, CONFIG, CONTEXTS, DELIVERY, SESSIONS, WORKERS
from bot.feature import HttpRoute
from bot.logs import clip
from handlers.orders.config import OrdersConfig
from handlers.orders.parsing import OrderInvalid, parse_order
from handlers.orders.service import OrderConflict, Recorded, record_order

log = logging.getLogger(__name__)

PATH = "/api/orders"
TIMESTAMP, SIGNATURE = "X-Wanzi-Timestamp", "X-Wanzi-Signature"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a shop sends (also what tests and the README example compute)."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _refuse(status: int, error: str, field: str, message: str) -> web.Response:
    log.warning("order refused", extra={"status": status, "error": error, "field": field, "reason": clip(message)})
    return web.json_response({"ok": False, "error": error, "field": field, "message": message}, status=status)


async def _signed_body(request: web.Request, config: OrdersConfig, now: float) -> bytes | web.Response:
    if request.content_length is not None and request.content_length > config.max_body_bytes:
        return _refuse(413, "too_large", "body", f"at most {config.max_body_bytes} bytes")
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(8192):  # a chunked body has no Content-Length
        size += len(chunk)
        if size > config.max_body_bytes:
            return _refuse(413, "too_large", "body", f"at most {config.max_body_bytes} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    ts, sig = request.headers.get(TIMESTAMP, ""), request.headers.get(SIGNATURE, "")
    if not (ts.isascii() and ts.isdigit()) or len(ts) > 12:
        return _refuse(401, "unsigned", TIMESTAMP, "must be the Unix time in seconds")
    if abs(now - int(ts)) > config.timestamp_window_s:
        return _refuse(401, "stale", TIMESTAMP, f"differs from the server's clock by more than "
                                                f"{config.timestamp_window_s} s")
    if not hmac.compare_digest(sign(config.secret, ts, body).encode(), sig.strip().lower().encode()):
        return _refuse(401, "bad_signature", SIGNATURE, "is not the HMAC-SHA256 of timestamp + '.' + body")
    return body


def _answer(recorded: Recorded) -> dict[str, Any]:
    return {"ok": True, "order_id": recorded.order.order_id, "result": recorded.outcome,
            "status": recorded.order.status, "points": recorded.points,
            "customer": "matched" if recorded.order.customer_id is not None else "parked"}


async def post_order(request: web.Request) -> web.Response:
    settings, clock = request.config_dict[CONFIG], request.config_dict[CLOCK]
    config = settings.of(OrdersConfig)
    if not config.secret:
        return _refuse(503, "disabled", "orders.secret", "the orders API is off: set [orders] secret")
    body = await _signed_body(request, config, clock.time())
    if isinstance(body, web.Response):
        return body
    try:
        data = json.loads(body)
        order = parse_order(data, config, tz=ZoneInfo(settings.persona.timezone), now=clock.now())
    except (UnicodeDecodeError, json.JSONDecodeError):
        return _refuse(400, "invalid", "body", "is not JSON")
    except OrderInvalid as exc:
        return _refuse(400, "invalid", exc.field, exc.message)
    for attempt in (1, 2):  # the same order posted twice at once: the loser re-reads the winner's row
        try:
            async with request.config_dict[SESSIONS].begin() as session:
                recorded = await record_order(request.config_dict[CONTEXTS](session), order, source="api")
                answer = _answer(recorded)
            break
        except OrderConflict as exc:
            return _refuse(409, "conflict", exc.field, exc.message)
        except IntegrityError:
            if attempt == 2:
                raise
    request.config_dict[DELIVERY].wakeup.set()  # a level-up message may be waiting
    for worker in request.config_dict[WORKERS]:
        worker.wakeup.set()
    return web.json_response(answer)


ROUTES = (HttpRoute("POST", PATH, post_order),)
