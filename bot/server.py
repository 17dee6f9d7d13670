"""HTTP routes: the WeCom callback (GET verification, POST events), /healthz and /metrics.

The POST path does only what must happen before the ack: size check, outer XML, signature
(constant time), timestamp window, decrypt, inner XML, typed parse, and persisting the event
under its dedupe key (bot/intake.py: a group-committed INSERT, or an fsync'd journal record).
Everything else happens in the inbox worker.
"""

from __future__ import annotations

import logging
import time
from functools import cached_property
from typing import Awaitable, Callable

from aiohttp import web
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import appkeys as keys
from bot.clock import Clock
from bot.config import Config
from bot.errors import CallbackRejected, MalformedCallback, PayloadTooLarge
from bot.inbox import InboxWorker
from bot.intake import Arrival, Intake, IntakeBacklog, carries_code
from bot.logs import CallbackTally, LogBudget, clip
from bot.metrics import Metrics
from bot.wecom.crypto import CallbackCrypto
from bot.wecom.events import parse_callback
from bot.wecom.xml import read_fields
from storage.queues import dedupe_hash

log = logging.getLogger(__name__)

REJECTION_LOGS_PER_MINUTE = 30  # more bad callbacks than this in a minute are counted, not logged
# Fixed bodies: a rejection never echoes what the sender sent (nor how we read it).
REJECTED_BODY = {413: "payload too large"}


