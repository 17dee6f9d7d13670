"""Where a welcome's time went, stage by stage, read back from the database after a run.

Each welcome passes: the friend's add at the emulator (the bench's clock) → the callback stored
(`inbound_event.received_at`) → the inbox done with it (`processed_at`, same transaction as its
outbox row) → the delivery worker's call arriving at the emulator (the emulator's call log). The
last stage holds the claim's wait, the client's limiter and the request's way out; `sent_at` (the
outcome's commit) tells the answer's way back. p50/p99 of each stage say which one holds the tail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from bench.common import percentile

STAGES = ("add → stored", "stored → inbox done", "inbox done → call at WeCom", "call → sent recorded")
# A kf question's: the customer's message at the emulator → its entry stored by the kf pull (the
# callback's notice, its wait in the inbox and the sync_msg pull) → the inbox done with the entry
# (the answer's outbox row commits with it) → the answer's call at WeCom → its outcome recorded.
KF_STAGES = ("asked → entry pulled", "pulled → inbox done", "inbox done → call at WeCom", "call → sent recorded")


async def welcome_stages(db_url: str, added: dict[str, float], called: dict[str, float]) -> dict[str, str]:
    """p50 / p99 seconds of each stage of the welcomes WeCom was called for (`called`: code → the
    call's arrival), from their friend's add (`added`: code → time)."""
    from sqlalchemy import select

    from storage.db import create_engine, session_factory
    from storage.models import InboundEvent, OutboxItem

    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            inbound = (await session.execute(select(InboundEvent.payload, InboundEvent.received_at,
                                                    InboundEvent.processed_at))).all()
            outbox = (await session.execute(select(OutboxItem.payload, OutboxItem.sent_at)
                                            .where(OutboxItem.api == "externalcontact/send_welcome_msg"))).all()
    finally:
        await engine.dispose()
    inbox = {str(p.get("WelcomeCode")): (r, d) for p, r, d in inbound if isinstance(p, dict)}
    sent = {str(p.get("welcome_code")): s for p, s in outbox if isinstance(p, dict)}
    return _spans(STAGES, added, called, inbox, sent)


async def kf_stages(db_url: str, asked: dict[str, float], called: dict[str, float]) -> dict[str, str]:
    """p50 / p99 seconds of each stage of the kf answers WeCom was called for (`called`: external
    userid → the first answer's arrival), from the customer's message (`asked`: userid → time)."""
    from sqlalchemy import select

    from storage.db import create_engine, session_factory
    from storage.models import InboundEvent, OutboxItem

    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as session:
            inbound = (await session.execute(select(InboundEvent.payload, InboundEvent.received_at,
                                                    InboundEvent.processed_at)
                                             .where(InboundEvent.source == "kf"))).all()
            outbox = (await session.execute(select(OutboxItem.payload, OutboxItem.sent_at)
                                            .where(OutboxItem.api == "kf/send_msg"))).all()
    finally:
        await engine.dispose()
    inbox: dict[str, tuple[datetime, datetime | None]] = {}
    for payload, received, done in inbound:
        if isinstance(payload, dict):
            inbox.setdefault(str(payload.get("external_userid")), (received, done))  # the first entry
    sent: dict[str, datetime | None] = {}
    for payload, at in outbox:
        if isinstance(payload, dict):
            sent.setdefault(str(payload.get("touser")), at)
    return _spans(KF_STAGES, asked, called, inbox, sent)


def _spans(names: Sequence[str], started: dict[str, float], called: dict[str, float],
           inbox: dict[str, tuple[datetime, datetime | None]], sent: dict[str, datetime | None]) -> dict[str, str]:
    spans: list[list[float]] = [[] for _ in names]
    for key, at in called.items():
        if key not in inbox or key not in started:
            continue
        received, done = inbox[key]
        marks: Sequence[float | None] = (started[key], _ts(received), _ts(done), at, _ts(sent.get(key)))
        for i in range(len(names)):
            start, end = marks[i], marks[i + 1]
            if start is not None and end is not None:
                spans[i].append(end - start)
    return {name: (f"{percentile(v, 50):.2f} / {percentile(v, 99):.2f} s" if v else "–")
            for name, v in zip(names, spans, strict=True)}


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None
