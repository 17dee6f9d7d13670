"""Storage: migrations build exactly the models' schema; queue claims never hand a row out twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
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


async def test_times_read_back_as_written_and_keep_their_order_beside_older_rows(db_url: str) -> None:
    """Due times bound by the models' UTC type (on SQLite one processor writing the stored text
    itself: perf19) come back equal, from any time zone, and sort with a row whose text SQLAlchemy's
    own SQLite processor wrote ("YYYY-MM-DD HH:MM:SS.ffffff", as every existing database holds)."""
    from datetime import datetime, timezone

    from sqlalchemy import select, text
    from sqlalchemy.exc import StatementError

    engine = db.create_engine(db_url)
    beijing = timezone(timedelta(hours=8))
    first = datetime(2026, 12, 5, 2, 0, 0, tzinfo=timezone.utc)  # no microseconds: still six digits stored
    later = datetime(2026, 12, 5, 10, 0, 0, 250, tzinfo=beijing)  # 02:00:00.000250 UTC
    try:
        sessions = db.session_factory(engine)
        async with sessions.begin() as session:
            for n, due in ((1, first), (2, later)):
                session.add(OutboxItem(id=n, api="message/send", payload={}, due_at=due, created_at=first))
        async with engine.begin() as conn:  # a row as an older release wrote it, between the two
            stamp = "2026-12-05 02:00:00.000100" if engine.dialect.name == "sqlite" else "2026-12-05 02:00:00.0001+00"
            await conn.execute(text("INSERT INTO outbox_item (id, api, payload, kind, status, attempts, due_at, "
                                    "last_error, created_at) VALUES (3, 'message/send', '{}', 'reply', 'pending', 0, "
                                    f"'{stamp}', '', '{stamp}')"))
        async with sessions() as session:
            rows = (await session.scalars(select(OutboxItem).order_by(OutboxItem.due_at))).all()
            assert [(r.id, r.due_at) for r in rows] == [(1, first), (3, first + timedelta(microseconds=100)),
                                                        (2, later.astimezone(timezone.utc))]
            bound = first + timedelta(microseconds=100)
            assert sorted(await session.scalars(select(OutboxItem.id).where(OutboxItem.due_at <= bound))) == [1, 3]
            if engine.dialect.name == "sqlite":
                stored = (await session.execute(text("SELECT due_at FROM outbox_item ORDER BY id"))).scalars().all()
                assert stored == ["2026-12-05 02:00:00.000000", "2026-12-05 02:00:00.000250",
                                  "2026-12-05 02:00:00.000100"]
        with pytest.raises(StatementError, match="naive datetime"):
            async with sessions.begin() as session:
                await session.execute(select(OutboxItem.id).where(OutboxItem.due_at <= datetime(2026, 12, 5)))
    finally:
        await engine.dispose()


async def test_the_friendships_migration_carries_each_known_friend_over(empty_db_url: str) -> None:
    """A database from before friendships were kept: its friends are their adding member's (ended for a lost
    one), so the first member a customer deletes after the upgrade still counts as a loss only if they had no
    other; a kf-only customer has none."""
    from datetime import datetime, timezone

    from sqlalchemy import insert, select

    from storage.models import Customer, Friendship
    from storage.repos.customers import CustomerRepo

    engine = db.create_engine(empty_db_url)
    try:
        await db.upgrade(engine, "0025")
        now, lost_at = datetime(2026, 12, 1, tzinfo=timezone.utc), datetime(2026, 12, 3, tzinfo=timezone.utc)
        def blank(ext: str) -> dict[str, object]:
            return {**CustomerRepo._blank(ext, now=now), "lost_at": None}  # every row the same keys
        async with engine.begin() as conn:
            await conn.execute(insert(Customer), [
                {**blank("wmOld1"), "id": 1, "owner_userid": "zhang.wei"},
                {**blank("wmOld2"), "id": 2, "owner_userid": "li.na", "status": "lost", "lost_at": lost_at,
                 "lost_by": "customer"},
                {**blank("wmKfOnly"), "id": 3}])
        await db.upgrade(engine)
        async with engine.connect() as conn:
            rows = (await conn.execute(select(Friendship.customer_id, Friendship.userid, Friendship.added_at,
                                              Friendship.ended_at).order_by(Friendship.customer_id))).all()
        assert [tuple(r) for r in rows] == [(1, "zhang.wei", now, None), (2, "li.na", now, lost_at)]
    finally:
        await engine.dispose()


async def test_a_message_added_alone_brings_its_outbox_row_and_a_rolled_back_add_stores_nothing(db_url: str) -> None:
    """The sessions skip the add's cascade walk for tables that cascade nothing (storage/newrows.py
    `RowSession`); a message's outbox row still comes along with it, as the outbox relies on."""
    from sqlalchemy import func, select

    from storage.models import Message
    from storage.newrows import new_row

    engine = db.create_engine(db_url)
    now = FakeClock(1_700_000_000).now()
    try:
        sessions = db.session_factory(engine)
        with pytest.raises(RuntimeError):
            async with sessions.begin() as session:
                session.add(new_row(OutboxItem, api="message/send", payload={}, due_at=now, created_at=now))
                raise RuntimeError("the handler failed")
        async with sessions.begin() as session:
            message = new_row(Message, direction="out", channel="app", staff_userid="zhang.wei", text="你好",
                              created_at=now)
            message.outbox_item = new_row(OutboxItem, api="message/send", payload={"touser": "zhang.wei"},
                                          due_at=now, created_at=now)
            session.add(message)  # the outbox row only through the relationship
        async with sessions() as session:
            item = (await session.scalars(select(OutboxItem))).one()
            assert item.payload == {"touser": "zhang.wei"}
            assert await session.scalar(select(Message.outbox_id)) == item.id
            assert await session.scalar(select(func.count()).select_from(Message)) == 1
    finally:
        await engine.dispose()
