"""WeChat Customer Service pulls: on kf_msg_or_event, kf/sync_msg with the event token from the
persisted cursor until has_more is 0. Each page's entries are stored as inbound events
(deduplicated by msgid) in the same transaction that advances the cursor, so a crash between
pages re-reads at most one page and never dispatches a message twice. The last page's
transaction also lets the pull's lease go and marks the notices the pull answered done: a pull of
one page is two transactions (lease, page), not five, on SQLite's one connection.

A stored cursor WeCom refuses (expired or unknown: the emulator answers 50100; WeCom's notes,
kf.md §8, name no code for it) would otherwise fail every pull forever. So a pull whose stored
cursor is refused with a lasting error (not a transient, rate or token one) is tried once afresh
from an empty cursor, i.e. WeCom's last 3 days: the msgid dedupe drops what was already handled,
and the stored cursor is replaced only once a fresh page came back."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import WorkerConfig
from bot.errors import ApiError, MalformedCallback, RateLimited, TokenInvalid
from bot.instance import Instance
from bot.intake import CODE_TTL, carries_code
from bot.logs import clip
from bot.wecom.client import WeComClient
from bot.wecom.events import parse_kf_entry
from storage.models import KfCursor
from storage.queues import InboundRepo, KfCursorRepo, NewInbound

log = logging.getLogger(__name__)

INVALID_TOKEN = 95007
PAGE_LIMIT = 1000
MAX_PAGES = 50  # one pull stops after this many pages; the next notification continues


def _may_be_the_cursor(exc: ApiError) -> bool:
    """A refusal a fresh cursor may cure: not busy, rate-limited or an access/sync token problem
    (those pass with the same cursor later)."""
    return not (exc.retryable or isinstance(exc, (TokenInvalid, RateLimited)) or exc.errcode == INVALID_TOKEN)


class KfPuller:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], client: WeComClient, clock: Clock,
                 config: WorkerConfig, instance: Instance | None = None) -> None:
        self.sessions = sessions
        self.client = client
        self.clock = clock
        self.config = config
        self.instance = instance  # the lease holder; None: leases name no holder
        self._codes = 0  # new entries carrying a 20-second code stored since `take_codes`

    def take_codes(self) -> bool:
        """Whether pulls stored entries carrying a welcome code since the last call."""
        codes, self._codes = self._codes, 0
        return codes > 0

    @property
    def _owner(self) -> str | None:
        return self.instance.id if self.instance is not None else None

    async def pull(self, open_kfid: str, token: str, notices: Sequence[int] = ()) -> int | None:
        """New entries stored, or None when another pull of this account holds the lease. The
        `notices` (inbound event ids) are marked done with the last page, in its transaction."""
        async with self.sessions.begin() as session:
            row = await KfCursorRepo(session).lease(
                open_kfid, now=self.clock.now(), lease_s=self.config.lease_s,
                owner=self._owner, dead_after_s=self.config.dead_after_s)
            if row is None:
                return None
            cursor = row.cursor
        if self.instance is not None:
            self.instance.kf.add(open_kfid)  # its heartbeat renews the pull lease while we pull
        stored, released = 0, False
        try:
            for page in range(MAX_PAGES):
                try:
                    data = await self._sync(open_kfid, cursor, token)
                except ApiError as exc:
                    if not cursor or not _may_be_the_cursor(exc):
                        raise
                    log.warning("kf sync_msg refused the stored cursor; pulling afresh (last 3 days, deduplicated)",
                                extra={"open_kfid": open_kfid, "errcode": exc.errcode})
                    cursor = ""
                    data = await self._sync(open_kfid, cursor, token)
                cursor = str(data.get("next_cursor") or cursor)
                last = not int(data.get("has_more") or 0) or page == MAX_PAGES - 1
                stored += await self._store_page(open_kfid, cursor, data.get("msg_list") or [],
                                                 finish=notices if last else None)
                released = last
                if last:
                    break
        finally:
            if self.instance is not None:
                self.instance.kf.discard(open_kfid)
            if not released:  # a failed pull lets its lease go on its own
                async with self.sessions.begin() as session:
                    cur = await session.get(KfCursor, open_kfid)
                    if cur is not None and cur.lease_owner == self._owner:  # not a lease another process took since
                        cur.lease_until = cur.lease_owner = None
        return stored

    async def _sync(self, open_kfid: str, cursor: str, token: str) -> dict:
        body = {"cursor": cursor, "token": token, "limit": PAGE_LIMIT, "voice_format": 0, "open_kfid": open_kfid}
        if not token:
            body.pop("token")
        try:
            return await self.client.call("kf/sync_msg", body)
        except ApiError as exc:
            if exc.errcode != INVALID_TOKEN or not token:
                raise
            # The 10-minute token ran out (e.g. processed after a restart): pull without it.
            log.info("kf sync token expired, pulling without it", extra={"open_kfid": open_kfid})
            body.pop("token")
            return await self.client.call("kf/sync_msg", body)

    async def _store_page(self, open_kfid: str, cursor: str, entries: list,
                          finish: Sequence[int] | None = None) -> int:
        """The page's new entries, in one multi-row insert, and the cursor, in one transaction;
        with `finish` (the last page) the lease is let go and those notices are marked done."""
        now = self.clock.now()
        page: list[NewInbound] = []
        for raw in entries:
            try:
                entry = parse_kf_entry(raw)
            except (MalformedCallback, TypeError, ValueError) as exc:
                log.warning("kf entry skipped", extra={"open_kfid": open_kfid, "reason": clip(str(exc))})
                continue
            page.append(NewInbound(entry.dedupe_key, "kf", entry.kind, raw,
                                   now + CODE_TTL if carries_code(entry) else None))
        async with self.sessions.begin() as session:
            new_ids = await InboundRepo(session).add_many(page, now=now)
            stored = sum(new is not None for new in new_ids)
            cur = await session.get(KfCursor, open_kfid)
            if cur is not None:
                cur.cursor = cursor
                cur.updated_at = now
                if cur.lease_owner == self._owner:  # not a lease another process took since
                    if finish is None:
                        cur.lease_until = now + timedelta(seconds=self.config.lease_s)
                    else:
                        cur.lease_until = cur.lease_owner = None
            if finish:  # one Core statement: in a flood a pull answers up to 200 notices, which the ORM
                # loaded and flushed row by row while SQLite's one connection waited (bench/README.md, perf19)
                await InboundRepo(session).finish([(event_id, now) for event_id in finish])
        self._codes += sum(new is not None and entry.deadline is not None
                           for new, entry in zip(new_ids, page, strict=True))
        return stored
