"""A customer asking about their own order in the kf chat ("我的快递到哪了"): the facts Wanzi has.

Wanzi knows what the shop reported (the order id, when it was paid, the items, paid or refunded,
and when the parcel left with its carrier and tracking number if the shop reported that) and the
shop's promise (`[orders] ship_within_hours`), never the parcel's journey: the persona says where the
customer follows it (the order's channel) and invents nothing. An order whose parcel left is never
overdue. An order past the promise or
refunded, or a message the escalation rules give a person anyway (damaged goods, a refund, "人工", a
VIP's question), goes to a person with the order's facts in the ticket. Only the customer's own
orders are ever named: a number that is someone else's is "not found", like an unknown one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.wecom.events import KfEntry
from handlers.escalation.escalate import escalate, escalation_trigger
from handlers.escalation.rules import Trigger
from handlers.orders.asking import (
    GENERIC_THINGS,
    asks_about_order,
    asks_of_parcel,
    asks_when_it_ships,
    bought_when,
    late_parcel,
    named_order,
    names_own_purchase,
    order_alone,
    purchase_alone,
    waiting_for_parcel,
)
from handlers.orders.config import OrdersConfig
from handlers.replies.fallback import embedded_answer
from handlers.replies.followup import previous_turn
from handlers.services import Ctx
from persona.heard import heard
from storage.models import Customer, ShopOrder
from storage.repos.orders import OrderRepo

# The persona's lines after which a message that is only an order number is one ("T1001").
ASKED = ("order.ask_number#", "order.not_found#", "order.status#", "order.status_plain#", "order.shipped#")
ASK_MINUTES = 30
NAMED_AMONG = 10  # the customer's latest orders an item named in the message is looked for in
HISTORY = 6
HANDOFFS = ("asked_for_human", "sensitive")  # a person takes it whatever the order's state
SHOWN_ITEMS = 3
LATE = "order:包裹迟迟未到"  # the ticket reason of a customer complaining that the parcel is late
ON_ITS_WAY = timedelta(days=7)  # an order paid this recently is what "什么时候发货" asks of


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the persona may say about one order, in the customer's local time."""

    order_id: str
    paid: str  # "3月1日 14:30"
    items: str  # "柚子面霜×1、洁面乳×2"
    where: str  # where the tracking shows: "天猫的订单详情"
    hours: int  # the shipping promise; 0 = none
    due: str  # paid + hours
    refunded: str
    overdue: bool
    shipped: str = ""  # "3月2日 09:10" when the shop reported the parcel sent
    parcel: str = ""  # "（顺丰 SF1234567890）", "（顺丰）" or "" (what the shop sent of it)

    def for_ticket(self) -> str:
        state = (f"已退款 {self.refunded}" if self.refunded else f"已发货 {self.shipped}{self.parcel}"
                 if self.shipped else "已超过发货承诺" if self.overdue else "已支付")
        return f"订单 {self.order_id} · {self.paid} 付款 · {self.items} · {state}"


def _when(at: datetime, tz: str) -> str:
    local = at.astimezone(ZoneInfo(tz))
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _items(items: list[dict[str, object]]) -> str:
    shown = "、".join(f"{str(i.get('name', ''))[:30]}×{i.get('qty', 1)}" for i in items[:SHOWN_ITEMS])
    return shown + (f" 等 {len(items)} 件" if len(items) > SHOWN_ITEMS else "")


def _parcel(order: ShopOrder) -> str:
    """"（顺丰 SF1234567890）", "（顺丰）" or "": what the shop told of the parcel, ready to follow a verb."""
    told = f"{order.carrier} {order.tracking_no}".strip()
    return f"（{told}）" if told else ""


def order_facts(ctx: Ctx, order: ShopOrder) -> OrderFacts:
    tz, hours = ctx.settings.persona.timezone, ctx.settings.of(OrdersConfig).ship_within_hours
    due = order.paid_at + timedelta(hours=hours)
    refunded = _when(order.refunded_at or order.paid_at, tz) if order.status == "refunded" else ""
    place = "下单平台" if order.channel == "其他" else order.channel
    shipped = _when(order.shipped_at, tz) if order.shipped_at is not None else ""
    return OrderFacts(order.order_id, _when(order.paid_at, tz), _items(order.items), f"{place}的订单详情", hours,
                      _when(due, tz), refunded, not shipped and bool(hours) and ctx.clock.now() > due,
                      shipped, _parcel(order))


async def _number_asked(ctx: Ctx, customer: Customer, msgid: str) -> bool:
    """The persona asked for an order number (or offered to look up another) a moment ago."""
    since = ctx.clock.now() - timedelta(minutes=ASK_MINUTES)
    history = await ctx.repos.messages.recent(customer.id, HISTORY, channel="kf")
    return any(m.direction == "out" and m.template_key.startswith(ASKED) and m.created_at >= since
               for m in history if m.external_msgid != msgid)


