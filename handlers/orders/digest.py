"""Digest, value section: orders, GMV and average order value of the day (orders paid that day and
not refunded since), GMV by channel, refunds, the repurchase rate and the conversion from a kf
conversation to a purchase. SQL aggregates over `shop_order` (paid_at and refunded_at indexed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Mapping

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digest_metrics import Breakdown, Metric, Provider, Value, Window, ratio
from storage.models import Message, ShopOrder

ORDERS = Metric("value.orders", "订单数", "value", priority=1, note="当天支付、至今未退款的订单（含待匹配客户的订单）")
GMV = Metric("value.gmv", "成交额（元）", "value", priority=1, note="上述订单的金额合计，元（按分累加后取整）")
AOV = Metric("value.aov", "客单价（元）", "value", priority=2, note="成交额 ÷ 订单数")
GMV_BY_CHANNEL = Metric("value.gmv_by_channel", "成交额按渠道（元）", "value", kind="breakdown", priority=3,
                        note="上述订单的金额按下单渠道（天猫、小程序……）分，元")
REFUNDS = Metric("value.refunds", "退款订单", "value", priority=3, better=-1, note="当天标记退款的订单")
REPURCHASE = Metric("value.repurchase_rate", "复购率（90天）", "value", kind="rate", priority=2,
                    note="截至当天结束的 90 天内有支付订单的客户中，支付 ≥2 单的比例")
CONVERSION = Metric("conversion.chat_to_purchase", "咨询转化率（7天）", "conversion", kind="rate", priority=2,
                    note="当天在微信客服发过消息的客户中，当天起 7 天内有支付订单的比例（近 7 天的数字还会增长）")

REPURCHASE_DAYS, CONVERSION_DAYS = 90, 7


def _yuan(fen: int) -> int:
    return (fen + 50) // 100


async def orders_value(session: AsyncSession, window: Window) -> Mapping[str, Value]:
    paid = (ShopOrder.status == "paid", window.covers(ShopOrder.paid_at))
    rows = (await session.execute(select(ShopOrder.channel, func.count(), func.sum(ShopOrder.amount_fen))
                                  .where(*paid).group_by(ShopOrder.channel))).all()
    orders = sum(int(n) for _, n, _ in rows)
    fen = sum(int(s or 0) for _, _, s in rows)
    by_channel = sorted(((str(c), _yuan(int(s or 0))) for c, _, s in rows), key=lambda item: (-item[1], item[0]))
    refunds = int(await session.scalar(select(func.count()).select_from(ShopOrder).where(
        ShopOrder.status == "refunded", window.covers(ShopOrder.refunded_at))) or 0)
    period = and_(ShopOrder.status == "paid", ShopOrder.customer_id.is_not(None),
                  ShopOrder.paid_at >= window.end - timedelta(days=REPURCHASE_DAYS), ShopOrder.paid_at < window.end)
    per_customer = (select(func.count().label("n")).where(period).group_by(ShopOrder.customer_id)).subquery()
    buyers, repeat = (await session.execute(select(func.count(), func.sum(case((per_customer.c.n >= 2, 1), else_=0)))
                                            .select_from(per_customer))).one()
    chatted = select(Message.customer_id).where(window.covers(Message.created_at), Message.direction == "in",
                                                Message.channel == "kf", Message.customer_id.is_not(None)).distinct()
    chatters = chatted.subquery()
    bought = exists().where(ShopOrder.customer_id == chatters.c.customer_id, ShopOrder.status == "paid",
                            ShopOrder.paid_at >= window.start,
                            ShopOrder.paid_at < window.start + timedelta(days=CONVERSION_DAYS))
    talked, converted = (await session.execute(select(func.count(), func.sum(case((bought, 1), else_=0)))
                                               .select_from(chatters))).one()
    return {ORDERS.key: orders, GMV.key: _yuan(fen), AOV.key: round(fen / orders / 100, 2) if orders else None,
            GMV_BY_CHANNEL.key: Breakdown(tuple(by_channel)), REFUNDS.key: refunds,
            REPURCHASE.key: ratio(int(repeat or 0), int(buyers or 0)),
            CONVERSION.key: ratio(int(converted or 0), int(talked or 0))}


VALUE = Provider("orders", (ORDERS, GMV, AOV, GMV_BY_CHANNEL, REFUNDS, REPURCHASE, CONVERSION), compute=orders_value,
                 order=78)
