"""Orders in: the signed API (HMAC, timestamp window, body limit), idempotency by order_id, fields
named when wrong with nothing stored, refunds reversing the points, parked orders matched when the
buyer becomes a friend (by external_userid or unionid), the CSV import, and /whois."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from handlers.orders.api import sign
from handlers.orders.cli import import_file
from storage.models import Customer, MemberFacts, PointsEntry, ShopOrder
from tests.community_kit import at, service, start_bot

SECRET = "shop-secret-0123456789"
ORDERS = {"secret": SECRET, "buyers": ["tmall:lin=wmOrd0009"]}
POINTS = {"per_yuan": 1, "levels": [{"name": "柚芽", "min": 0}, {"name": "柚苗", "min": 100}]}


def order(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"order_id": "T1001", "external_userid": "wmOrd0001", "amount": 12950,
                            "items": [{"name": "柚子面霜", "qty": 1}], "paid_at": "2026-03-02T09:30:00+08:00",
                            "channel": "天猫", "status": "paid"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture
async def bot(db_url, wecom, clock):
    clock.set(at(3, 2, 10))
    bot = await start_bot(db_url, wecom, clock, orders=ORDERS, points=POINTS)
    yield bot
    await bot.stop()


async def post(bot: Any, body: bytes | dict[str, Any], *, secret: str = SECRET, ts: int | None = None,
               signature: str | None = None) -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    stamp = str(int(bot.clock.time()) if ts is None else ts)
    headers = {"X-Wanzi-Timestamp": stamp, "X-Wanzi-Signature": signature or sign(secret, stamp, raw),
               "Content-Type": "application/json"}
    async with bot.http.post(f"{bot.url}/api/orders", data=raw, headers=headers) as resp:
        return resp.status, await resp.json()


async def ledger(bot: Any) -> list[tuple[int, str]]:
    async with bot.sessions() as s:
        return [(e.delta, e.source) for e in (await s.scalars(select(PointsEntry).order_by(PointsEntry.id))).all()]


async def test_a_signed_paid_order_of_a_friend_earns_points_once(bot, wecom) -> None:
    await wecom.customer_says("wmOrd0001", "你好")
    await bot.drain()
    status, answer = await post(bot, order())
    assert (status, answer["result"], answer["points"], answer["customer"]) == (200, "created", 129, "matched")
    status, again = await post(bot, order())  # the shop retries: nothing happens twice
    assert (status, again["result"], again["points"]) == (200, "duplicate", 0)
    assert await ledger(bot) == [(129, "order")]
    assert await bot.count(ShopOrder) == 1
    await bot.drain()
    assert any("柚苗" in text for text in wecom.customer_inbox("wmOrd0001"))  # 129 points reached a level


@pytest.mark.parametrize("change,field", [
    ({"secret": "another-secret-000000"}, "X-Wanzi-Signature"),
    ({"ts": -400}, "X-Wanzi-Timestamp"),
    ({"ts": 400}, "X-Wanzi-Timestamp"),
])
async def test_unsigned_or_stale_requests_are_refused_and_store_nothing(bot, change, field) -> None:
    kwargs: dict[str, Any] = {}
    if "secret" in change:
        kwargs["secret"] = change["secret"]
    if "ts" in change:
        kwargs["ts"] = int(bot.clock.time()) + change["ts"]
    status, answer = await post(bot, order(), **kwargs)
    assert (status, answer["field"]) == (401, field)
    assert await bot.count(ShopOrder) == 0


async def test_a_body_signed_and_then_changed_is_refused(bot) -> None:
    raw = json.dumps(order()).encode()
    stamp = str(int(bot.clock.time()))
    tampered = raw.replace(b"12950", b"99950")
    status, answer = await post(bot, tampered, signature=sign(SECRET, stamp, raw))
    assert (status, answer["field"]) == (401, "X-Wanzi-Signature")


async def test_an_oversized_body_is_refused(bot) -> None:
    big = order(items=[{"name": "x" * 60, "qty": 1}] * 100)
    big["pad"] = "y" * 70_000
    status, answer = await post(bot, big)
    assert (status, answer["field"]) == (413, "body")


async def test_a_chunked_body_without_a_length_is_cut_at_the_limit(bot) -> None:
    async def chunks():
        for _ in range(20):
            yield b"x" * 8192

    headers = {"X-Wanzi-Timestamp": str(int(bot.clock.time())), "X-Wanzi-Signature": "0" * 64}
    async with bot.http.post(f"{bot.url}/api/orders", data=chunks(), headers=headers) as resp:
        assert (resp.status, (await resp.json())["field"]) == (413, "body")


async def test_a_body_split_across_packets_is_read_whole(bot, wecom) -> None:
    await wecom.customer_says("wmOrd0001", "你好")
    await bot.drain()
    raw = json.dumps(order(items=[{"name": f"商品{i}", "qty": 1} for i in range(90)]), ensure_ascii=False).encode()

    async def chunks():
        for i in range(0, len(raw), 1000):
            yield raw[i:i + 1000]

    stamp = str(int(bot.clock.time()))
    headers = {"X-Wanzi-Timestamp": stamp, "X-Wanzi-Signature": sign(SECRET, stamp, raw)}
    async with bot.http.post(f"{bot.url}/api/orders", data=chunks(), headers=headers) as resp:
        assert (resp.status, (await resp.json())["result"]) == (200, "created")


@pytest.mark.parametrize("fields,field", [
    ({"amount": 129.5}, "amount"), ({"amount": None}, "amount"), ({"amount": -1}, "amount"),
    ({"channel": "淘宝直播"}, "channel"), ({"status": "shipped"}, "status"), ({"items": []}, "items"),
    ({"items": [{"name": "面霜", "qty": 0}]}, "items[0].qty"), ({"paid_at": "yesterday"}, "paid_at"),
    ({"paid_at": "2027-01-01T00:00:00+08:00"}, "paid_at"), ({"order_id": "有 空格"}, "order_id"),
    ({"external_userid": None}, "customer"), ({"unionid": "oAbc"}, "customer"), ({"colour": "red"}, "colour"),
    ({"external_userid": None, "buyer_id": "tmall:nobody"}, "buyer_id"), ({"birthday": "13-01"}, "birthday"),
    ({"carrier": "顺丰"}, "shipped_at"), ({"shipped_at": "2026-03-01T09:00:00+08:00"}, "shipped_at"),
    ({"shipped_at": "2026-03-02T09:40:00+08:00", "tracking_no": "SF 123"}, "tracking_no"),
])
async def test_bad_fields_are_named_and_nothing_is_stored(bot, fields, field) -> None:
    status, answer = await post(bot, order(**fields))
    assert (status, answer["error"], answer["field"]) == (400, "invalid", field)
    assert await bot.count(ShopOrder) == 0 and await ledger(bot) == []


async def test_a_changed_repeat_is_a_conflict_not_an_overwrite(bot, wecom) -> None:
    await wecom.customer_says("wmOrd0001", "你好")
    await bot.drain()
    await post(bot, order())
    status, answer = await post(bot, order(amount=1))
    assert (status, answer["error"], answer["field"]) == (409, "conflict", "amount")
    async with bot.sessions() as s:
        assert (await s.scalar(select(ShopOrder.amount_fen))) == 12950


async def test_the_shop_reports_the_parcel_sent_by_sending_the_order_again(bot, wecom) -> None:
    await wecom.customer_says("wmOrd0001", "你好")
    await bot.drain()
    await post(bot, order())
    sent = {"shipped_at": "2026-03-02T09:50:00+08:00", "carrier": "顺丰", "tracking_no": "SF1234567890"}
    status, answer = await post(bot, order(**sent))
    assert (status, answer["result"], answer["points"]) == (200, "shipped", 0)  # no points twice
    status, answer = await post(bot, order(**sent))  # the shop retries: nothing new
    assert (status, answer["result"]) == (200, "duplicate")
    status, answer = await post(bot, order())  # an older report without the parcel forgets nothing
    assert (status, answer["result"]) == (200, "duplicate")
    async with bot.sessions() as s:
        row = await s.scalar(select(ShopOrder))
        assert row is not None and (row.carrier, row.tracking_no, row.status) == ("顺丰", "SF1234567890", "paid")
        assert row.shipped_at is not None
    assert await ledger(bot) == [(129, "order")]


async def test_a_refund_takes_back_the_points_and_the_level_it_brought(bot, wecom) -> None:
    await wecom.customer_says("wmOrd0001", "你好")
    await bot.drain()
    await post(bot, order())
    status, answer = await post(bot, order(status="refunded"))
    assert (status, answer["result"], answer["points"]) == (200, "refunded", 129)
    assert await ledger(bot) == [(129, "order"), (-129, "refund")]
    async with service(bot) as ctx:
        customer = await found(ctx, "wmOrd0001")
        assert customer.level == "柚芽"
    status, answer = await post(bot, order(status="paid"))  # a late retry of the paid report
    assert (status, answer["result"]) == (200, "duplicate")
    assert await ledger(bot) == [(129, "order"), (-129, "refund")]


async def test_an_unknown_buyer_is_parked_and_matched_when_they_add_a_member(bot, wecom) -> None:
    status, answer = await post(bot, order(external_userid="wmOrdNew1"))
    assert (status, answer["result"], answer["customer"]) == (200, "parked", "parked")
    assert await ledger(bot) == []
    await wecom.add_friend("zhang.wei", "wmOrdNew1")
    await bot.drain()
    async with bot.sessions() as s:
        row = await s.scalar(select(ShopOrder))
        assert row.customer_id is not None and row.points == 129
    assert await ledger(bot) == [(129, "order")]


async def test_a_parked_order_brings_its_birthday_when_it_matches(bot, wecom) -> None:
    await post(bot, order(external_userid="wmOrdNew2", birthday="07-07"))
    await wecom.add_friend("zhang.wei", "wmOrdNew2")
    await bot.drain()
    async with bot.sessions() as s:
        assert (await s.scalar(select(MemberFacts.birthday))) == "07-07"


async def test_an_order_by_unionid_waits_for_the_profile_read_then_matches(bot, wecom, clock) -> None:
    status, answer = await post(bot, order(external_userid=None, unionid="oUnionDemo0001"))
    assert answer["customer"] == "parked"
    await wecom.add_friend("zhang.wei", "wmOrdUni1")
    wecom.corp.contacts.customers["wmOrdUni1"].unionid = "oUnionDemo0001"
    await bot.drain()
    assert await ledger(bot) == []  # the name and unionid are read after the welcome window
    clock.advance(25)
    await bot.drain()
    async with bot.sessions() as s:
        row = await s.scalar(select(ShopOrder))
    assert row.customer_id is not None and await ledger(bot) == [(129, "order")]


async def test_a_configured_buyer_id_names_the_customer(bot, wecom) -> None:
    await wecom.customer_says("wmOrd0009", "你好")
    await bot.drain()
    status, answer = await post(bot, order(external_userid=None, buyer_id="tmall:lin"))
    assert (status, answer["customer"]) == (200, "matched")


async def test_whois_shows_orders_lifetime_value_and_last_purchase(bot, wecom) -> None:
    await wecom.customer_says("wmOrd0001", "你好")
    await bot.drain()
    await post(bot, order())
    await post(bot, order(order_id="T1002", amount=5000, paid_at="2026-03-01T12:00:00+08:00", channel="门店"))
    await post(bot, order(order_id="T1003", amount=7000, status="refunded"))
    from handlers.orders.profile import whois_line

    async with service(bot) as ctx:
        line = await whois_line(ctx, await found(ctx, "wmOrd0001"))
    assert line == "订单：2 笔 · 累计 ¥179.50 · 最近购买 2026-03-02"


CSV_OK = """order_id,external_userid,unionid,amount,items,paid_at,channel,status
C1,wmOrd0001,,12900,柚子面霜*1;试用装*2,2026-03-01 10:00,门店,paid
C2,,oUnionCsv1,5000,柚子面霜,2026-03-01T11:00:00+08:00,京东,paid
C1,wmOrd0001,,12900,柚子面霜*1;试用装*2,2026-03-01 10:00,门店,refunded
"""

CSV_BAD = """order_id,external_userid,amount,items,paid_at,channel,status
C1,wmOrd0001,12900,柚子面霜*1,2026-03-01 10:00,门店,paid
C2,wmOrd0001,12.5,柚子面霜*1,2026-03-01 10:00,门店,paid
C3,wmOrd0001,100,柚子面霜*x,2026-03-01 10:00,门店,paid
C4,wmOrd0001,100,柚子面霜,2026-03-01 10:00,拼夕夕,paid
"""


async def test_csv_import_records_parks_and_refunds(bot, wecom, tmp_path, capsys) -> None:
    await wecom.customer_says("wmOrd0001", "你好")
    await bot.drain()
    path = tmp_path / "orders.csv"
    path.write_text(CSV_OK, encoding="utf-8")
    assert await import_file(_config(bot), str(path)) == 0
    assert "新订单 1" in capsys.readouterr().out
    assert await ledger(bot) == [(129, "order"), (-129, "refund")]
    assert await bot.count(ShopOrder, ShopOrder.customer_id.is_(None)) == 1  # C2 waits for its buyer
    assert await import_file(_config(bot), str(path)) == 0  # again: duplicates only
    assert await bot.count(ShopOrder) == 2


async def test_a_shops_export_in_gbk_imports_as_its_utf8_twin(bot, wecom, tmp_path, capsys) -> None:
    await wecom.customer_says("wmOrd0001", "你好")
    await bot.drain()
    path = tmp_path / "orders.csv"
    path.write_bytes(CSV_OK.encode("gbk"))  # as Excel and shops' exports write it on Chinese Windows
    assert await import_file(_config(bot), str(path)) == 0
    assert "新订单 1" in capsys.readouterr().out
    assert await ledger(bot) == [(129, "order"), (-129, "refund")]


async def test_csv_import_names_every_bad_line_and_stores_nothing(bot, tmp_path, capsys) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(CSV_BAD, encoding="utf-8")
    assert await import_file(_config(bot), str(path)) == 1
    err = capsys.readouterr().err
    assert "line 3: amount:" in err and "line 4: items:" in err and "line 5: channel:" in err
    assert "line 2" not in err
    assert await bot.count(ShopOrder) == 0


def _config(bot: Any) -> Any:
    from bot.appkeys import CONFIG

    return bot.app[CONFIG]


async def test_an_erased_customer_leaves_anonymous_orders_that_never_match_again(bot, wecom) -> None:
    from handlers.privacy.service import erase

    await wecom.customer_says("wmOrd0001", "你好")
    await bot.drain()
    await post(bot, order())
    await post(bot, order(order_id="T2001", external_userid="wmOrdGone"))  # parked under another id
    async with service(bot) as ctx:
        customer = await found(ctx, "wmOrd0001")
        await erase(ctx.session, [customer], actor="li.na", via="test", now=ctx.clock.now())
    async with bot.sessions() as s:
        rows = (await s.scalars(select(ShopOrder).order_by(ShopOrder.id))).all()
    assert [(r.customer_id, r.external_userid) for r in rows] == [(None, ""), (None, "wmOrdGone")]
    await wecom.customer_says("wmOrd0001", "我又来了")  # a new customer with the same id
    await bot.drain()
    assert await bot.count(ShopOrder, ShopOrder.customer_id.is_not(None)) == 0
    assert await ledger(bot) == []


async def test_the_console_customer_page_shows_orders_lifetime_value_and_last_purchase(db_url, wecom, clock) -> None:
    from tests.console_kit import ConsoleClient

    clock.set(at(3, 2, 10))
    bot = await start_bot(db_url, wecom, clock, orders=ORDERS, points=POINTS,
                          staff={"admins": ["zhang.wei"], "operators": ["li.na"]})
    client = None
    try:
        await wecom.customer_says("wmOrd0001", "你好")
        await bot.drain()
        await post(bot, order())
        await post(bot, order(order_id="T1002", amount=5000, channel="门店", paid_at="2026-03-01T12:00:00+08:00"))
        async with service(bot) as ctx:
            customer_id = (await found(ctx, "wmOrd0001")).id
        client = await ConsoleClient.login(bot.url, user="li.na")
        status, page = await client.get(f"/console/customers/{customer_id}")
        assert status == 200
        assert "<dt>订单</dt><dd>2 笔</dd>" in page and "<dt>累计消费</dt><dd>¥179.50</dd>" in page
        assert "<dt>最近购买</dt><dd>2026-03-02</dd>" in page
        assert "T1002" in page and "门店" in page and "柚子面霜×1" in page
    finally:
        if client is not None:
            await client.close()
        await bot.stop()


async def found(ctx: Any, ext: str) -> Customer:
    """The customer with this external_userid (the test made them)."""
    customer = await ctx.repos.customers.find(ext)
    assert isinstance(customer, Customer), ext
    return customer