async def _own_order(repo: OrderRepo, customer: Customer, number: str) -> ShopOrder | None:
    """The order with this id when it is the customer's; None for an unknown one or another's."""
    for candidate in dict.fromkeys((number, number.upper())):
        row = await repo.find(candidate)
        if row is not None and (row.customer_id == customer.id or (
                row.customer_id is None and customer.external_userid
                and row.external_userid == customer.external_userid)):
            return row
    return None


async def answer_order(ctx: Ctx, customer: Customer, written: str, msgid: str) -> bool:
    """Answer a message about the customer's own order with its facts (handing it to a person when
    it is late, refunded or the rules say so); False when the message is not about their order, or
    no shop ever reported an order, and the persona answers it as usual. Read as heard
    (persona/heard.py: "我的訂單到哪了"); a person is given it as `written`."""
    text = heard(written)
    status = asks_about_order(text)
    number = named_order(text) if status else None
    if not status:
        alone, said = order_alone(text)  # "订单号是T1001"; a bare "T1001" only when we asked for one
        if alone is not None and (said or await _number_asked(ctx, customer, msgid)):
            number = alone
    if not status and number is None and asks_of_parcel(text) and (
            named := await _purchase_named_before(ctx, customer, msgid)):
        status, text = True, f"{named} {text}"  # "到了吗" right after "上个月买的那个" and the order named
    if not status and number is None and asks_when_it_ships(text) and await _on_its_way(ctx, customer):
        status = True  # "什么时候发货" a day after paying: their order's facts, which say the promise too
    trigger: Trigger | None = None
    thing = purchase_alone(text) if not status and number is None else None  # "上个月买的那个"
    if not status and number is None:  # "我买的面霜收到是碎的": a person, with the order's facts
        if not names_own_purchase(text):
            return False
        trigger = await escalation_trigger(ctx, text, can_answer=True)
        if trigger is not None and trigger.reason in HANDOFFS:
            thing = None
        elif thing is None:
            return False
    repo = OrderRepo(ctx.session)
    if not await repo.exists():
        return await _ask_a_person(ctx, customer, written, msgid) if status and waiting_for_parcel(text) else False
    trigger = trigger or await escalation_trigger(ctx, text, can_answer=True)
    if thing is not None:
        if trigger is not None:
            return False  # "上周买的那个" said with a hand-off's words: the usual way
        return await _about_purchase(ctx, customer, text, thing, await repo.of_customer(customer.id, NAMED_AMONG))
    if number is not None:
        order = await _own_order(repo, customer, number)
    else:
        order = _named_by_item(text, recent := await repo.of_customer(customer.id, NAMED_AMONG)) or _bought_then(
            ctx, text, recent) or next(iter(recent), None)
    if order is None:
        if trigger is not None and trigger.reason in HANDOFFS:
            return False  # the usual hand-off, without an order to name
        await ctx.say("order.not_found" if number else "order.ask_number", name=customer.name, order_id=number or "")
        return True
    facts = order_facts(ctx, order)
    key, reason = _verdict(facts, trigger, late=late_parcel(text))
    await ctx.say(key, name=customer.name, order_id=facts.order_id, paid=facts.paid, items=facts.items,
                  where=facts.where, hours=facts.hours, due=facts.due, refunded=facts.refunded,
                  shipped=facts.shipped, parcel=facts.parcel)
    if reason is not None:
        await escalate(ctx, reason=reason, question=f"{written}（{facts.for_ticket()}）")
    return True


async def _about_purchase(ctx: Ctx, customer: Customer, text: str, thing: str, recent: list[ShopOrder]) -> bool:
    """A purchase named with nothing asked ("上个月买的那个", "我上周买的面霜"): the order it is (by the item named,
    else the one paid when they say, else the newest), its state, and what they want to know of it
    (`order.about`); the order number asked when none of theirs is known. False when the item said is in none of
    their orders ("我买的面霜很好用" tells of it): the message is read as usual."""
    named = None
    if thing not in GENERIC_THINGS:
        if not any(thing in str(item.get("name", "")) for order in recent for item in order.items):
            return False
        named = _named_by_item(thing, recent)
    order = named or _bought_then(ctx, text, recent) or next(iter(recent), None)
    if order is None:
        await ctx.say("order.ask_number", name=customer.name)
        return True
    facts = order_facts(ctx, order)
    state = (f"已经退款（{facts.refunded}）" if facts.refunded else f"已经在 {facts.shipped} 发出{facts.parcel}"
             if facts.shipped else "已经超过发货承诺、还没发出" if facts.overdue else "还在等待发货")
    await ctx.say("order.about", name=customer.name, order_id=facts.order_id, paid=facts.paid, items=facts.items,
                  state=state)
    return True


