"""The WeCom server-API client: token cache, retries, rate limit. Only the delivery worker and
the kf puller call it; handlers never do (they write to the outbox)."""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import aiohttp

from bot.clock import Clock, SystemClock
from bot.config import WeComConfig
from bot.errors import ApiError, ConfigError, RateLimited, TokenInvalid, TransportError, api_error
from bot.logs import clip
from bot.speedups import STDLIB, JsonCodec
from bot.wecom.jsapi import TICKET_KINDS
from bot.wecom.tokens import MemoryTokenStore, TokenStore, token_key

log = logging.getLogger(__name__)

TOKEN_MARGIN_S = 300.0  # refresh this long before WeCom's expires_in runs out
TOKEN_WAIT_ROUNDS = 100  # × TOKEN_WAIT_STEP_S: how long to wait for another replica's refresh
TOKEN_WAIT_STEP_S = 0.1
# A call is counted when it leaves; WeCom counts it when it arrives, up to a request later: each
# window of the limiter is this much longer than WeCom's (errors-and-limits.md §3).
WINDOW_MARGIN_S = 1.0


@dataclass(frozen=True, slots=True)
class Api:
    path: str
    method: str
    secret: str  # app | contact | kf | webhook


APIS: dict[str, Api] = {a.path: a for a in [
    Api("externalcontact/send_welcome_msg", "POST", "contact"),
    Api("externalcontact/mark_tag", "POST", "contact"),
    Api("externalcontact/add_corp_tag", "POST", "contact"),
    Api("externalcontact/get_corp_tag_list", "POST", "contact"),
    Api("externalcontact/get", "GET", "contact"),
    Api("externalcontact/add_contact_way", "POST", "contact"),
    Api("externalcontact/add_msg_template", "POST", "contact"),
    Api("externalcontact/get_groupmsg_send_result", "POST", "contact"),
    Api("externalcontact/groupchat/list", "POST", "contact"),
    Api("externalcontact/groupchat/get", "POST", "contact"),
    Api("externalcontact/group_welcome_template/add", "POST", "contact"),
    Api("externalcontact/group_welcome_template/edit", "POST", "contact"),
    Api("kf/sync_msg", "POST", "kf"),
    Api("kf/send_msg", "POST", "kf"),
    Api("kf/send_msg_on_event", "POST", "kf"),
    Api("kf/service_state/get", "POST", "kf"),
    Api("kf/service_state/trans", "POST", "kf"),
    Api("kf/servicer/list", "GET", "kf"),
    Api("kf/account/list", "POST", "kf"),
    Api("kf/customer/batchget", "POST", "kf"),
    Api("message/send", "POST", "app"),
    Api("auth/getuserinfo", "GET", "app"),  # staff sign-in: code → userid (staff-web.md §3)
    Api("ticket/get", "GET", "app"),  # the agent jsapi ticket for the chat-toolbar sidebar (§5)
    Api("get_jsapi_ticket", "GET", "app"),
    Api("webhook/send", "POST", "webhook"),
]}


