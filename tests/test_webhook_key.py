"""The group robot's key is a secret: it stays in the config and never lands in the database."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, Integer, String, column, insert, select, table

from bot.appkeys import SCHEDULER
from storage import db
from storage.models import Message, OutboxItem
from tests.digest_scenario import local
from tests.harness import BotUnderTest, make_config


async def test_the_digest_reaches_the_robot_without_its_key_in_the_database(db_url, wecom, clock) -> None:
    key = wecom.config.webhook_keys[0]
    config = make_config(db_url, wecom.base_url, digest={"send_at": "09:00", "webhook": True},
                         wecom={"webhook_key": key})
    bot = await BotUnderTest.start(config, clock)
    try:
        clock.set(local(1, "09:00"))
        assert await bot.app[SCHEDULER].fire("digest.daily", clock.now())
        await bot.drain()
        async with bot.sessions() as s:
            rows = (await s.scalars(select(OutboxItem))).all()
            messages = (await s.scalars(select(Message))).all()
    finally:
        await bot.stop()
    (robot,) = wecom.webhook_messages(key)  # delivered with the configured key
    assert "每日简报" in robot["markdown"]["content"]
    assert [r.api for r in rows] == ["webhook/send"] and rows[0].status == "sent"
    stored = json.dumps([r.payload for r in rows] + [r.result for r in rows]) + " ".join(m.text for m in messages)
    assert key not in stored


async def test_upgrading_removes_the_key_from_rows_queued_before(empty_db_url) -> None:
    engine = db.create_engine(empty_db_url)
    try:
        await db.upgrade(engine, "0010")
        payload = {"msgtype": "markdown", "markdown": {"content": "## 简报"}, "_key": "robot-key-0001"}
        now = datetime(2026, 3, 2, 2, tzinfo=timezone.utc)
        row_0009 = table("outbox_item", column("api", String), column("payload", JSON), column("kind", String),
                         column("status", String), column("attempts", Integer),
                         column("due_at", DateTime(timezone=True)),
                         column("last_error", String), column("created_at", DateTime(timezone=True)))
        async with engine.begin() as conn:  # a digest row as Wanzi wrote it before revision 0011
            await conn.execute(insert(row_0009).values(api="webhook/send", payload=payload, kind="notice",
                                                       status="sent", attempts=1, due_at=now, last_error="",
                                                       created_at=now))
        await db.upgrade(engine)
        async with db.session_factory(engine)() as s:
            (row,) = (await s.scalars(select(OutboxItem))).all()
        assert row.payload == {"msgtype": "markdown", "markdown": {"content": "## 简报"}}
    finally:
        await engine.dispose()
