"""access_token issuing and checking: one token per secret, 7200 s, revocable (customer-contact.md §4)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from emulator.envelope import ApiReject
from emulator.ids import IdMaker

_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass(slots=True)
class AccessToken:
    value: str
    kind: str  # which secret issued it: "app", "contact", "kf", ...
    issued_at: float
    expires_at: float
    revoked: bool = False


class TokenStore:
    """Remembers every token ever issued so a stale one answers 42001/40014, not "unknown"."""

    def __init__(self, clock: Clock, ids: IdMaker, ttl: int) -> None:
        self._clock = clock
        self._ids = ids
        self._ttl = ttl
        self._by_value: dict[str, AccessToken] = {}
        self._current: dict[str, AccessToken] = {}

    def issue(self, kind: str) -> AccessToken:
        """The secret's current token while valid (same value on re-request), else a new one."""
        now = self._clock.time()
        current = self._current.get(kind)
        if current and not current.revoked and now < current.expires_at:
            return current
        token = AccessToken(self._ids.make("", 128, _TOKEN_ALPHABET), kind, now, now + self._ttl)
        self._by_value[token.value] = token
        self._current[kind] = token
        return token

    def check(self, value: str | None) -> AccessToken:
        """The token behind a request, or ApiReject 41001 missing / 40014 invalid / 42001 expired."""
        if not value:
            raise ApiReject(41001)
        token = self._by_value.get(value)
        if token is None or token.revoked:
            raise ApiReject(40014)
        if self._clock.time() >= token.expires_at:
            raise ApiReject(42001)
        return token

    def invalidate_all(self) -> None:
        """WeCom may drop tokens early; later use answers 40014 and gettoken issues new ones."""
        for token in self._by_value.values():
            token.revoked = True

    def remaining(self, token: AccessToken) -> int:
        return max(int(token.expires_at - self._clock.time()), 0)
