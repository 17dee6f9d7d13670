"""Storage: migrations build exactly the models' schema; queue claims never hand a row out twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.clock import FakeClock
from storage import db
from storage.models import Base, OutboxItem
from storage.queues import InboundRepo, KfCursorRepo, OutboxRepo


async def migrated(url: str):
    """An engine on `url` after running every migration on it (the other tests get a copy of a
    database migrated this way once per session: tests/databases.py)."""
    engine = db.create_engine(url)
    await db.upgrade(engine)
    return engine


async def test_migrations_match_the_models(empty_db_url: str) -> None:
    engine = await migrated(empty_db_url)
    try:
        def diff(conn):
            return compare_metadata(MigrationContext.configure(conn), Base.metadata)

        async with engine.connect() as conn:
            changes = await conn.run_sync(diff)
        assert changes == [], f"models and migrations disagree: {changes}"
        assert await db.current_revision(engine) is not None
    finally:
        await engine.dispose()


async def test_every_tests_database_is_at_head_with_the_models_schema(db_url: str) -> None:
    """The copy other tests start from (tests/databases.py) is what the migrations build."""
    engine = db.create_engine(db_url)
    try:
        def diff(conn):
            return compare_metadata(MigrationContext.configure(conn), Base.metadata)

        async with engine.connect() as conn:
            changes = await conn.run_sync(diff)
        assert changes == [], f"the test template and the models disagree: {changes}"
        assert await db.current_revision(engine) == db.head_revision()
    finally:
        await engine.dispose()


async def test_inbound_dedupe_key_admits_an_event_once(db_url: str) -> None:
    engine = db.create_engine(db_url)
    sessions, now = db.session_factory(engine), FakeClock(1_700_000_000).now()
    try:
        ids = []
        for _ in range(3):
            async with sessions.begin() as s:
                ids.append(await InboundRepo(s).add_if_new(dedupe_key="msg:1", source="xml", kind="app_message",
                                                           payload={"MsgId": "1"}, now=now))
        assert ids[0] is not None and ids[1:] == [None, None]
    finally:
        await engine.dispose()


async def test_concurrent_outbox_claims_never_share_a_row(db_url: str) -> None:
    engine = db.create_engine(db_url)
    sessions, clock = db.session_factory(engine), FakeClock(1_700_000_000)
    try:
        async with sessions.begin() as s:
            for i in range(40):
                s.add(OutboxItem(api="message/send", payload={"n": i}, kind="notice", status="pending", attempts=0,
                                 due_at=clock.now(), last_error="", created_at=clock.now()))

        async def claimer() -> list[int]:
            got: list[int] = []
            while True:
                async with sessions.begin() as s:
                    rows = await OutboxRepo(s).claim_due(now=clock.now(), lease_s=60, limit=3)
                    if not rows:
                        return got
                    got += [r.id for r in rows]

        results = await asyncio.gather(*(claimer() for _ in range(4)))
        claimed = [i for r in results for i in r]
        assert len(claimed) == 40 and len(set(claimed)) == 40
    finally:
        await engine.dispose()


async def test_a_claimed_row_comes_back_after_its_lease_runs_out(db_url: str) -> None:
    engine = db.create_engine(db_url)
    sessions, clock = db.session_factory(engine), FakeClock(1_700_000_000)
    try:
        async with sessions.begin() as s:
            s.add(OutboxItem(api="message/send", payload={}, kind="notice", status="pending", attempts=0,
                             due_at=clock.now(), last_error="", created_at=clock.now()))
        async with sessions.begin() as s:
            assert len(await OutboxRepo(s).claim_due(now=clock.now(), lease_s=60, limit=10)) == 1
        async with sessions.begin() as s:  # the sender "died": nothing to claim while the lease holds
            assert await OutboxRepo(s).claim_due(now=clock.now() + timedelta(seconds=30), lease_s=60, limit=10) == []
        async with sessions.begin() as s:
            again = await OutboxRepo(s).claim_due(now=clock.now() + timedelta(seconds=61), lease_s=60, limit=10)
            assert [r.attempts for r in again] == [2]
    finally:
        await engine.dispose()


async def test_only_one_kf_pull_holds_the_lease(db_url: str) -> None:
    engine = db.create_engine(db_url)
    sessions, clock = db.session_factory(engine), FakeClock(1_700_000_000)
    try:
        async with sessions.begin() as s:
            assert await KfCursorRepo(s).lease("wk1", now=clock.now(), lease_s=60) is not None
        async with sessions.begin() as s:
            assert await KfCursorRepo(s).lease("wk1", now=clock.now(), lease_s=60) is None
            assert await KfCursorRepo(s).lease("wk2", now=clock.now(), lease_s=60) is not None
    finally:
        await engine.dispose()


async def test_a_backlog_of_welcomes_leaves_room_for_replies_in_every_delivery_claim(db_url: str) -> None:
    engine = db.create_engine(db_url)
    sessions, clock = db.session_factory(engine), FakeClock(1_700_000_000)
    now = clock.now()
    try:
        async with sessions.begin() as s:
            for i in range(30):
                s.add(OutboxItem(api="externalcontact/send_welcome_msg", payload={"n": i}, kind="welcome",
                                 status="pending", attempts=0, due_at=now, deadline=now + timedelta(seconds=15),
                                 last_error="", created_at=now))
            s.add(OutboxItem(api="kf/send_msg", payload={}, kind="answer", status="pending", attempts=0, due_at=now,
                             last_error="", created_at=now))
        async with sessions.begin() as s:
            first = [r.api for r in await OutboxRepo(s).claim_due(now=now, lease_s=60, limit=20)]
        assert first[:19] == ["externalcontact/send_welcome_msg"] * 19 and first[19:] == ["kf/send_msg"]
        async with sessions.begin() as s:  # no reply left: the welcomes take the whole claim
            assert len(await OutboxRepo(s).claim_due(now=now, lease_s=60, limit=20)) == 11
    finally:
        await engine.dispose()
