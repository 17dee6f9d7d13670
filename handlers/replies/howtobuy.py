"""How or where to buy a product named: "还想再买两瓶面霜 怎么买", "面霜用完了想回购 在哪下单啊", "柚润保湿霜在哪能买
到". The sentence model is sure of the cream's recommendation for the first (it shares 面霜) and not sure of anything
for the others, yet the customer knows the product and asks the way to it: the knowledge base's entry for buying
("怎么买": the where-to-buy entry, when its answer names a shop, a marketplace, a store or the mini program) answers,
with the product named back (`reply.buy_where`), never the product's pitch again nor "I don't know". A product the
knowledge base does not recommend ("防晒霜怎么买") is not taken for one it does: that goes the usual way."""

from __future__ import annotations

from typing import Sequence

from handlers.replies.asked import asks_how_to_buy, gives_shop, names_a_shop, sold_asked
from handlers.replies.unnamed import product_words, recommended_names
from handlers.services import Ctx
from persona.faq import FaqEntry
from persona.followup import topics
from persona.heard import heard
from persona.wording import plain

# The buying words a knowledge base is asked with when those of the customer leave it unsure ("在哪下单" is near
# the shipping entry too): the plain question an entry for buying answers.
PLAIN = "怎么买"


def product_to_buy(entries: Sequence[FaqEntry], text: str) -> str:
    """The product a message names as the knowledge base recommends it: the name an entry recommends when the
    message names it, a part of it or a keyword of that entry ("柚润保湿霜", "保湿霜", "面霜" → "柚润保湿霜"); ""
    when it names none (or several)."""
    names = {n for e in entries for n in recommended_names(e)
             if any(w in text for w in product_words([e])) or any(n[i:i + 3] in text for i in range(len(n) - 2))}
    return names.pop() if len(names) == 1 else ""


def _all_of(entry: FaqEntry) -> str:
    return " ".join((entry.answer, *entry.questions, *entry.keywords))


def only_buying(text: str, asked: str) -> bool:
    """A few words asking how or where to buy and nothing else, naming no product nor shop ("你们东西怎么买呀",
    "请问你们家的产品在哪里可以买到"): the entry for buying as it is, not offered yes or no."""
    return (len(text) <= 20 and not sold_asked(text) and not names_a_shop(text)
            and not topics(plain(text.replace(asked, " "))))


async def buying_entry(ctx: Ctx, text: str) -> tuple[FaqEntry, str] | None:
    """For a message asking how or where to buy a product the knowledge base recommends: the entry for buying and
    the product, named as recommended; for one asking only that (`only_buying`), the entry and ""; None otherwise
    (a product it does not name ("防晒霜在哪买"): an unanswered question)."""
    asked = asks_how_to_buy(text)
    kb = ctx.services.knowledge
    if not asked:
        return None
    product = product_to_buy(kb.entries, text)
    if not product and not only_buying(text, asked) or product and not all(
            any(kind in _all_of(e) for e in kb.entries) for kind in sold_asked(text)):
        return None
    await kb.sync(ctx.session)
    for question in dict.fromkeys((heard(asked), PLAIN)):
        match = await kb.best(question)
        if match is not None and gives_shop(match.entry):
            return match.entry, product
    return None
