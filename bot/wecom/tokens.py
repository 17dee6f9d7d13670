"""Where access_tokens live: in memory for one process, in the database for several replicas.

WeCom hands out one token per secret (7200 s). With several bot processes, each refreshing on
its own wastes gettoken calls and, on an early invalidation, lets processes chase each other;
the database store lets exactly one process refresh (a short lease) while the others wait
for its result.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import lru_cache
from typing import Protocol

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, utc
from storage.models import AccessToken
from storage.queues import _insert, rowcount

REFRESH_LEASE_S = 10.0


@lru_cache(maxsize=64)  # a handful of (corp, secret) pairs, asked for on every API call
def token_key(corp_id: str, secret: str) -> str:
    return hashlib.sha256(f"{corp_id}:{secret}".encode()).hexdigest()


class TokenStore(Protocol):
    async def get(self, key: str) -> tuple[str, float] | None:
        """(token, expires_at unix seconds) if one is stored."""

    async def lease_refresh(self, key: str) -> bool:
        """True if this caller may refresh now (no other refresh under way)."""

    async def put(self, key: str, token: str, expires_at: float) -> None:
        """Store a fresh token and end the refresh lease."""

    async def release(self, key: str) -> None:
        """End the refresh lease without a token (the refresh failed)."""

    async def drop(self, key: str, token: str) -> None:
        """Forget `token` if it is still the stored one (WeCom rejected it)."""


class MemoryTokenStore:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}
        self._leases: dict[str, float] = {}

    async def get(self, key: str) -> tuple[str, float] | None:
        return self._tokens.get(key)

    async def lease_refresh(self, key: str) -> bool:
        now = self.clock.time()
        if self._leases.get(key, 0.0) > now:
            return False
        self._leases[key] = now + REFRESH_LEASE_S
        return True

    async def put(self, key: str, token: str, expires_at: float) -> None:
        self._tokens[key] = (token, expires_at)
        self._leases.pop(key, None)

    async def release(self, key: str) -> None:
        self._leases.pop(key, None)

    async def drop(self, key: str, token: str) -> None:
        if self._tokens.get(key, ("",))[0] == token:
            del self._tokens[key]


class DbTokenStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    async def get(self, key: str) -> tuple[str, float] | None:
        async with self.sessions() as session:
            row = await session.get(AccessToken, key)
            if row is None or not row.token or row.expires_at is None:
                return None
            return row.token, row.expires_at.timestamp()

    async def lease_refresh(self, key: str) -> bool:
        now = self.clock.now()
        async with self.sessions.begin() as session:
            await session.execute(_insert(session)(AccessToken).values(key=key, token="", updated_at=now)
                                  .on_conflict_do_nothing(index_elements=["key"]))
            # Only when no valid token is stored: a caller that read "empty" just before another
            # replica stored its fresh token must read again, not refresh a second time.
            result = await session.execute(
                update(AccessToken).where(AccessToken.key == key,
                                          or_(AccessToken.refresh_lease_until.is_(None),
                                              AccessToken.refresh_lease_until <= now),
                                          or_(AccessToken.token == "", AccessToken.expires_at.is_(None),
                                              AccessToken.expires_at <= now))
                .values(refresh_lease_until=now + timedelta(seconds=REFRESH_LEASE_S)))
            return bool(rowcount(result))

    async def put(self, key: str, token: str, expires_at: float) -> None:
        await self._set(key, token=token, expires_at=utc(expires_at))

    async def release(self, key: str) -> None:
        await self._set(key)

    async def _set(self, key: str, **values: object) -> None:
        async with self.sessions.begin() as session:
            await session.execute(update(AccessToken).where(AccessToken.key == key)
                                  .values(refresh_lease_until=None, updated_at=self.clock.now(), **values))

    async def drop(self, key: str, token: str) -> None:
        async with self.sessions.begin() as session:
            await session.execute(update(AccessToken).where(AccessToken.key == key, AccessToken.token == token)
                                  .values(token="", expires_at=None, updated_at=self.clock.now()))


