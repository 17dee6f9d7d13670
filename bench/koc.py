"""KOC ranking (/koc, the console's 客户洞察) over the digest benchmark's month: 1,000,000 messages,
50,000 customers, group joins (bench/digest.py writes them), plus check-in streaks and referral
invites written here. Reports the time of one `koc_scores` call, as /koc runs it.

    .venv/bin/python -m bench.koc            # SQLite in a temporary folder
    BENCH_DIGEST_MESSAGES=200000 .venv/bin/python -m bench.koc
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.digest import CUSTOMERS, LAST_DAY, MESSAGES, day_start, populate
from bot.clock import FakeClock
from handlers.insights.koc import koc_scores
from storage import db
from storage.models import Checkin, CheckinCampaign, ReferralCampaign, ReferralInvite, ReferralParticipant
from tests.harness import context_factory, make_config

INVITERS, STREAKERS = CUSTOMERS // 25, CUSTOMERS // 10  # 2,000 and 5,000 at the default size


async def community(url: str, now: datetime) -> None:
    """Referral invites of INVITERS inviters (1-7 each) and a 14-day camp with check-ins of STREAKERS customers."""
    rng = random.Random(7)
    engine = db.create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(ReferralCampaign), [dict(
                id=1, key="bench", name="邀请", staff_userid="zhang.wei", tiers=[], status="active", source="",
                created_at=now)])
            await conn.execute(insert(CheckinCampaign), [dict(
                id=1, key="bench", name="打卡", tag="", start_date=LAST_DAY - timedelta(days=13), end_date=LAST_DAY,
                daily_window="06:00-23:00", remind_at="20:00", makeup_limit=0, points_per_checkin=0, milestones=[],
                status="active", source="", created_at=now)])
            inviters = rng.sample(range(1, CUSTOMERS + 1), INVITERS)
            await conn.execute(insert(ReferralParticipant), [dict(
                id=i + 1, campaign_id=1, customer_id=c, state=f"b{c}", open_kfid="", qr_code="", way_status="ready",
                joined_at=now) for i, c in enumerate(inviters)])
            invitees = iter(rng.sample(range(1, CUSTOMERS + 1), CUSTOMERS // 2))
            await conn.execute(insert(ReferralInvite), [dict(
                campaign_id=1, participant_id=p, invitee_customer_id=next(invitees), staff_userid="zhang.wei",
                status="counted", added_at=now - timedelta(days=rng.randrange(30)))
                for p in range(1, INVITERS + 1) for _ in range(rng.randrange(1, 8))])
            rows = []
            for c in rng.sample(range(1, CUSTOMERS + 1), STREAKERS):
                for d in range(14):
                    if rng.random() < 0.7:
                        rows.append(dict(campaign_id=1, customer_id=c, day=LAST_DAY - timedelta(days=d), day_index=d,
                                         kind="on_time", content="", has_photo=False, msgid="", created_at=now))
            await conn.execute(insert(Checkin), rows)
    finally:
        await engine.dispose()


async def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        url = f"sqlite+aiosqlite:///{Path(work) / 'koc.db'}"
        engine = db.create_engine(url)
        await db.upgrade(engine)
        await populate(engine)
        await engine.dispose()
        now = day_start(LAST_DAY + timedelta(days=1)) + timedelta(hours=9)
        await community(url, now)
        engine = db.create_engine(url)
        try:
            contexts = context_factory(FakeClock(now.timestamp()), make_config(url))
            async with db.session_factory(engine)() as session:
                started = time.perf_counter()
                ranked = await koc_scores(contexts(session), limit=10)
                took = time.perf_counter() - started
        finally:
            await engine.dispose()
    print(f"/koc over {MESSAGES:,} messages, {CUSTOMERS:,} customers, {INVITERS:,} inviters, "
          f"{STREAKERS:,} check-in customers (SQLite): {took:.2f} s, {len(ranked)} ranked")

if __name__ == "__main__":
    asyncio.run(main())
