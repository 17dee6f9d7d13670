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
    spans: list[list[float]] = [[], [], [], []]
    for code, at in called.items():
        if code not in inbox or code not in added:
            continue
        received, done = inbox[code]
        marks: Sequence[float | None] = (added[code], _ts(received), _ts(done), at, _ts(sent.get(code)))
        for i in range(4):
            start, end = marks[i], marks[i + 1]
            if start is not None and end is not None:
                spans[i].append(end - start)
    return {name: (f"{percentile(v, 50):.2f} / {percentile(v, 99):.2f} s" if v else "–")
            for name, v in zip(STAGES, spans, strict=True)}


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None
