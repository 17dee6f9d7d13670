"""One order as a shop sends it (JSON body or CSV line) → a checked OrderInput, or OrderInvalid
naming the field. The API and the CSV import share this, so both refuse the same things."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from handlers.orders.config import OrdersConfig

ORDER_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
EXTERNAL_USERID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
UNIONID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
BIRTHDAY = re.compile(r"(\d{1,2})-(\d{1,2})")
MAX_AMOUNT_FEN = 10**10  # 1 亿元: a typo guard, not a business rule
MAX_ITEMS = 100
FIELDS = {"order_id", "external_userid", "unionid", "buyer_id", "amount", "items", "paid_at", "channel", "status",
          "birthday", "shipped_at", "carrier", "tracking_no"}
CARRIER = re.compile(r"[^\s<>&\"']{1,16}")  # "顺丰", "中通快递", "SF Express" is two words: "SF-Express"
TRACKING_NO = re.compile(r"[A-Za-z0-9\-]{4,40}")
STATUSES = ("paid", "refunded")


class OrderInvalid(ValueError):
    """A field of an order is missing or wrong; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Item:
    name: str
    qty: int


@dataclass(frozen=True, slots=True)
class OrderInput:
    order_id: str
    external_userid: str  # at most one of these three identifies the buyer ...
    unionid_hash: str
    buyer_id: str  # ... resolved through [orders] buyers
    amount_fen: int
    items: tuple[Item, ...]
    paid_at: datetime
    channel: str
    status: str  # paid | refunded
    birthday: str = ""  # MM-DD, when the shop knows it
    shipped_at: datetime | None = None  # the parcel left: what "我的快递到哪了" is answered with
    carrier: str = ""  # "顺丰"
    tracking_no: str = ""


def unionid_hash(unionid: str) -> str:
    return hashlib.sha256(unionid.encode()).hexdigest()


def _text(data: Mapping[str, Any], field: str, *, required: bool = True) -> str:
    value = data.get(field)
    if value is None or value == "":
        if required:
            raise OrderInvalid(field, "is required")
        return ""
    if not isinstance(value, str):
        raise OrderInvalid(field, "must be a string")
    return value.strip()


def _amount(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if value is None or value == "":
        raise OrderInvalid("amount", "is required (fen, a whole number: 12900 = 129.00 元)")
    if isinstance(value, bool) or not isinstance(value, int):
        raise OrderInvalid("amount", "must be a whole number of fen (12900 = 129.00 元), not a decimal")
    if not 0 <= value <= MAX_AMOUNT_FEN:
        raise OrderInvalid("amount", f"must be between 0 and {MAX_AMOUNT_FEN} fen")
    return value


def _items(value: Any) -> tuple[Item, ...]:
    if not isinstance(value, list) or not value:
        raise OrderInvalid("items", "must be a non-empty list of {name, qty}")
    if len(value) > MAX_ITEMS:
        raise OrderInvalid("items", f"at most {MAX_ITEMS} items")
    items = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise OrderInvalid(f"items[{i}]", "must be an object {name, qty}")
        name, qty = item.get("name"), item.get("qty", 1)
        if not isinstance(name, str) or not name.strip() or len(name) > 64:
            raise OrderInvalid(f"items[{i}].name", "must be 1 to 64 characters")
        if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= 100_000:
            raise OrderInvalid(f"items[{i}].qty", "must be a whole number from 1 to 100000")
        items.append(Item(name.strip(), qty))
    return tuple(items)


def _paid_at(value: Any, tz: ZoneInfo, now: datetime, field: str = "paid_at") -> datetime:
    if value is None or value == "":
        raise OrderInvalid(field, "is required")
    if isinstance(value, bool):
        raise OrderInvalid(field, "must be ISO 8601 or Unix seconds")
    if isinstance(value, int):
        at = datetime.fromtimestamp(value, timezone.utc)
    elif isinstance(value, str):
        try:
            at = datetime.fromisoformat(value.strip())
        except ValueError:
            raise OrderInvalid(field, "must be ISO 8601 (2026-03-05T14:30:00+08:00) or Unix seconds") from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=tz)  # a shop's local export: the persona's time zone
    else:
        raise OrderInvalid(field, "must be ISO 8601 or Unix seconds")
    at = at.astimezone(timezone.utc)
    if at.year < 2000 or (at - now).total_seconds() > 3600:
        raise OrderInvalid(field, "must not lie in the future (nor before 2000)")
    return at


