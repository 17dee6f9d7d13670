"""A price asked of nothing named: "多少钱啊", "这个多少钱" as the first thing a customer says. Nobody at
the shop could answer it, so it is not queued for a colleague: the persona asks which product they mean
(`reply.which_product`). The customer's next message naming one ("柚润保湿霜", "就那个面霜呀"), less than
FOLLOWUP_MINUTES later, is then the price question for it ("柚润保湿霜多少钱啊"), read as if asked so: the
knowledge base's answer when it gives a price, else a question for staff with the product named. A message
telling about the customer instead ("我是干皮") names no product and is read as said.

A price asked after questions that named no product and got answers recommending none ("多久能到" → the
shipping answer, then "多少钱啊") is asked which product too (`no_product_before`). A price asked of a product by
name ("柚润保湿霜多少钱", "保湿霜多少钱") names it back when no entry gives the price.

Right after an answer that recommends a product by name ("干皮推荐「柚润保湿霜」"), "多少钱" and "这个多少钱" ask
its price ("柚润保湿霜多少钱"), read so in the same way. With something else said before it (another answer, a
product named, a photo, a push), "这个多少钱" leans on that as it always did (handlers/replies/history.py
`asked_before`, followup.py).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Sequence

from handlers.escalation.rules import is_question
from handlers.replies.followup import ANSWERS, OFFERS, RECOMMENDED, previous_turn
from handlers.replies.history import FOLLOWUP_MINUTES, HISTORY, kf_history
from handlers.replies.price import asks_price
from handlers.replies.shopping import item_named, said_before
from handlers.replies.smalltalk import MEDIA, TRIM, classify
from handlers.services import Ctx
from persona.faq import FaqEntry
from persona.heard import heard
from storage.models import Customer

_UNIT = r"(瓶|盒|支|个|套|件|罐|只|片|份)"
# The asking words of a price question, alone: "多少钱", "什么价", "价格多少", "怎么卖", "多少钱一瓶".
_ASK = (rf"(多少钱(一{_UNIT})?|一{_UNIT}(要)?多少钱|(是)?什么价(格|位|钱)?|啥价(格|位|钱)?|几块钱|怎么卖(的)?|"
        r"卖多少(钱)?|(价格|价钱|价位)(是)?(多少|多少钱|怎么样)?)")
# Before them, nothing that names a product: "请问", "这个", "你们家的", "那".
_VAGUE = re.compile(r"^(请问|问一下|问下|想问下|想问一下|那|那么|所以)?(你们|你家|你们家)?"
                    rf"(这个|那个|这款|那款|这种|那种|这瓶|那瓶|这支|这套|这些|这|那|它)?(的)?(大概|大约|一般|差不多)?"
                    rf"(?P<ask>{_ASK})(的)?(呀|啊|呢|哦|嘛|吖|哈|来着)?[?？。.!！~～\s]*$")
# A price asked of a product named: "柚润保湿霜多少钱", "你们家保湿霜大概多少钱一瓶" (the name read as a product the
# knowledge base recommends, `named_product`).
_NAMED_PRICE = re.compile(r"^(请问|问一下|问下|想问下|想问一下|那|那么)?(你们家|你家|你们)?(那个|这个)?"
                          r"(?P<name>[^\s，,。?？]{2,12}?)"
                          rf"(的)?(大概|大约|一般|差不多)?(?P<ask>{_ASK})(的)?(呀|啊|呢|哦|嘛|吖|哈|来着)?[?？。.!！~～\s]*$")
# Saying which one they mean: "我说的是保湿霜", "就那个面霜呀" name 保湿霜, 那个面霜. What is left may tell about
# the customer instead ("我是干皮", "我皮肤比较干"): no product, a statement of its own.
_MEANT = re.compile(r"^(我(想)?(说|问|要|指|找)(的)?(是)?|就是|就|是)")
_ABOUT_THEMSELVES = ("我", "本人")
_SHOWN = frozenset(f"[{kind}]" for kind in MEDIA)  # a photo, a link, a product card (bot/middlewares.py)
MAX_NAMED = 20  # characters: a longer message says more than a product's name


def unnamed_price(text: str) -> bool:
    """"多少钱啊", "这个多少钱", "价格多少": a price asked that names no product."""
    return _VAGUE.match(text.strip()) is not None


async def nothing_before(ctx: Ctx, customer: Customer, msgid: str) -> bool:
    """Nothing in the chat before message `msgid` says what "这个" is: in the last FOLLOWUP_MINUTES the
    customer said only small talk (no question, statement or photo) and the persona only chatted back
    or welcomed them, and no push or staff message came just before."""
    since = ctx.clock.now() - timedelta(minutes=FOLLOWUP_MINUTES)
    history = [m for m in await kf_history(ctx, customer, HISTORY) if m.external_msgid != msgid]
    if history and history[-1].direction == "out" and (history[-1].kind == "push" or history[-1].staff_userid):
        return False  # "这个多少钱" right after a push or a colleague's message: about what it showed
    for message in history:
        if message.created_at < since:
            continue
        text = message.text.strip()
        if message.direction == "in" and (message.staff_userid or text in _SHOWN or classify(heard(text)) is None):
            return False
        if message.direction == "out" and not message.template_key.startswith(("chat.", "greeting.")):
            return False
    return True


async def no_product_before(ctx: Ctx, customer: Customer, msgid: str) -> bool:
    """Nothing in the chat before message `msgid` names a product a price could be of: small talk only
    (`nothing_before`), or, in the last FOLLOWUP_MINUTES, questions naming no product that the knowledge base
    answered (or offered entries for) with no product recommended ("多久能到" → the shipping answer, then "多少钱啊":
    which product, not a colleague's promise); a photo, a link, a push, a colleague's line or a question left open
    say what "这个" is."""
    if await nothing_before(ctx, customer, msgid):
        return True
    since = ctx.clock.now() - timedelta(minutes=FOLLOWUP_MINUTES)
    products = product_words(ctx.services.knowledge.entries)
    history = [m for m in await kf_history(ctx, customer, HISTORY)
               if m.external_msgid != msgid and m.created_at >= since]
    for message in history:
        text = message.text.strip()
        if message.staff_userid or message.kind == "push" or text in _SHOWN or RECOMMENDED.search(text) or (
                message.direction == "in" and any(w in text for w in products)):
            return False
        if message.direction == "out" and not message.template_key.startswith(("chat.", "greeting.", *ANSWERS,
                                                                                *OFFERS)):
            return False  # a question left open, a wish asked about: "这个" may be that
    return True


def product_words(entries: Sequence[FaqEntry]) -> set[str]:
    """The words that name a product the knowledge base recommends: its name ("柚润保湿霜") and the keywords of the
    entries recommending it that are no skin type ("面霜"; not "发货", "顺丰" of the shipping entry)."""
    recommending = [e for e in entries if RECOMMENDED.search(e.answer)]
    return {name for e in recommending for name in RECOMMENDED.findall(e.answer)} | {
        w for e in recommending for w in e.keywords if item_named([e], w) == w}


def recommended_names(entry: FaqEntry) -> list[str]:
    """The products an entry's answer recommends by name ("干皮推荐「柚润保湿霜」" → ["柚润保湿霜"])."""
    return RECOMMENDED.findall(entry.answer)


def named_product(entries: Sequence[FaqEntry], text: str) -> str:
    """The product a price question names, as the knowledge base recommends it ("柚润保湿霜多少钱", "保湿霜多少钱" →
    "柚润保湿霜": the one recommended name it is part of), "" when it names none or several."""
    found = _NAMED_PRICE.match(text.strip())
    if found is None:
        return ""
    names = {name for e in entries for name in RECOMMENDED.findall(e.answer) if found["name"] in name}
    return names.pop() if len(names) == 1 else ""


def recommended(entries: Sequence[FaqEntry], answered: frozenset[str]) -> str:
    """The one product the entries just answered recommend by name ("柚润保湿霜"), else ""."""
    names = {name for e in entries if e.id in answered for name in RECOMMENDED.findall(e.answer)}
    return names.pop() if len(names) == 1 else ""


async def priced_product(ctx: Ctx, customer: Customer, msgid: str, text: str,
                         said: str) -> tuple[str, str, str] | None:
    """The price question the customer's message `msgid` completes: a price asked of nothing named
    ("多少钱") right after an answer recommending a product, or, when the persona's last line (less than
    FOLLOWUP_MINUTES ago) asked which product they meant, a message naming one rather than asking
    something else or telling about themselves ("我是干皮"): (as heard, as written, the product), e.g.
    ("柚润保湿霜多少钱啊", ..., "柚润保湿霜")."""
    if text and (vague := _VAGUE.match(text.strip())) is not None:
        turn = await previous_turn(ctx, customer, msgid)
        product = recommended(ctx.services.knowledge.entries, turn.answered) if turn is not None else ""
        return (f"{product}{vague['ask']}", f"{product}{vague['ask']}", product) if product else None
    if text and (product := named_product(ctx.services.knowledge.entries, text)):
        return heard(text), text, product  # "柚润保湿霜多少钱": asked as said, the product named back
    if not text or len(text) > MAX_NAMED or asks_price(text) or classify(text) is not None:
        return None
    product = _MEANT.sub("", text.rstrip(TRIM))
    if not product or product.startswith(_ABOUT_THEMSELVES):
        return None
    if is_question(text.rstrip(TRIM + "呢吗么")):  # "保湿霜呢" names it; "多久发货" asks something else
        return None
    asked = await said_before(ctx, customer, msgid, ("reply.which_product#",))
    found = _VAGUE.match(heard(asked)) if asked else None
    if found is None:
        return None
    ask = found["ask"]
    return f"{product}{ask}", f"{said.strip().rstrip(TRIM)}{ask}", product
