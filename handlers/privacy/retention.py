"""The daily retention run ([retention], at run_at local time; each fire time once across replicas).

- payload_days: processed raw callbacks and kf entries older than that lose their payload (a
  friend-added callback keeps ChangeType and State, which the digest's growth numbers read); the
  row and its hashed dedupe key stay, so a replay is still a duplicate.
- message_days: message history rows older than that are deleted, and so are 猜你想问 offers
  (faq_offer: the customer's question, and whether they picked an entry), settled or lapsed.
- lost_friend_days: customers who left (status lost) that long ago and were not heard from since
  are erased like `wanzi customer erase`.
- address_days: rewards that shipped (or were cancelled) that long ago lose their receiver, phone and
  address, and so do the texts quoting them (handlers/privacy/addresses.py).

The run shares the scheduler's transaction with its run record, so it does a bounded amount per
day (at most the PER_RUN numbers below); a backlog, such as switching retention on for an old
database, is worked off over the following days.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.scheduler import Job
from handlers.privacy.addresses import clear_addresses
from handlers.privacy.config import RetentionConfig
from handlers.privacy.scrub import cleared_payload
from handlers.privacy.service import erase
from handlers.services import Ctx
from storage.repos.privacy import PrivacyRepo

JOB_NAME = "privacy.retention"
PAYLOADS_PER_RUN, PAYLOAD_BATCH = 100_000, 1_000
MESSAGES_PER_RUN, MESSAGE_BATCH = 200_000, 5_000
LOST_PER_RUN, LOST_BATCH = 200, 25  # one erasure reads every table once per batch
ADDRESSES_PER_RUN, ADDRESS_BATCH = 1_000, 100  # each batch reads the quoting tables once


def jobs(config: Config) -> list[Job]:
    retention = config.of(RetentionConfig)
    if not retention.enabled:
        return []
    hour, minute = retention.run_hour_minute
    return [Job(JOB_NAME, CronTrigger(hour=hour, minute=minute, timezone=config.persona.timezone),
                apply_retention, misfire_grace_s=12 * 3600)]


async def apply_retention(ctx: Ctx, fire_time: datetime) -> None:
    """Clear, delete and erase what is past its time; one audit row with the counts."""
    counts = await run_retention(ctx.session, ctx.settings.of(RetentionConfig), now=ctx.clock.now())
    day = fire_time.astimezone(ZoneInfo(ctx.settings.persona.timezone)).date()
    ctx.repos.audit.record(actor="system", action="retention.applied", target=f"{day:%Y-%m-%d}", detail=counts,
                           now=ctx.clock.now())


async def run_retention(session: AsyncSession, config: RetentionConfig, *, now: datetime) -> dict[str, int]:
    repo = PrivacyRepo(session)
    counts = {"payloads_cleared": 0, "messages_deleted": 0, "offers_deleted": 0, "customers_erased": 0,
              "addresses_cleared": 0}
    if config.payload_days:
        cutoff = now - timedelta(days=config.payload_days)
        while counts["payloads_cleared"] < PAYLOADS_PER_RUN:
            due = await repo.payloads_due(cutoff, limit=PAYLOAD_BATCH)
            await repo.set_payloads({i: cleared_payload(source, payload) for i, source, payload in due}, now=now)
            counts["payloads_cleared"] += len(due)
            if len(due) < PAYLOAD_BATCH:
                break
    if config.message_days:
        cutoff = now - timedelta(days=config.message_days)
        while counts["messages_deleted"] < MESSAGES_PER_RUN:
            n = await repo.delete_messages_before(cutoff, limit=MESSAGE_BATCH)
            counts["messages_deleted"] += n
            if n < MESSAGE_BATCH:
                break
        while counts["offers_deleted"] < MESSAGES_PER_RUN:
            n = await repo.delete_offers_before(cutoff, limit=MESSAGE_BATCH)
            counts["offers_deleted"] += n
            if n < MESSAGE_BATCH:
                break
    if config.lost_friend_days:
        cutoff = now - timedelta(days=config.lost_friend_days)
        while counts["customers_erased"] < LOST_PER_RUN:
            lost = await repo.lost_since(cutoff, limit=LOST_BATCH)
            if lost:
                await erase(session, lost, actor="retention", via="retention", now=now)
            counts["customers_erased"] += len(lost)
            if len(lost) < LOST_BATCH:
                break
    if config.address_days:
        cutoff = now - timedelta(days=config.address_days)
        while counts["addresses_cleared"] < ADDRESSES_PER_RUN:
            n = await clear_addresses(session, cutoff, limit=ADDRESS_BATCH)
            counts["addresses_cleared"] += n
            if n < ADDRESS_BATCH:
                break
    return counts