def _shipping(data: Mapping[str, Any], paid_at: datetime, tz: ZoneInfo,
              now: datetime) -> tuple[datetime | None, str, str]:
    """`shipped_at` with the optional `carrier` and `tracking_no`; these two need a `shipped_at`."""
    carrier, tracking = _text(data, "carrier", required=False), _text(data, "tracking_no", required=False)
    if carrier and not CARRIER.fullmatch(carrier):
        raise OrderInvalid("carrier", "must be 1 to 16 characters without spaces (顺丰, 中通快递)")
    if tracking and not TRACKING_NO.fullmatch(tracking):
        raise OrderInvalid("tracking_no", "must be 4 to 40 letters, digits or -")
    raw = data.get("shipped_at")
    if raw is None or raw == "":
        if carrier or tracking:
            raise OrderInvalid("shipped_at", "is required with carrier or tracking_no")
        return None, "", ""
    shipped = _paid_at(raw, tz, now, "shipped_at")
    if shipped < paid_at:
        raise OrderInvalid("shipped_at", "must not lie before paid_at")
    return shipped, carrier, tracking


def _birthday(value: str) -> str:
    if not value:
        return ""
    m = BIRTHDAY.fullmatch(value)
    if m is None or not valid_day(int(m[1]), int(m[2])):
        raise OrderInvalid("birthday", "must be MM-DD, e.g. 03-05")
    return f"{int(m[1]):02d}-{int(m[2]):02d}"


def valid_day(month: int, day: int) -> bool:
    try:
        datetime(2024, month, day)  # a leap year: 02-29 is a birthday
    except ValueError:
        return False
    return True


def parse_order(data: Any, config: OrdersConfig, *, tz: ZoneInfo, now: datetime) -> OrderInput:
    """A checked order; raises OrderInvalid naming the first bad field."""
    if not isinstance(data, Mapping):
        raise OrderInvalid("body", "must be a JSON object")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise OrderInvalid(unknown[0], "unknown field")
    order_id = _text(data, "order_id")
    if not ORDER_ID.fullmatch(order_id):
        raise OrderInvalid("order_id", "must be 1 to 64 letters, digits or _ . : -")
    ext, union, buyer = (_text(data, f, required=False) for f in ("external_userid", "unionid", "buyer_id"))
    if sum(bool(v) for v in (ext, union, buyer)) != 1:
        raise OrderInvalid("customer", "give exactly one of external_userid, unionid or buyer_id")
    if ext and not EXTERNAL_USERID.fullmatch(ext):
        raise OrderInvalid("external_userid", "is not an external_userid")
    if union and not UNIONID.fullmatch(union):
        raise OrderInvalid("unionid", "is not a unionid")
    if buyer:
        mapped = config.buyer_map().get(buyer)
        if mapped is None:
            raise OrderInvalid("buyer_id", "is not listed in [orders] buyers")
        ext = mapped
    channel = _text(data, "channel")
    if channel not in config.channels:
        raise OrderInvalid("channel", f"must be one of {'、'.join(config.channels)}")
    status = _text(data, "status")
    if status not in STATUSES:
        raise OrderInvalid("status", "must be paid or refunded")
    paid_at = _paid_at(data.get("paid_at"), tz, now)
    shipped_at, carrier, tracking_no = _shipping(data, paid_at, tz, now)
    return OrderInput(order_id=order_id, external_userid=ext, unionid_hash=unionid_hash(union) if union else "",
                      buyer_id=buyer, amount_fen=_amount(data.get("amount")), items=_items(data.get("items")),
                      paid_at=paid_at, channel=channel, status=status,
                      birthday=_birthday(_text(data, "birthday", required=False)),
                      shipped_at=shipped_at, carrier=carrier, tracking_no=tracking_no)