class CallbackEndpoint:
    """Reads its dependencies from the app at its first request (they are opened at start-up) and keeps
    them: looked up per callback they cost ~20 function calls of the ack (bench/README.md, nineteenth slice)."""

    def __init__(self, app: web.Application, tally: CallbackTally | None = None) -> None:
        self.app = app
        self.tally = tally  # None: a line per callback at INFO
        self.rejection_log = LogBudget(REJECTION_LOGS_PER_MINUTE, lambda: self.clock.time())

    @cached_property
    def config(self) -> Config:
        return self.app[keys.CONFIG]

    @cached_property
    def crypto(self) -> CallbackCrypto:
        return self.app[keys.CRYPTO]

    @cached_property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.app[keys.SESSIONS]

    @cached_property
    def clock(self) -> Clock:
        return self.app[keys.CLOCK]

    @cached_property
    def metrics(self) -> Metrics:
        return self.app[keys.METRICS]

    @cached_property
    def intake(self) -> Intake:
        return self.app[keys.INTAKE]

    @cached_property
    def inbox(self) -> InboxWorker:
        return self.app[keys.INBOX]

    def _check_query(self, request: web.Request, *, need_echo: bool) -> tuple[str, str, str]:
        q = request.query
        sig, ts, nonce = q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", "")
        if not sig or not ts or not nonce or (need_echo and not q.get("echostr")):
            raise CallbackRejected("missing msg_signature, timestamp, nonce" + (" or echostr" if need_echo else ""))
        if not (ts.isascii() and ts.isdigit()) or len(ts) > 12:
            raise CallbackRejected("timestamp is not a number")
        if abs(self.clock.time() - int(ts)) > self.config.server.timestamp_window_s:
            raise CallbackRejected("timestamp outside the accepted window")
        return sig, ts, nonce

    async def verify(self, request: web.Request) -> web.Response:
        """URL verification: answer the decrypted echostr, exactly, within WeCom's 1 s."""
        try:
            sig, ts, nonce = self._check_query(request, need_echo=True)
            echostr = request.query["echostr"]
            self.crypto.verify(sig, ts, nonce, echostr)
            plain = self.crypto.decrypt(echostr)
        except CallbackRejected as exc:
            return self._reject(request, "verify", exc)
        self.metrics.callbacks_of("verify", "accepted").inc()
        return web.Response(text=plain, content_type="text/plain")

    async def receive(self, request: web.Request) -> web.Response:
        with self.intake.priority:  # the inbox makes way while callbacks are being acked
            return await self._receive(request)

    async def _receive(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        kind = "unknown"
        try:
            sig, ts, nonce = self._check_query(request, need_echo=False)
            limit = self.config.server.max_body_bytes
            length = request.content_length
            if length is not None and length > limit:
                raise PayloadTooLarge(f"body of {length} bytes exceeds {limit}")
            try:
                body = await request.read()
            except web.HTTPRequestEntityTooLarge as exc:
                raise PayloadTooLarge(f"body exceeds {limit} bytes") from exc
            outer = read_fields(body)
            encrypt = outer.get("Encrypt")
            if not isinstance(encrypt, str) or not encrypt:
                raise MalformedCallback("no <Encrypt> element")
            self.crypto.verify(sig, ts, nonce, encrypt)
            fields = read_fields(self.crypto.decrypt(encrypt))
            event = parse_callback(fields)
            kind = event.kind
        except CallbackRejected as exc:
            return self._reject(request, kind, exc)
        except Exception as exc:  # a parser bug must still answer 4xx, loudly (with its traceback), never 500
            return self._reject(request, kind, MalformedCallback(f"unreadable: {type(exc).__name__}"), bug=exc)
        try:
            stored = await self.intake.store(Arrival(event.dedupe_key, "xml", kind, fields, carries_code(event)))
        except (OperationalError, DBAPIError, SQLAlchemyError, OSError, IntakeBacklog) as exc:
            # WeCom resends on non-200: nothing was stored, so the retry is safe.
            log.error("callback not stored: database (or intake journal) unavailable",
                      extra={"kind": kind, "error": type(exc).__name__})
            self.metrics.callbacks_of(kind, "db_unavailable").inc()
            return web.Response(status=503, text="temporarily unavailable")
        outcome = "accepted" if stored.new else "duplicate"
        self.metrics.callbacks_of(kind, outcome).inc()
        self.metrics.ack_latency.observe(time.perf_counter() - started)
        if stored.new and stored.event_id is not None:  # a journaled one is not in the table yet: its drain wakes it
            self.inbox.wake(code=bool(getattr(event, "welcome_code", "")))
        tally = self.tally
        if tally is not None:
            tally.count(kind, stored.new)
        level = logging.DEBUG if tally is not None else logging.INFO
        if log.isEnabledFor(level):
            if stored.new:
                log.log(level, "callback accepted", extra={"event_id": stored.event_id, "kind": kind})
            else:
                # the key itself may name a customer (PIPL: no identifiers in logs); its hash is what is stored
                log.log(level, "duplicate callback ignored",
                        extra={"kind": kind, "dedupe_hash": dedupe_hash(event.dedupe_key)})
        return web.Response(status=200, text="")

    def _reject(self, request: web.Request, kind: str, exc: CallbackRejected,
                bug: Exception | None = None) -> web.Response:
        self.metrics.callbacks_of(kind, "rejected").inc()
        if self.rejection_log.allow():
            log.warning("callback rejected", exc_info=bug,
                        extra={"kind": kind, "reason": clip(str(exc)), "status": exc.status,
                               "peer": request.remote or "", "not_logged": self.rejection_log.skipped()})
        else:
            self.metrics.rejections_unlogged.inc()
        return web.Response(status=exc.status, text=REJECTED_BODY.get(exc.status, "rejected"))


def callback_routes(app: web.Application) -> list[web.RouteDef]:
    every = app[keys.CONFIG].log.callback_summary_s
    tally = CallbackTally(every, log) if every > 0 else None
    if tally is not None:
        async def flush(_: web.Application) -> None:
            tally.flush()  # the last spell's line, at shutdown

        app.on_shutdown.append(flush)
    endpoint = CallbackEndpoint(app, tally)
    return [web.get("/wecom/callback", endpoint.verify), web.post("/wecom/callback", endpoint.receive)]


def ops_routes(health: Callable[[], Awaitable[bool]], metrics: Callable[[], Awaitable[bytes]]) -> list[web.RouteDef]:
    async def healthz(_: web.Request) -> web.Response:
        ok = await health()
        return web.json_response({"status": "ok" if ok else "database unreachable"}, status=200 if ok else 503)

    async def metrics_page(_: web.Request) -> web.Response:
        return web.Response(body=await metrics(), headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})

    return [web.get("/healthz", healthz), web.get("/metrics", metrics_page)]
