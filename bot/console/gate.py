"""Console sessions: one staff password from config, a signed session cookie, a CSRF token per session.

The cookie carries (who, expiry, nonce) signed with a key derived from the password, so every
replica accepts it and changing the password logs everyone out. It is HttpOnly and
SameSite=Strict; every POST must also carry the session's CSRF token (an HMAC of its nonce)
and, when the browser sends one, a same-origin Origin header. Failed logins are throttled per
address. The password is compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from aiohttp import web

from bot.clock import Clock

COOKIE = "wanzi_console"
MAX_FAILURES = 10  # per address within FAILURE_WINDOW_S, then 429 until the oldest failure ages out
FAILURE_WINDOW_S = 900.0


@dataclass(frozen=True, slots=True)
class Session:
    user: str
    expires: float
    nonce: str
    csrf: str


@dataclass
class Gate:
    """Checks passwords and session cookies for one console; lives on the console app."""

    password: str
    clock: Clock
    session_s: float
    secure_cookie: bool = False
    failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def __post_init__(self) -> None:
        self._key = hmac.new(b"wanzi-console-session", self.password.encode(), hashlib.sha256).digest()

    def password_ok(self, given: str) -> bool:
        want = hashlib.sha256(self.password.encode()).digest()
        return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), want)

    def throttled(self, address: str) -> bool:
        window = self.failures[address]
        now = time.monotonic()  # wall time on purpose: a FakeClock must not unlock a brute force
        while window and now - window[0] > FAILURE_WINDOW_S:
            window.popleft()
        return len(window) >= MAX_FAILURES

    def failed(self, address: str) -> None:
        self.failures[address].append(time.monotonic())

    def issue(self, user: str) -> tuple[str, Session]:
        nonce = secrets.token_urlsafe(16)
        expires = self.clock.time() + self.session_s
        body = _b64(json.dumps({"u": user, "e": expires, "n": nonce}, ensure_ascii=False).encode())
        return f"{body}.{self._sign(body)}", Session(user, expires, nonce, self._csrf(nonce))

    def read(self, cookie: str | None) -> Session | None:
        if not cookie or "." not in cookie:
            return None
        body, sig = cookie.rsplit(".", 1)
        if not hmac.compare_digest(sig, self._sign(body)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            user, expires, nonce = str(data["u"]), float(data["e"]), str(data["n"])
        except (ValueError, KeyError, TypeError):
            return None
        if expires <= self.clock.time():
            return None
        return Session(user, expires, nonce, self._csrf(nonce))

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())

    def _csrf(self, nonce: str) -> str:
        return hmac.new(self._key, f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]

    def set_cookie(self, response: web.StreamResponse, value: str) -> None:
        response.set_cookie(COOKIE, value, max_age=int(self.session_s), path="/console", httponly=True,
                            samesite="Strict", secure=self.secure_cookie)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
