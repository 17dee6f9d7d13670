"""`wanzi orders import FILE.csv`: a shop's export, checked line by line with the API's rules.

Columns (header row required, UTF-8 with or without BOM or GBK, any order, unknown columns refused):
order_id, external_userid | unionid | buyer_id (one per line), amount (fen), items ("名称*数量;名称*数量"),
paid_at (ISO 8601, or local "2026-03-05 14:30" in persona.timezone), channel, status (paid|refunded),
and optionally birthday (MM-DD).

All or nothing: every line is checked first; if any is wrong, each error is printed with its line
number and field and nothing is stored. Lines already imported are duplicates (nothing changes),
so importing the same file again is harmless.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.orders.config import OrdersConfig
from handlers.orders.parsing import FIELDS, OrderInput, OrderInvalid, parse_order
from handlers.orders.service import OrderConflict, record_order
from handlers.services import Ctx

REQUIRED = ("order_id", "amount", "items", "paid_at", "channel", "status")
MAX_LINES = 200_000


@dataclass(slots=True)
class ImportReport:
    errors: list[str] = field(default_factory=list)  # "line 7: amount: must be ..."
    outcomes: dict[str, int] = field(default_factory=dict)  # created | parked | duplicate | refunded | shipped → count

    def line(self) -> str:
        names = {"created": "新订单", "parked": "待匹配客户", "duplicate": "已存在", "refunded": "退款",
                 "shipped": "发货更新"}
        return "，".join(f"{names.get(k, k)} {v}" for k, v in sorted(self.outcomes.items())) or "没有订单"


def _items(text: str) -> list[dict[str, Any]]:
    items = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, sep, qty = part.rpartition("*")
        if not sep:
            name, qty = part, "1"
        if not qty.strip().isdigit():
            raise OrderInvalid("items", f"{part!r} must look like 名称*数量")
        items.append({"name": name.strip(), "qty": int(qty)})
    return items


def read_orders(text: str, config: OrdersConfig, *, tz: ZoneInfo,
                now: datetime) -> tuple[list[tuple[int, OrderInput]], list[str]]:
    """The file's orders, or the errors of its bad lines (line numbers as an editor shows them)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    if not header:
        return [], ["line 1: the file is empty (a header row is required)"]
    unknown = [h for h in header if h not in FIELDS]
    missing = [h for h in REQUIRED if h not in header]
    if unknown or missing:
        return [], [f"line 1: unknown column {unknown[0]!r}" if unknown else f"line 1: missing column {missing[0]!r}"]
    reader.fieldnames = header
    orders: list[tuple[int, OrderInput]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if len(orders) + len(errors) >= MAX_LINES:
            errors.append(f"line {line}: more than {MAX_LINES} orders; split the file")
            break
        if None in row:
            errors.append(f"line {line}: more values than columns")
            continue
        data: dict[str, Any] = {k: (v or "").strip() for k, v in row.items() if (v or "").strip()}
        try:
            data["items"] = _items(data.get("items", ""))
            order = parse_order(data, config, tz=tz, now=now)
        except OrderInvalid as exc:
            errors.append(f"line {line}: {exc.field}: {exc.message}")
            continue
        key = f"{order.order_id}/{order.status}"
        if key in seen:
            errors.append(f"line {line}: order_id: {order.order_id} already on line {seen[key]}")
            continue
        seen[key] = line
        orders.append((line, order))
    return orders, errors


async def import_orders(ctx: Ctx, text: str) -> ImportReport:
    """Check the whole file, then record every order in the caller's transaction (all or nothing)."""
    report = ImportReport()
    orders, report.errors = read_orders(text, ctx.settings.of(OrdersConfig),
                                        tz=ZoneInfo(ctx.settings.persona.timezone), now=ctx.clock.now())
    if report.errors:
        return report
    # paid before refunded: a file listing an order and its refund imports both, in that order
    for line, order in sorted(orders, key=lambda lo: (lo[1].status != "paid", lo[0])):
        try:
            recorded = await record_order(ctx, order, source="csv")
        except OrderConflict as exc:
            report.errors.append(f"line {line}: {exc.field}: {exc.message}")
            continue
        report.outcomes[recorded.outcome] = report.outcomes.get(recorded.outcome, 0) + 1
    return report
