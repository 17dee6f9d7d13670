"""Dedupe keys hold no customer id: stored as SHA-256 hashes, including the keys stored before
revision 0015, and a callback seen before either is still a duplicate."""

from __future__ import annotations

from sqlalchemy import select, text

from bot.clock import FakeClock
from storage import db
from storage.models import InboundEvent
from storage.queues import InboundRepo

KEY = "evt:change_external_contact:add_external_contact:li.na:wmOld000001:1700000000"


async def test_keys_stored_before_the_upgrade_are_hashed_and_still_catch_a_replay(empty_db_url: str) -> None:
    engine = db.create_engine(empty_db_url)
    now = FakeClock(1_700_000_000).now()
    try:
        await db.upgrade(engine, "0014")
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO inbound_event (dedupe_key, source, kind, payload, status, attempts, "
                                    "error, received_at, due_at) VALUES (:key, 'xml', 'friend_added', '{}', 'done', 1,"
                                    " '', :now, :now)"), {"key": KEY, "now": now.replace(tzinfo=None)})
        await db.upgrade(engine)
        sessions = db.session_factory(engine)
        async with sessions.begin() as s:
            replay = await InboundRepo(s).add_if_new(dedupe_key=KEY, source="xml", kind="friend_added", payload={},
                                                     now=now)
            fresh = await InboundRepo(s).add_if_new(dedupe_key=KEY + "1", source="xml", kind="friend_added",
                                                    payload={}, now=now)
        async with sessions() as s:
            keys = (await s.scalars(select(InboundEvent.dedupe_key))).all()
    finally:
        await engine.dispose()
    assert replay is None and fresh is not None
    assert len(keys) == 2 and all(len(k) == 64 and "wmOld000001" not in k for k in keys)
