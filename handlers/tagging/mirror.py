"""Mirroring local tags to WeCom corp tags, and reading staff changes back.

Local tags are the source of truth. Handlers only write `tag_sync` steps in their transaction;
this worker, like the kf puller, owns the few read/setup calls that need an answer before the
next step can be written:

- add/remove: corp tags missing in WeCom are looked up by name (get_corp_tag_list) and created
  once (add_corp_tag), their ids stored on the local tag; then one mark_tag per customer goes
  into the outbox, so the delivery worker sends it with the usual retries.
- pull_contact (edit_external_contact: staff edited the customer's tags in the client): read
  externalcontact/get and apply the owner's corp tags locally. Skipped while our own mark_tag
  for that customer is still on its way, so we never undo our own change.
- pull_library (change_external_tag): re-read the tag library; tags staff renamed are renamed
  here, tags staff deleted are deleted here (WeCom removed them from every customer too).

API changes do not raise callbacks (customer-contact.md), so our own calls never echo back.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from functools import partial
from typing import Any, Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import WorkerConfig
from bot.errors import ApiError, TransportError
from bot.logs import clip
from bot.outbox import Outbox
from bot.wecom.client import WeComClient
from bot.workers import run_loop
from storage.models import Customer, OutboxItem, TagSync
from storage.repos import TagRepo, TagSyncRepo

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
GONE = {84061, 40096}  # not (or no longer) this member's external contact: nothing to mirror
BUSY_RETRY = timedelta(seconds=10)


class Busy(Exception):
    """A step must wait for earlier ones (our mark_tag still in the outbox)."""


class TagMirror:
    name = "tag-mirror"
    wants = frozenset({"tag_sync"})  # a commit wakes it only when it queued a step (bot/workers.py CommitWakes)

    def __init__(self, sessions: async_sessionmaker[AsyncSession], client: WeComClient, clock: Clock,
                 config: WorkerConfig, *, on_outbox: Callable[[], None] = lambda: None) -> None:
        self.sessions = sessions
        self.client = client
        self.clock = clock
        self.config = config
        self.on_outbox = on_outbox
        self.wakeup = asyncio.Event()
        self.in_flight = 0

    async def run_forever(self) -> None:
        await run_loop("tag mirror", self.run_once, self.wakeup, self.config.poll_interval_s)

    async def run_once(self) -> int:
        async with self.sessions.begin() as session:
            rows = await TagSyncRepo(session).claim_due(now=self.clock.now(), lease_s=self.config.lease_s, limit=100)
            claimed = [(r.id, r.op, r.attempts) for r in rows]
        if not claimed:
            return 0
        self.in_flight += len(claimed)
        try:
            library = [c for c in claimed if c[1] == "pull_library"]
            if library:
                await self._step(library, lambda: self._pull_library([c[0] for c in library]))
            marks = [c for c in claimed if c[1] in ("add", "remove")]
            if marks:
                await self._step(marks, lambda: self._mark([c[0] for c in marks]))
            for row in (c for c in claimed if c[1] == "pull_contact"):
                await self._step([row], partial(self._pull_contact, row[0]))
        finally:
            self.in_flight -= len(claimed)
        return len(claimed)

    async def _step(self, rows: list[tuple[int, str, int]], run: Callable[[], Awaitable[None]]) -> None:
        try:
            await run()
        except Busy:
            await self._reschedule(rows, error="waiting for our own mark_tag", count=False)
        except (ApiError, TransportError) as exc:
            log.warning("tag mirror step failed", extra={"op": rows[0][1], "api": exc.api, "errcode": exc.errcode,
                                                         "errmsg": clip(exc.errmsg)})
            await self._reschedule(rows, error=f"{exc.errcode}: {exc.errmsg}")

    async def _reschedule(self, rows: list[tuple[int, str, int]], *, error: str, count: bool = True) -> None:
        now = self.clock.now()
        async with self.sessions.begin() as session:
            for row in await TagSyncRepo(session).get_many([r[0] for r in rows]):
                if row.status != "pending":
                    continue
                row.error = error[:500]
                if not count:
                    row.attempts -= 1
                    row.due_at = now + BUSY_RETRY
                elif row.attempts >= MAX_ATTEMPTS:
                    row.status, row.done_at = "failed", now
                else:
                    row.due_at = now + timedelta(seconds=min(600.0, 2.0 ** row.attempts))

    def _finish(self, row: TagSync, status: str, error: str = "") -> None:
        row.status, row.done_at, row.error = status, self.clock.now(), error[:500]

    # --- local → WeCom ----------------------------------------------------------------------

    async def _ensure_corp_ids(self, tag_ids: set[int]) -> None:
        """Give every local tag a corp tag id: find it by name, else create it (once)."""
        async with self.sessions() as session:
            wanted = [(t.id, t.group_name, t.name) for t in await TagRepo(session).get_many(list(tag_ids))
                      if not t.corp_tag_id]
        if not wanted:
            return
        data = await self.client.call("externalcontact/get_corp_tag_list", {})
        groups: dict[str, str] = {}
        known: dict[tuple[str, str], tuple[str, str]] = {}
        for group in data.get("tag_group") or []:
            if group.get("deleted"):
                continue
            groups[group["group_name"]] = group["group_id"]
            for tag in group.get("tag") or []:
                if not tag.get("deleted"):
                    known[(group["group_name"], tag["name"])] = (tag["id"], group["group_id"])
        await self._save_ids({tid: known[(g, n)] for tid, g, n in wanted if (g, n) in known})
        missing: dict[str, list[tuple[int, str]]] = {}
        for tid, g, n in wanted:
            if (g, n) not in known:
                missing.setdefault(g, []).append((tid, n))
        for group_name, items in missing.items():
            # an existing group is named by id; a new one is created by name (customer-contact.md §6.2)
            body: dict[str, Any] = ({"group_id": groups[group_name]} if group_name in groups
                                    else {"group_name": group_name})
            body["tag"] = [{"name": name} for _, name in items]
            created = (await self.client.call("externalcontact/add_corp_tag", body)).get("tag_group") or {}
            ids = {t["name"]: t["id"] for t in created.get("tag") or []}
            group_id = str(created.get("group_id") or "")
            await self._save_ids({tid: (ids[n], group_id) for tid, n in items if n in ids})
            log.info("corp tags created", extra={"group": group_name, "count": len(items)})

    async def _save_ids(self, found: dict[int, tuple[str, str]]) -> None:
        if not found:
            return
        async with self.sessions.begin() as session:
            repo = TagRepo(session)
            for tag in await repo.get_many(list(found)):
                corp_id, group_id = found[tag.id]
                other = await repo.find_by_corp_id(corp_id)
                if tag.corp_tag_id is None and (other is None or other.id == tag.id):
                    tag.corp_tag_id, tag.corp_group_id = corp_id, group_id or tag.corp_group_id

    async def _mark(self, ids: list[int]) -> None:
        async with self.sessions() as session:
            adds = {r.tag_id for r in await TagSyncRepo(session).get_many(ids) if r.op == "add" and r.tag_id}
        await self._ensure_corp_ids(adds)
        queued = False
        async with self.sessions.begin() as session:
            rows = sorted(await TagSyncRepo(session).get_many(ids), key=lambda r: r.id)
            outbox = Outbox(session, self.clock)
            by_customer: dict[int, list[TagSync]] = {}
            for row in rows:
                if row.status == "pending" and row.customer_id is not None and row.tag_id is not None:
                    by_customer.setdefault(row.customer_id, []).append(row)
            for customer_id, steps in by_customer.items():
                queued |= await self._mark_customer(session, outbox, customer_id, steps)
        if queued:
            self.on_outbox()

    async def _mark_customer(self, session: AsyncSession, outbox: Outbox, customer_id: int,
                             steps: list[TagSync]) -> bool:
        customer = await session.get(Customer, customer_id)
        if customer is None or not customer.owner_userid or customer.status != "active":
            for row in steps:
                self._finish(row, "skipped", "not an active external contact")
            return False
        latest = {row.tag_id: row.op for row in steps}  # the last step per tag wins
        tags = {t.id: t for t in await TagRepo(session).get_many([t for t in latest if t is not None])}
        add = [tags[t].corp_tag_id for t, op in latest.items() if op == "add" and t in tags and tags[t].corp_tag_id]
        remove = [tags[t].corp_tag_id for t, op in latest.items()
                  if op == "remove" and t in tags and tags[t].corp_tag_id]
        waiting = {t for t, op in latest.items() if op == "add" and (t not in tags or not tags[t].corp_tag_id)}
        if add or remove:
            outbox.mark_tag(customer.owner_userid, customer, add=[a for a in add if a], remove=[r for r in remove if r])
        for row in steps:
            if row.tag_id in waiting:
                row.error = "corp tag not created yet"  # stays pending; retried with the next round
                row.due_at = self.clock.now() + timedelta(seconds=min(600.0, 2.0 ** row.attempts))
            else:
                self._finish(row, "done")
        return bool(add or remove)

    # --- WeCom → local ----------------------------------------------------------------------

    async def _our_marks_in_flight(self, session: AsyncSession, customer_id: int) -> bool:
        pending_steps = await session.scalar(select(TagSync.id).where(
            TagSync.customer_id == customer_id, TagSync.op.in_(["add", "remove"]), TagSync.status == "pending")
            .limit(1))
        pending_marks = await session.scalar(select(OutboxItem.id).where(
            OutboxItem.customer_id == customer_id, OutboxItem.api == "externalcontact/mark_tag",
            OutboxItem.status.in_(["pending", "sending"])).limit(1))
        return pending_steps is not None or pending_marks is not None

    async def _pull_contact(self, row_id: int) -> None:
        async with self.sessions() as session:
            row = await session.get(TagSync, row_id)
            customer = await session.get(Customer, row.customer_id) if row and row.customer_id else None
            if row is None or customer is None or not customer.owner_userid:
                return await self._close(row_id, "skipped", "no such contact")
            if await self._our_marks_in_flight(session, customer.id):
                raise Busy
            customer_id, external_userid, owner = customer.id, customer.external_userid, customer.owner_userid
        try:
            data = await self.client.call("externalcontact/get", {"external_userid": external_userid})
        except ApiError as exc:
            if exc.errcode in GONE:
                return await self._close(row_id, "skipped", f"{exc.errcode}: not a contact any more")
            raise
        follows = data.get("follow_user") or []
        follow = next((f for f in follows if f.get("userid") == owner), follows[0] if follows else {})
        remote = {t["tag_id"]: (t.get("group_name", ""), t.get("tag_name", "")) for t in follow.get("tags") or []
                  if t.get("type") == 1 and t.get("tag_id")}
        async with self.sessions.begin() as session:
            if await self._our_marks_in_flight(session, customer_id):
                raise Busy
            customer = await session.get(Customer, customer_id)
            assert customer is not None
            if not customer.name:
                customer.name = str((data.get("external_contact") or {}).get("name") or "")[:128]
            await self._apply_remote_tags(session, customer, remote)
            row = await session.get(TagSync, row_id)
            if row is not None:
                self._finish(row, "done")

    async def _apply_remote_tags(self, session: AsyncSession, customer: Customer,
                                 remote: dict[str, tuple[str, str]]) -> None:
        repo, now = TagRepo(session), self.clock.now()
        local = await repo.of_customer(customer.id)
        have = {t.corp_tag_id for t in local if t.corp_tag_id}
        for corp_id, (group_name, name) in remote.items():
            if corp_id in have or not group_name or not name:
                continue
            tag = await repo.find_by_corp_id(corp_id) or await repo.ensure(group_name, name, now=now)
            tag.corp_tag_id = tag.corp_tag_id or corp_id
            await repo.attach(customer.id, tag, source="wecom", now=now)
        for tag in local:
            if tag.corp_tag_id and tag.corp_tag_id not in remote:
                await repo.detach(customer.id, tag)  # staff took it off in the WeCom client
        customer.is_vip = any(t.group_name == "VIP" for t in await repo.of_customer(customer.id))

    async def _pull_library(self, ids: list[int]) -> None:
        data = await self.client.call("externalcontact/get_corp_tag_list", {})
        remote: dict[str, tuple[str, str, str]] = {}
        for group in data.get("tag_group") or []:
            if group.get("deleted"):
                continue
            for tag in group.get("tag") or []:
                if not tag.get("deleted"):
                    remote[tag["id"]] = (group["group_name"], group["group_id"], tag["name"])
        by_name = {(g, n): (tid, gid) for tid, (g, gid, n) in remote.items()}
        async with self.sessions.begin() as session:
            repo = TagRepo(session)
            for tag in await repo.all():
                if tag.corp_tag_id and tag.corp_tag_id not in remote:
                    await session.delete(tag)  # deleted by staff in WeCom, which untagged everyone too
                elif tag.corp_tag_id:
                    group_name, group_id, name = remote[tag.corp_tag_id]
                    tag.corp_group_id = group_id
                    if (group_name, name) != (tag.group_name, tag.name) and await repo.find(group_name, name) is None:
                        tag.group_name, tag.name = group_name, name  # renamed by staff
                elif (tag.group_name, tag.name) in by_name:
                    corp_id, group_id = by_name[(tag.group_name, tag.name)]
                    if await repo.find_by_corp_id(corp_id) is None:
                        tag.corp_tag_id, tag.corp_group_id = corp_id, group_id
            for row in await TagSyncRepo(session).get_many(ids):
                self._finish(row, "done")

    async def _close(self, row_id: int, status: str, error: str) -> None:
        async with self.sessions.begin() as session:
            row = await session.get(TagSync, row_id)
            if row is not None:
                self._finish(row, status, error)