def _bought_then(ctx: Ctx, text: str, orders: list[ShopOrder]) -> ShopOrder | None:
    """The latest of these orders (newest first) paid when the message says it was bought ("上个月买的那个": last
    calendar month; "上周", "昨天", "今天" …); None when it tells no time or no order was paid then."""
    when = bought_when(text)
    if not when:
        return None
    today = ctx.local_now.date()
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    spans = {"今天": (today, today), "昨天": (today - timedelta(days=1),) * 2, "前天": (today - timedelta(days=2),) * 2,
             "这个月": (first, today), "这月": (first, today), "上个月": (last_month, first - timedelta(days=1)),
             "上月": (last_month, first - timedelta(days=1))}
    for week in ("这周", "这星期", "这个星期", "这礼拜", "这个礼拜"):
        spans[week] = (monday, today)
    for week in ("上周", "上星期", "上个星期", "上礼拜", "上个礼拜"):
        spans[week] = (monday - timedelta(days=7), monday - timedelta(days=1))
    span = spans.get(when)
    if span is None:
        return None
    tz = ctx.local_now.tzinfo
    return next((o for o in orders if span[0] <= o.paid_at.astimezone(tz).date() <= span[1]), None)


async def _on_its_way(ctx: Ctx, customer: Customer) -> bool:
    """The customer's latest order was paid within `ON_ITS_WAY` and not refunded: a parcel they may be waiting for."""
    latest = next(iter(await OrderRepo(ctx.session).of_customer(customer.id, 1)), None)
    return latest is not None and latest.status != "refunded" and latest.paid_at >= ctx.clock.now() - ON_ITS_WAY


async def _purchase_named_before(ctx: Ctx, customer: Customer, msgid: str) -> str:
    """What the customer said that the persona answered with the order it named (`order.about`) a moment ago ("上个月
    买的那个"): a question of the parcel now ("到了吗") is about that order; "" otherwise."""
    since = ctx.clock.now() - timedelta(minutes=ASK_MINUTES)
    history = [m for m in await ctx.repos.messages.recent(customer.id, HISTORY, channel="kf")
               if m.external_msgid != msgid]
    last = next((n for n in reversed(range(len(history))) if history[n].direction == "out"), None)
    if last is None or not history[last].template_key.startswith("order.about#") or history[last].created_at < since:
        return ""
    said = next((m for m in reversed(history[:last]) if m.direction == "in" and not m.staff_userid), None)
    return heard(said.text) if said is not None else ""


def _runs(order: ShopOrder) -> set[str]:
    names = [str(item.get("name", "")) for item in order.items]
    return {name[i:i + 2] for name in names for i in range(len(name) - 1)}


def _named_by_item(text: str, orders: list[ShopOrder]) -> ShopOrder | None:
    """The latest of these orders (newest first) whose item the message names ("上个月买的面霜到了没": 柚子面霜, not the
    newer 柚子洁面): a two-character run of an item's name that not every one of these orders has (柚子 tells
    none of them apart); None when it names none."""
    runs = [_runs(order) for order in orders]
    common = set.intersection(*runs) if runs else set()
    return next((order for order, own in zip(orders, runs, strict=True) if any(r in text for r in own - common)), None)


async def _ask_a_person(ctx: Ctx, customer: Customer, written: str, msgid: str) -> bool:
    """No shop reports orders and the customer waits for a parcel ("我的快递到哪了"): the knowledge
    base's shipping policy when it is sure and did not just say it ("我问的是我的单子发了没有" right after
    the policy), else a question only a person can look into (the order number sent next joins it),
    never a 猜你想问 of products. A complaint that it is late ("你们这个快递也太慢了吧 五天了还没到") is
    no policy question: an apology (order.late), then a person (a ticket; the question when escalation
    is off). A message the escalation rules give a person (a refund, "人工", a VIP) goes the usual way."""
    text = heard(written)
    if not isinstance(ctx.event, KfEntry) or await escalation_trigger(ctx, text, can_answer=False):
        return False
    if late_parcel(text):
        await ctx.say("order.late", name=customer.name)
        if await escalate(ctx, reason=LATE, question=written) is not None:
            return True
    else:
        await ctx.services.knowledge.sync(ctx.session)
        policy = await ctx.services.knowledge.best(written)
        if policy is not None:
            turn = await previous_turn(ctx, customer, msgid)
            if turn is None or policy.entry.id not in turn.answered:
                return False
    await embedded_answer(ctx, customer, ctx.event.open_kfid, "question", written)
    return True


def _verdict(facts: OrderFacts, trigger: Trigger | None, *, late: bool = False) -> tuple[str, str | None]:
    """The line to say and the ticket reason, if a person must take it. A customer complaining that a
    parcel the shop sent is late ("五天了还没到") gets the facts and a person."""
    if trigger is not None and trigger.reason in HANDOFFS:
        return "order.handoff", trigger.code
    held = trigger.code if trigger is not None else None  # a VIP's question: the answer, then a person
    if facts.refunded:
        return "order.refunded", held or "order:已退款"
    if facts.shipped:  # on its way, yet the customer has waited too long: a person asks the courier
        return "order.shipped", held or (LATE if late else None)
    if facts.overdue:
        return "order.overdue", held or "order:超过发货承诺"
    return ("order.status" if facts.hours else "order.status_plain"), held
