"""Digest: the daily digest and the console's 30-day charts over 1,000,000 stored messages and
200,000 orders (`BENCH_DIGEST_ORDERS`) with their points.

A month of a busy brand is written straight into the tables (what the bot would have stored:
customers, their add/loss events, messages in and out, outbox rows, tags, group joins), then
the digest of the last day is computed the way the 09:00 job does (the day, the day before and
the 7 days of the average, plus keywords) and the console's chart series over 30 days. It is
run again without the covering index `ix_message_digest`, to show what the index buys.
"""

from __future__ import annotations

import os
import random
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import Row
from handlers.digest.build import build_digest, daily_series
from handlers.digest.console import CHART_DAYS, chart_keys
from handlers.digest.registry import default_registry
from handlers.digest.render import APP_MARKDOWN_LIMIT, markdown
from storage import db
from storage.models import (
    AuditLog,
    Customer,
    CustomerGroup,
    CustomerTag,
    GroupMembership,
    InboundEvent,
    Message,
    OutboxItem,
    PointsEntry,
    ShopOrder,
    Tag,
)

MESSAGES = int(os.environ.get("BENCH_DIGEST_MESSAGES", "1000000"))
DAYS = 30
CUSTOMERS = max(1000, MESSAGES // 20)
TZ = "Asia/Shanghai"
LAST_DAY = date(2026, 3, 31)
CHANNELS = ["expo", "spring_sale", "live_0315", "site_footer", "flyer", "referral", ""]
QUESTIONS = ["面霜适合干皮吗", "这款精华孕妇能用吗", "什么时候发货", "快递到哪了", "有小样吗", "防晒霜多少钱",
             "会员积分怎么用", "可以退货吗", "敏感肌能用吗", "直播间的优惠还有吗", "怎么领优惠券", "新品什么时候上",
             "油皮夏天用哪款", "眼霜怎么用", "包装破了怎么办", "有没有套装", "可以开发票吗", "门店在哪里"]
CHUNK = 20_000
ORDERS = int(os.environ.get("BENCH_DIGEST_ORDERS", "200000"))
SHOP_CHANNELS = ["小程序", "天猫", "京东", "门店"]


def day_start(day: date) -> datetime:
    return datetime.combine(day, dtime(0), ZoneInfo(TZ)).astimezone(timezone.utc)


def spread(rng: random.Random, day: date) -> datetime:
    return day_start(day) + timedelta(seconds=rng.randrange(86_400))


def generate(rng: random.Random) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """(table, rows) chunks of one synthetic month; ids are explicit so rows can refer to each other."""
    first_day = LAST_DAY - timedelta(days=DAYS - 1)
    days = [first_day + timedelta(days=i) for i in range(DAYS)]
    t = lambda v: v  # noqa: E731 - aware UTC; the column type stores it per backend
    customers, events, audits = [], [], []
    for cid in range(1, CUSTOMERS + 1):
        added = spread(rng, rng.choice(days))
        ext, channel = f"wmBench{cid:07d}", rng.choice(CHANNELS)
        lost = added + timedelta(days=rng.uniform(0.1, 20)) if rng.random() < 0.06 else None
        customers.append(dict(id=cid, external_userid=ext, name=f"客户{cid}", remark="", channel=channel,
                              owner_userid="zhang.wei", advisor_userid="", stage="", is_vip=False, opted_out=False,
                              status="lost" if lost else "active", lost_at=t(lost) if lost else None, lost_by="",
                              first_seen_at=t(added), last_seen_at=t(added), last_inbound_at=None))
        events.append(dict(id=cid, dedupe_key=f"evt:add:{ext}", source="xml", kind="friend_added",
                           payload={"ChangeType": "add_external_contact", "State": channel, "ExternalUserID": ext,
                                    "UserID": "zhang.wei"}, status="done", attempts=1, error="",
                           received_at=t(added), due_at=t(added), processed_at=t(added)))
        if lost:
            audits.append(dict(actor="customer", action="friend_lost", target=ext, detail={}, created_at=t(lost)))
    yield Customer.__table__, customers
    yield InboundEvent.__table__, events
    yield AuditLog.__table__, audits
    tags = [dict(id=i + 1, group_name="兴趣", name=n, created_at=t(day_start(first_day)))
            for i, n in enumerate(["护肤", "彩妆", "防晒", "香氛", "母婴", "男士", "敏感肌", "干皮", "油皮", "会员"])]
    yield Tag.__table__, tags
    yield CustomerTag.__table__, [dict(customer_id=c, tag_id=tag, source="rule:bench",
                                       created_at=t(spread(rng, rng.choice(days))))
                                  for c in range(1, CUSTOMERS + 1) for tag in rng.sample(range(1, 11), 2)]
    yield CustomerGroup.__table__, [dict(id=g, chat_id=f"wrBench{g:04d}", name=f"群{g}", owner_userid="zhang.wei",
                                         status="active", member_version="", created_at=t(day_start(first_day)))
                                    for g in range(1, 41)]
    yield GroupMembership.__table__, [dict(group_id=rng.randrange(1, 41), member_id=f"wmBench{c:07d}", join_scene=3,
                                           joined_at=t(spread(rng, rng.choice(days))), left_at=None)
                                      for c in rng.sample(range(1, CUSTOMERS + 1), CUSTOMERS // 3)]
    outbox_id = 0
    for start in range(0, MESSAGES, CHUNK):
        messages, outbox = [], []
        for _ in range(min(CHUNK, MESSAGES - start)):
            at = spread(rng, rng.choice(days))
            cid, r = rng.randrange(1, CUSTOMERS + 1), rng.random()
            row = dict(channel="kf", customer_id=cid, staff_userid="", template_key="", external_msgid="",
                       outbox_id=None, created_at=t(at))
            if r < 0.45:
                row.update(direction="in", kind="chat", text=rng.choice(QUESTIONS) + rng.choice(["", "？", "呀", "～"]))
            elif r < 0.50:
                row.update(direction="in", kind="chat", staff_userid="li.na", text="您好，我来帮您看看")
            else:
                kind = "answer" if r < 0.90 else "welcome" if r < 0.95 else "push"
                key = ("reply.faq#1" if rng.random() < 0.7 else "reply.fallback#0") if kind == "answer" else ""
                outbox_id += 1
                status = "dead" if rng.random() < 0.005 else "sent"
                outbox.append(dict(id=outbox_id, api="kf/send_msg", payload={"n": outbox_id}, kind=kind,
                                   customer_id=cid, status=status, attempts=1, due_at=t(at), last_error="",
                                   created_at=t(at),
                                   sent_at=t(at + timedelta(seconds=1)) if status == "sent" else None))
                row.update(direction="out", kind=kind, text="小柚的回复", template_key=key, outbox_id=outbox_id)
            messages.append(row)
        yield OutboxItem.__table__, outbox
        yield Message.__table__, messages
    yield from _orders(rng, days)


def _orders(rng: random.Random, days: list[date]) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """Orders (a third of the customers buy, some again; 3 % refunded, 2 % parked) and their points."""
    buyers = max(1, CUSTOMERS // 3)
    for start in range(0, ORDERS, CHUNK):
        orders, points = [], []
        for n in range(start, min(start + CHUNK, ORDERS)):
            at = spread(rng, rng.choice(days))
            cid = rng.randrange(1, buyers + 1) if rng.random() < 0.98 else None
            fen = rng.randrange(1900, 59900)
            refunded = rng.random() < 0.03
            orders.append(dict(order_id=f"B{n:08d}", customer_id=cid, external_userid=f"wmBench{cid or 0:07d}",
                               unionid_hash="", amount_fen=fen, items=[{"name": "柚子面霜", "qty": 1}],
                               channel=rng.choice(SHOP_CHANNELS), status="refunded" if refunded else "paid",
                               paid_at=at, refunded_at=at + timedelta(days=1) if refunded else None,
                               points=fen // 100, source="api", created_at=at, matched_at=at if cid else None))
            if cid is not None:
                points.append(dict(customer_id=cid, delta=fen // 100, reason="订单", source="order",
                                   ref=f"order:B{n:08d}", created_at=at))
        yield ShopOrder.__table__, orders
        yield PointsEntry.__table__, points


async def populate(engine: AsyncEngine) -> float:
    started = time.perf_counter()
    rng = random.Random(6)
    for table, rows in generate(rng):
        for i in range(0, len(rows), CHUNK):
            async with engine.begin() as conn:
                await conn.execute(insert(table), rows[i:i + CHUNK])
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


async def timed(engine: AsyncEngine) -> tuple[float, float, int]:
    sessions = db.session_factory(engine)
    registry = default_registry()
    async with sessions() as session:
        t0 = time.perf_counter()
        digest = await build_digest(session, LAST_DAY, TZ, now=datetime.now(timezone.utc), registry=registry)
        size = len(markdown(digest, limit=APP_MARKDOWN_LIMIT).encode())
        t1 = time.perf_counter()
        await daily_series(session, chart_keys(registry), LAST_DAY, TZ, days=CHART_DAYS, registry=registry)
        t2 = time.perf_counter()
    messages_in = digest.value("activity.messages_in")
    assert isinstance(messages_in, int) and messages_in > 0
    assert not ORDERS or digest.value("value.orders"), "the orders were not counted"
    return t1 - t0, t2 - t1, size


async def run_digest(backend: str, url: str) -> Row:
    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
        load_s = await populate(engine)
        from handlers.replies.keywords import top_keywords

        top_keywords([("预热", 1)])  # jieba's dictionary loads once per process; not the digest's cost
        digest_s, series_s, size = await timed(engine)
        async with engine.begin() as conn:
            await conn.execute(text("DROP INDEX ix_message_digest"))
        bare_digest_s, bare_series_s, _ = await timed(engine)
        async with engine.begin() as conn:
            await conn.execute(text("CREATE INDEX ix_message_digest ON message (created_at, direction, customer_id, "
                                    "staff_userid, kind, template_key)"))
    finally:
        await engine.dispose()
    return Row(f"digest: {MESSAGES:,} messages and {ORDERS:,} orders over {DAYS} days", backend, {
        "load (not timed)": f"{load_s:.0f} s",
        "digest of a day (8 days + keywords)": f"{digest_s:.2f} s",
        "30-day chart series": f"{series_s:.2f} s",
        "without ix_message_digest": f"{bare_digest_s:.2f} s / {bare_series_s:.2f} s",
        "markdown": f"{size} B",
    })
