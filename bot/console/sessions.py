"""Console sessions, kept in the database: every replica sees the same sessions, logout and expiry
really end them, and a cookie is a random token whose SHA-256 is all the database holds.

A session ends at the first of: logout (revoked), `console.session_hours` after sign-in
(absolute), `console.idle_minutes` without a request (idle), or the staff member being removed
from [staff]. Failed sign-ins are counted per account and per address in the database, so every
replica refuses the eleventh try, and old rows are pruned as new ones arrive.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.roles import member_words
from storage.models import ConsoleSession, LoginFailure, LoginState, Staff

COOKIE = "wanzi_console"
SIDEBAR_COOKIE = "wanzi_sidebar"  # the chat sidebar's own session: the WeCom client's member (jssdk.py)
STATE_COOKIE = "wanzi_signin"
STATE_TTL = timedelta(minutes=10)  # a sign-in through WeCom must come back within this
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20  # several colleagues behind one office proxy
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who is using the console in this request."""

    session_id: int
    userid: str
    name: str
    role: str
    csrf: str
    flash: str = ""

    @property
    def label(self) -> str:
        return member_words(self.name, self.userid)


class SessionStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, *, absolute_s: float,
                 idle_s: float) -> None:
        self.sessions = sessions
        self.clock = clock
        self.absolute = timedelta(seconds=absolute_s)
        self.idle = timedelta(seconds=idle_s)

    async def open(self, staff: Staff, *, method: str, address: str, user_agent: str) -> str:
        """A new session for a signed-in member; returns the cookie value."""
        token, now = secrets.token_urlsafe(32), self.clock.now()
        async with self.sessions.begin() as session:
            session.add(ConsoleSession(token_hash=digest(token), staff_userid=staff.userid,
                                       csrf=secrets.token_hex(16), method=method, address=address[:64],
                                       user_agent=user_agent[:128], flash="", created_at=now, last_seen_at=now,
                                       expires_at=now + self.absolute, revoked_at=None))
        return token

    async def read(self, token: str | None, *, take_flash: bool = False) -> SignedIn | None:
        """The session behind a cookie, if it is still alive and its member still active."""
        if not token or len(token) > 128:
            return None
        now = self.clock.now()
        async with self.sessions.begin() as session:
            row = (await session.execute(
                select(ConsoleSession, Staff).join(Staff, Staff.userid == ConsoleSession.staff_userid)
                .where(ConsoleSession.token_hash == digest(token)))).first()
            if row is None:
                return None
            found, staff = row
            if (found.revoked_at is not None or found.expires_at <= now or now - found.last_seen_at > self.idle
                    or not staff.active):
                return None
            flash = found.flash if take_flash else ""
            if take_flash and flash:
                found.flash = ""
            if now - found.last_seen_at >= TOUCH_EVERY:
                found.last_seen_at = now
            return SignedIn(found.id, staff.userid, staff.name, staff.role, found.csrf, flash)

    async def revoke(self, session_id: int, *, userid: str | None = None) -> bool:
        """End one session (only the member's own when `userid` is given)."""
        async with self.sessions.begin() as session:
            stmt = update(ConsoleSession).where(ConsoleSession.id == session_id,
                                                ConsoleSession.revoked_at.is_(None))
            if userid is not None:
                stmt = stmt.where(ConsoleSession.staff_userid == userid)
            result = await session.execute(stmt.values(revoked_at=self.clock.now()))
            return bool(getattr(result, "rowcount", 0))

    async def revoke_all(self, userid: str) -> None:
        async with self.sessions.begin() as session:
            await session.execute(update(ConsoleSession).where(ConsoleSession.staff_userid == userid,
                                                               ConsoleSession.revoked_at.is_(None))
                                  .values(revoked_at=self.clock.now()))

    async def live(self, userid: str) -> list[ConsoleSession]:
        now = self.clock.now()
        async with self.sessions() as session:
            rows = await session.scalars(select(ConsoleSession).where(
                ConsoleSession.staff_userid == userid, ConsoleSession.revoked_at.is_(None),
                ConsoleSession.expires_at > now, ConsoleSession.last_seen_at > now - self.idle)
                .order_by(ConsoleSession.last_seen_at.desc()))
            return list(rows.all())

    async def flash(self, session_id: int, text: str) -> None:
        """A message for the member's next page (only the server writes it)."""
        async with self.sessions.begin() as session:
            await session.execute(update(ConsoleSession).where(ConsoleSession.id == session_id)
                                  .values(flash=text[:500]))

    # --- sign-in in progress (OAuth state bound to the browser) ----------------------------------

    async def begin_sign_in(self, next_path: str) -> str:
        state, now = secrets.token_hex(16), self.clock.now()  # [a-zA-Z0-9], ≤ 128 (staff-web.md §2)
        async with self.sessions.begin() as session:
            await session.execute(delete(LoginState).where(LoginState.created_at < now - STATE_TTL))
            session.add(LoginState(state_hash=digest(state), next_path=next_path[:256], created_at=now))
        return state

    async def finish_sign_in(self, state: str, cookie: str | None) -> str | None:
        """The `next` path of a sign-in this browser started, once; None for anything else."""
        if not state or not cookie or not hmac.compare_digest(state, cookie):
            return None
        async with self.sessions.begin() as session:
            row = await session.scalar(select(LoginState).where(LoginState.state_hash == digest(state)))
            if row is None:
                return None
            await session.delete(row)
            return row.next_path if row.created_at > self.clock.now() - STATE_TTL else None

    # --- failed sign-ins -------------------------------------------------------------------------

    async def throttled(self, account: str, address: str) -> bool:
        since = self.clock.now() - FAILURE_WINDOW
        async with self.sessions() as session:
            by_account = await session.scalar(select(func.count()).select_from(LoginFailure).where(
                LoginFailure.account == account[:64], LoginFailure.created_at > since))
            by_address = await session.scalar(select(func.count()).select_from(LoginFailure).where(
                LoginFailure.address == address[:64], LoginFailure.created_at > since))
        return (by_account or 0) >= MAX_FAILURES_PER_ACCOUNT or (by_address or 0) >= MAX_FAILURES_PER_ADDRESS

    async def failed(self, account: str, address: str) -> None:
        now = self.clock.now()
        async with self.sessions.begin() as session:
            await session.execute(delete(LoginFailure).where(LoginFailure.created_at < now - FAILURE_WINDOW))
            session.add(LoginFailure(account=account[:64], address=address[:64], created_at=now))
