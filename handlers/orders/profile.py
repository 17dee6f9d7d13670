"""A customer's purchases where staff look: /whois and the console's customer page (orders, lifetime
value, last purchase, and the latest orders)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.appkeys import CONFIG
from bot.console.html import local_time, render, table
from handlers.services import Ctx
from storage.models import Customer, ShopOrder
from storage.repos.orders import OrderRepo, OrderSummary

RECENT = 5
STATUS = {"paid": "已支付", "refunded": "已退款"}


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def _day(at: datetime | None, tz: str) -> str:
    return f"{at.astimezone(ZoneInfo(tz)):%Y-%m-%d}" if at is not None else "—"


def summary_text(summary: OrderSummary, tz: str) -> str:
    if not summary.orders:
        return "暂无订单"
    return f"{summary.orders} 笔 · 累计 {yuan(summary.lifetime_fen)} · 最近购买 {_day(summary.last_paid_at, tz)}"


async def whois_line(ctx: Ctx, customer: Customer) -> str:
    """The /whois line: paid orders, lifetime value and the last purchase."""
    summary = await OrderRepo(ctx.session).summary(customer.id)
    return f"订单：{summary_text(summary, ctx.settings.persona.timezone)}"


def items_text(order: ShopOrder, limit: int = 80) -> str:
    return "、".join(f"{i.get('name')}×{i.get('qty')}" for i in order.items)[:limit]


async def sidebar_orders(ctx: Ctx, customer: Customer) -> str:
    """The chat sidebar's 订单: the /whois summary and the latest order, what a customer asking "我的快递到哪了"
    beside the chat means (its id, items, amount, and paid, sent or refunded)."""
    tz = ctx.settings.persona.timezone
    summary = await OrderRepo(ctx.session).summary(customer.id)
    latest = await OrderRepo(ctx.session).of_customer(customer.id, 1)
    if not latest:
        return summary_text(summary, tz)
    o = latest[0]
    state = STATUS.get(o.status, o.status)
    if o.status == "paid" and o.shipped_at is not None:
        parcel = " ".join(part for part in (o.carrier, o.tracking_no) if part)
        state = f"{local_time(o.shipped_at, tz)} 已发货" + (f"（{parcel}）" if parcel else "")
    elif o.status == "paid":
        state = "已支付，未发货"
    head = summary_text(summary, tz) if summary.orders else "没有已支付的订单"
    return (f"{head}；最近一单 {o.order_id}（{o.channel} · {local_time(o.paid_at, tz)} · {items_text(o, 40)} · "
            f"{yuan(o.amount_fen)} · {state}）")


async def order_facts(ctx: Ctx, customer: Customer) -> list[tuple[str, str]]:
    summary = await OrderRepo(ctx.session).summary(customer.id)
    tz = ctx.settings.persona.timezone
    return [("订单", f"{summary.orders} 笔"), ("累计消费", yuan(summary.lifetime_fen)),
            ("最近购买", _day(summary.last_paid_at, tz))]


async def orders_panel(request: web.Request, ctx: Ctx, customer: Customer, form: object) -> str:
    """The 订单 section: the latest orders with channel, amount, items and status."""
    tz = request.config_dict[CONFIG].persona.timezone
    orders = await OrderRepo(ctx.session).of_customer(customer.id, RECENT)
    rows = [(local_time(o.paid_at, tz), o.order_id, o.channel, yuan(o.amount_fen),
             items_text(o), STATUS.get(o.status, o.status),
             f"{o.points:+d}" if o.points else "—") for o in orders]
    return render("<h3>订单</h3>$t", t=table(["支付时间", "订单号", "渠道", "金额", "商品", "状态", "积分"], rows,
                                             empty="还没有订单", cls="orders"))