class RateLimiter:
    """Sliding windows per API that admit a call whenever WeCom's caps per corp per API still allow
    it (errors-and-limits.md §3: 10,000 a minute and 150,000 an hour; a minute block lasts 60 s and
    an hour block 60 min, so a cap must never be touched, not merely be respected on average).

    Each API counts its calls in slots: seconds for the minute cap, minutes for the hour cap. A call
    goes out when the slots of the last WINDOW_MARGIN_S + 60 s (or + 3,600 s), the current slot
    included, hold fewer calls than the cap; that rounds every window up to whole slots, so no real
    window of 61 s holds more than the cap, the second beyond WeCom's minute covering a request's
    way there. So the whole minute cap may go at once (a live stream's 3,000 welcomes, a benchmark's
    5,000 kf answers), and the next call waits exactly until the oldest slot leaves the window. At
    most 62 slots per API and cap: the memory is bounded, however many calls.

    The caps are per corp, and every replica has its own limiter: `share(n)` gives this one an
    n-th of each cap while n replicas are alive (bot/instance.py counts them at each heartbeat), so
    replicas together stay inside the caps; the 45009 handling remains for the seconds after a
    replica joins, before the others' next heartbeat, and for another app of the corp calling the
    same API (WeCom counts its calls too; `wecom.rate_per_minute` below the cap leaves it room)."""

    def __init__(self, per_minute: int, per_hour: int | None = None) -> None:
        self.per_minute, self.per_hour = per_minute, per_hour
        self.replicas = 1
        # per (API, window): [slot, calls] of the slots still inside the window, oldest first
        self._slots: dict[tuple[str, int], deque[list[int]]] = {}
        self._totals: dict[tuple[str, int], int] = {}
        self._size()

    def _size(self) -> None:
        """(cap, slot length, slots kept) per window, each cap this replica's share rounded down."""
        caps = [(self.per_minute, 1.0, 60.0)]
        if self.per_hour:
            caps.append((self.per_hour, 60.0, 3600.0))
        self.windows = [(max(1, cap // self.replicas), slot, math.ceil((span + WINDOW_MARGIN_S) / slot) + 1)
                        for cap, slot, span in caps]

    def share(self, replicas: int) -> None:
        """Take an n-th of every cap (n live replicas); calls already counted stay counted."""
        replicas = max(1, replicas)
        if replicas != self.replicas:
            self.replicas = replicas
            self._size()

    def most_in(self, seconds: float) -> int:
        """The most calls of one API this limiter lets through in any window of `seconds`."""
        return min(cap * max(1, math.ceil(seconds / ((kept - 1) * slot)))
                   for cap, slot, kept in self.windows)

    def wait_s(self, key: str) -> float:
        """0 when a call of `key` may go now, else how long until the oldest slot that holds it
        back leaves its window (more may have to leave: ask again then)."""
        return self._wait(key, time.monotonic())

    def _wait(self, key: str, now: float) -> float:
        wait = 0.0
        for n, (cap, slot, kept) in enumerate(self.windows):
            if self._totals.get((key, n), 0) < cap:
                continue  # room even if no slot has left yet
            current = math.floor(now / slot)
            if self._leave((key, n), current - kept) >= cap:
                wait = max(wait, (self._slots[(key, n)][0][0] + kept) * slot - now)
        return wait

    def _leave(self, window: tuple[str, int], last_out: int) -> int:
        """Drop the slots up to `last_out` from a window; the calls left in it."""
        slots, total = self._slots[window], self._totals[window]
        while slots and slots[0][0] <= last_out:
            total -= slots.popleft()[1]
        self._totals[window] = total
        return total

    def take(self, key: str) -> bool:
        """Count a call of `key` now if every window has room for it; False (nothing counted) if not."""
        now = time.monotonic()
        if self._wait(key, now) > 0:
            return False
        for n, (_, slot, kept) in enumerate(self.windows):
            current = math.floor(now / slot)
            slots = self._slots.get((key, n))
            if slots is None:
                slots = self._slots[(key, n)] = deque()
                self._totals[(key, n)] = 0
            if slots and slots[-1][0] == current:
                slots[-1][1] += 1
            else:  # a new slot: those that left the window go first, so at most `kept` are held
                self._leave((key, n), current - kept)
                slots.append([current, 1])
            self._totals[(key, n)] += 1
        return True

    async def ready(self, key: str) -> None:
        """Wait until a call of `key` may go (without counting it: `take` does, when it goes)."""
        while (wait := self.wait_s(key)) > 0:
            await asyncio.sleep(wait)

    async def acquire(self, key: str) -> None:
        # No lock: between `ready` returning and `take` nothing awaits, and the client runs on one
        # event loop, so no other caller can come in between.
        while not self.take(key):
            await self.ready(key)


class WeComClient:
    def __init__(self, config: WeComConfig, session: aiohttp.ClientSession, *, clock: Clock | None = None,
                 on_error: Callable[[str, int], None] | None = None, tokens: TokenStore | None = None,
                 codec: JsonCodec = STDLIB) -> None:
        self.config = config
        self.json = codec  # request bodies and answers; orjson with the speed extra (bot/speedups.py)
        self.session = session
        self.clock = clock or SystemClock()
        self.on_error = on_error or (lambda api, code: None)
        self.limiter = RateLimiter(config.rate_per_minute, config.rate_per_hour)
        self.tokens: TokenStore = tokens or MemoryTokenStore(self.clock)
        self._slots = asyncio.Semaphore(config.max_concurrency)
        self._cache: dict[str, tuple[str, float]] = {}
        self._token_locks: dict[str, asyncio.Lock] = {}
        self.token_fetches = 0
        self.ticket_fetches = 0

    def _secret(self, kind: str) -> str:
        """The corpsecret for an API family. An unset one is sent empty: WeCom then answers 41004
        (secret missing), which is logged with the API that needed it; `wanzi config check` warns."""
        c = self.config
        return {"app": c.app_secret, "contact": c.contact_secret or c.app_secret,
                "kf": c.kf_secret or c.app_secret}.get(kind, "")

    async def token(self, kind: str, *, stale: str | None = None) -> str:
        """A valid access_token for a secret. One refresh at a time per secret: in this process
        (a lock) and across replicas (the token store's refresh lease); the others wait for it."""
        secret = self._secret(kind)
        return await self._shared(token_key(self.config.corp_id, secret), stale, lambda: self._fetch_token(secret))

    async def jsapi_ticket(self, kind: str = "agent") -> str:
        """A valid JS-SDK ticket (staff-web.md §5): "agent" (ticket/get?type=agent_config, for
        wx.agentConfig; per corp and app) or "corp" (get_jsapi_ticket, for wx.config). Both are
        fetched with the self-built app's access_token and cached like it: until `expires_in` (less
        a margin), one fetch at a time, in the shared token store (WeCom caps fetches per hour)."""
        if kind not in TICKET_KINDS:
            raise ValueError(f"unknown ticket kind {kind!r}")
        c = self.config
        name = f"jsapi_ticket:agent:{c.agent_id}" if kind == "agent" else "jsapi_ticket:corp"
        api, payload = ("ticket/get", {"type": "agent_config"}) if kind == "agent" else ("get_jsapi_ticket", {})
        return await self._shared(token_key(c.corp_id, name), None, lambda: self._fetch_ticket(api, payload))

    async def _shared(self, key: str, stale: str | None, fetch: Callable[[], Awaitable[tuple[str, float]]]) -> str:
        entry = self._valid(self._cache.get(key), stale)
        if entry:
            return entry[0]
        lock = self._token_locks.setdefault(key, asyncio.Lock())
        async with lock:
            for _ in range(TOKEN_WAIT_ROUNDS):
                entry = self._valid(self._cache.get(key), stale) or self._valid(await self.tokens.get(key), stale)
                if entry:
                    self._cache[key] = entry
                    return entry[0]
                if await self.tokens.lease_refresh(key):
                    return await self._refresh(key, fetch)
                await asyncio.sleep(TOKEN_WAIT_STEP_S)  # another replica is refreshing right now
            return await self._refresh(key, fetch)  # its lease holder seems stuck: refresh anyway

    def _valid(self, entry: tuple[str, float] | None, stale: str | None) -> tuple[str, float] | None:
        if entry and entry[0] and entry[0] != stale and self.clock.time() < entry[1]:
            return entry
        return None

    async def _refresh(self, key: str, fetch: Callable[[], Awaitable[tuple[str, float]]]) -> str:
        try:
            value, ttl = await fetch()
        except BaseException:
            await self.tokens.release(key)
            raise
        expires = self.clock.time() + max(ttl - TOKEN_MARGIN_S, ttl / 2)
        await self.tokens.put(key, value, expires)
        self._cache[key] = (value, expires)
        return value

    async def _fetch_token(self, secret: str) -> tuple[str, float]:
        data = await self._request("gettoken", "GET", {"corpid": self.config.corp_id, "corpsecret": secret}, None)
        self.token_fetches += 1
        return str(data["access_token"]), float(data.get("expires_in") or 7200)

    async def _fetch_ticket(self, api: str, payload: dict[str, Any]) -> tuple[str, float]:
        data = await self.call(api, payload)
        self.ticket_fetches += 1
        return str(data["ticket"]), float(data.get("expires_in") or 7200)

    async def drop_token(self, kind: str, token: str) -> bool:
        """WeCom rejected `token`: forget it here and in the shared store (if still current). True
        for the first caller in this process to drop it (calls in flight meet the same rejection)."""
        key = token_key(self.config.corp_id, self._secret(kind))
        first = self._cache.get(key, ("",))[0] == token
        if first:
            del self._cache[key]
        await self.tokens.drop(key, token)
        return first

    async def call(self, api: str, payload: dict[str, Any] | None = None, *, deadline: float | None = None,
                   timeout_s: float | None = None, retries: int | None = None) -> dict[str, Any]:
        """Call a WeCom API; retries transient errors with backoff+jitter, never past `deadline`.

        `timeout_s` bounds each request (default wecom.request_timeout_s) and `retries` the in-call
        retries (default wecom.max_retries): a deadline-bound caller makes one short try and plans
        its next one itself."""
        spec = APIS.get(api)
        if spec is None:
            raise ValueError(f"unknown WeCom API {api!r}")
        max_retries = self.config.max_retries if retries is None else retries
        attempt, refreshed = 0, False
        stale: str | None = None
        while True:
            try:
                return await self._call_once(spec, payload or {}, stale, timeout_s)
            except TokenInvalid as exc:
                # 40014/42001: WeCom dropped the token early (or a restarted WeCom never issued the
                # one kept in the database): a new one and one more try. One log line per token, not
                # one per call in flight; a new token refused too is an error like any other.
                if refreshed:
                    self._report(exc)
                    raise
                refreshed, stale = True, exc.token_used
                if await self.drop_token(spec.secret, stale):
                    log.warning("wecom access_token rejected, fetching a new one",
                                extra={"api": exc.api, "errcode": exc.errcode, "errmsg": clip(exc.errmsg)})
                self.on_error(exc.api, exc.errcode)
                continue
            except (ApiError, TransportError) as exc:
                self._report(exc)
                if not exc.retryable or attempt >= max_retries:
                    raise
                delay = self.config.retry_base_s * (2 ** attempt) * (1 + random.random())
                if isinstance(exc, RateLimited) and exc.errcode == 45033:
                    delay = max(delay, self.config.retry_base_s)
                if deadline is not None and self.clock.time() + delay >= deadline:
                    raise
                attempt += 1
                await asyncio.sleep(delay)

    def _report(self, exc: ApiError | TransportError) -> None:
        log.warning("wecom api error", extra={"api": exc.api, "errcode": exc.errcode, "errmsg": clip(exc.errmsg)})
        self.on_error(exc.api, exc.errcode)

    async def _call_once(self, spec: Api, payload: dict[str, Any], stale: str | None,
                         timeout_s: float | None = None) -> dict[str, Any]:
        if self.limiter.wait_s(spec.path) > 0:
            await self.limiter.ready(spec.path)
        if spec.secret == "webhook":
            key = self.config.webhook_key  # read at send time: the key is never stored with the row
            if not key:
                raise ConfigError("wecom.webhook_key", "is required to post to the group robot")
            return await self._request(spec.path, "POST", {"key": key}, payload, timeout_s, limited=True)
        token = await self.token(spec.secret, stale=stale)
        query: dict[str, str] = {"access_token": token}
        if spec.method == "GET":
            query.update({k: str(v) for k, v in payload.items()})
            body = None
        else:
            body = payload
        try:
            return await self._request(spec.path, spec.method, query, body, timeout_s, limited=True)
        except TokenInvalid as exc:
            exc.token_used = token
            raise

    async def _request(self, path: str, method: str, query: dict[str, str],
                       body: dict[str, Any] | None, timeout_s: float | None = None, *,
                       limited: bool = False) -> dict[str, Any]:
        """One HTTP request. A `limited` one is counted by the limiter as it leaves, once it holds a
        concurrency slot: WeCom counts a call when it arrives, so a call counted before waiting
        its turn here (a whole minute cap at once queues for seconds) could land in a later window
        than the one it was counted in. Another call may have taken the room meanwhile: then the
        slot is given back and the call waits for the window again."""
        url = f"{self.config.api_base.rstrip('/')}/cgi-bin/{path}"
        total = self.config.request_timeout_s if timeout_s is None else min(timeout_s, self.config.request_timeout_s)
        timeout = aiohttp.ClientTimeout(total=total)
        data = None if body is None else self.json.dumps(body)
        headers = {"Content-Type": "application/json"} if data is not None else None
        while True:
            async with self._slots:
                if not limited or self.limiter.take(path):
                    try:
                        async with self.session.request(method, url, params=query, data=data, headers=headers,
                                                        timeout=timeout) as resp:
                            raw = await resp.read()
                            status = resp.status
                    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                        raise TransportError(path, f"{type(exc).__name__}: {exc}") from exc
                    break
            await self.limiter.ready(path)
        if status >= 500 or status == 429:
            raise TransportError(path, f"HTTP {status}")
        try:
            result = self.json.loads(raw)
        except ValueError as exc:
            raise TransportError(path, f"HTTP {status}, body is not JSON") from exc
        if not isinstance(result, dict):
            raise TransportError(path, "response is not a JSON object")
        code = int(result.get("errcode") or 0)
        if code != 0:
            raise api_error(path, code, str(result.get("errmsg", "")))
        return result
