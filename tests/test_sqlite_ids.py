"""On SQLite a flush numbers its new rows itself, so a transaction's outbox rows and their message
rows are inserted a table at a time, not a row at a time, and every message still points at its
own outbox row, also next to rows that another statement inserted in the same transaction."""

from __future__ import annotations

from sqlalchemy import event, insert, select

from bot.clock import FakeClock
from storage import db
from storage.models import Message, OutboxItem


def _outbox(now, api: str) -> OutboxItem:
    return OutboxItem(api=api, payload={}, kind="welcome", status="pending", attempts=0, due_at=now, last_error="",
                      created_at=now)


def _message(now, item: OutboxItem, text: str) -> Message:
    return Message(direction="out", channel="contact", customer_id=None, staff_userid="", kind="welcome", text=text,
                   template_key="", external_msgid="", outbox_item=item, created_at=now)


async def test_rows_of_one_flush_are_inserted_together_and_each_message_keeps_its_outbox_row(db_url: str) -> None:
    engine = db.create_engine(db_url)
    sessions, now = db.session_factory(engine), FakeClock(1_700_000_000).now()
    inserts: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, stmt, *_: inserts.append(stmt.split("(")[0].strip())
                 if stmt.startswith("INSERT") else None)
    try:
        async with sessions.begin() as s:
            for i in range(5):
                item = _outbox(now, f"api{i}")
                s.add(item)
                s.add(_message(now, item, f"text{i}"))
            await s.flush()
            await s.execute(insert(OutboxItem).values(api="core", payload={}, kind="sync", status="pending",
                                                      attempts=0, due_at=now, last_error="", created_at=now))
            for i in range(5, 8):
                item = _outbox(now, f"api{i}")
                s.add(item)
                s.add(_message(now, item, f"text{i}"))
        if db.is_sqlite(db_url):  # two flushes of two tables, and the Core row: five statements
            assert inserts.count("INSERT INTO outbox_item") == 3 and inserts.count("INSERT INTO message") == 2
        async with sessions() as s:
            items = {o.id: o.api for o in (await s.scalars(select(OutboxItem))).all()}
            messages = (await s.scalars(select(Message).order_by(Message.id))).all()
        assert len(items) == 9
        assert [(m.text, items.get(m.outbox_id or 0)) for m in messages] == [(f"text{i}", f"api{i}") for i in range(8)]
    finally:
        await engine.dispose()
