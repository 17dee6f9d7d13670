"""猜你想问: when the knowledge base is not sure but has plausible entries, the persona asks which one
the customer means instead of queueing the question at once.

A question with no confident entry whose best entry still reaches `[faq] clarify_threshold` gets the
best one or two entries' first phrasings, numbered (`reply.clarify`; one entry alone is asked yes or no, "你是想问
「下单后多久发货」吗？"), and the offer is kept per
customer (`faq_offer`) for `clarify_minutes`. The customer's next text message settles it: a number
or "第一个" ("是"/"对" when there was one option) gets that entry's answer (`reply.faq`); "都不是" sends
the original question to the staff queue exactly as it would have gone (handlers/questions), so
every promise is still kept; asking for a person ("转人工") hands the offer's question to the ticket;
a detail that tells which entry it is (a kind of skin, season ... that exactly one option is for: "她偏干" after
"1. 孕妇可以用吗 2. 干皮用什么面霜") gets that entry's answer too; anything else drops the offer and is answered as
usual. With the
model on (`[llm] enabled`) the model is asked first; when it declines ("[不知道]"), fails or its
answer is rejected, the offer is made the same way (handlers/replies/llm/worker.py).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

from handlers.escalation.config import EscalationConfig
from handlers.escalation.rules import asks_for_human, is_question
from handlers.replies.asked import (
    change_unspoken,
    gives_what_is_asked,
    keeps_to,
    names_thing_asked,
    speaks_of,
    untold_ingredient,
)
from handlers.replies.config import FaqConfig
from handlers.replies.expiry import expiring
from handlers.replies.fallback import embedded_answer
from handlers.replies.shopping import skin_told
from handlers.replies.voice import Say, tell
from handlers.services import Ctx
from persona.faq import FaqEntry, clarify_options
from persona.heard import heard
from persona.matcher import concepts, kinds
from storage.models import Customer
from storage.repos.replies import FaqOfferRepo

if TYPE_CHECKING:
    from handlers.replies.knowledge import KnowledgeBase

NONE_FITS = -1
# What a customer writes to pick an option (index into the options offered).
PICKS = {"1": 0, "一": 0, "第一": 0, "第一个": 0, "第1个": 0, "1个": 0, "选1": 0, "第一条": 0,
         "2": 1, "二": 1, "第二": 1, "第二个": 1, "第2个": 1, "2个": 1, "选2": 1, "第二条": 1}
YES = frozenset("是 对 是的 对的 嗯 嗯嗯 对对 对对对 嗯对 是是 没错 是这个 就是这个 对就是这个 是它 是滴 对滴 "
                "是这个问题 就是这个问题 就是想问这个 就问这个 想问这个".split())
NO = frozenset("都不是 不是 都不对 不对 都没有 没有 都不是的 不是的 不是这个 都不是这个".split())
_TRIM = " \t\r\n。.!！?？~～,，、"
_PARTICLES = "呀啊哦吧呢嘛啦哈"


def choice(text: str, options: int) -> int | None:
    """The option a reply picks (0-based), NONE_FITS, or None when it is about something else."""
    words = text.strip(_TRIM).translate(str.maketrans("１２", "12"))
    while len(words) > 1 and words[-1] in _PARTICLES:
        words = words[:-1].rstrip(_TRIM)
    if words in NO:
        return NONE_FITS
    if words in YES:
        return 0 if options == 1 else None
    picked = PICKS.get(words)
    return picked if picked is not None and picked < options else None


# "不是 我问的是防晒", "不对，我是想问防晒霜": none fits, said with what was meant (a denial, then more words).
_DENIED_WITH = re.compile(r"^(?:都不是|不是|都不对|不对)(?:的|这个|这个问题)?[，,。.!！\s～~]+(?P<rest>\S.*)$")


def denied_with(text: str) -> str:
    """What a denial of the offer adds ("不是 我问的是防晒" → "我问的是防晒"); "" when it is no such denial."""
    found = _DENIED_WITH.match(text.strip(_TRIM))
    return found["rest"].strip(_TRIM) if found else ""


# A detail told, not a question nor a denial ("不是干皮", "她没怀孕" tell what it is not).
_DENIED = re.compile(r"不|没")


def pointed_at(text: str, options: list[FaqEntry]) -> FaqEntry | None:
    """The one offered entry a detail told right after the offer is for: the detail names a kind (of skin, season
    ...: persona/matcher.py EXCLUSIVE; "她偏干" is dry skin, shopping.py `skin_told`) and exactly one option is for
    it in its phrasings or keywords ("2. 干皮用什么面霜", not "1. 孕妇可以用吗"); None when the detail asks something,
    denies, names no kind or fits none or several."""
    text = text.strip()
    if not text or len(text) > 20 or is_question(text) or _DENIED.search(text):
        return None
    told = kinds(skin_told(text))
    fits = [e for e in options if told & kinds(" ".join((*e.questions, *e.keywords)))]
    return fits[0] if told and len(fits) == 1 else None


_CLAUSES = re.compile(r"[，,。.！!～~\s]+")


def asked_last(text: str) -> str:
    """The last clause of a message told as a story ending in a question ("她点名要你们家保湿的那个 在哪买靠谱" →
    "在哪买靠谱"), when it asks something itself; "" for a message of one clause or one ending in no question."""
    clauses = [c for c in _CLAUSES.split(text.strip()) if c]
    last = clauses[-1] if len(clauses) >= 2 else ""
    return last if len(last) >= 3 and is_question(last) else ""


def listing(questions: list[str]) -> str:
    return "\n".join(f"{n}. {q}" for n, q in enumerate(questions, 1))


async def offer_choices(ctx: Ctx, customer: Customer, open_kfid: str, question: str,
                        answered: frozenset[str] = frozenset()) -> bool:
    """Offer the plausible entries for a question the knowledge base is not sure of; False when
    there are none (below `clarify_threshold`, or the feature is off): the caller queues it.
    `answered`: entries answered a moment ago ("退回去的运费谁出" right after the returns answer, which
    says nothing of postage): offering one again would only repeat it. A story told before the question ("给我老婆买
    她点名要你们家保湿的那个 在哪买靠谱") that leaves no entry plausible is offered the entries of its last clause,
    the question ("在哪买靠谱"); the offer keeps the whole message ("都不是" queues it as it was said)."""
    kb, config = ctx.services.knowledge, ctx.settings.of(FaqConfig)
    options = [e for e in await plausible(kb, config, question) if e.id not in answered]
    if not options and (last := asked_last(question)):  # a story, then the question: what the last clause asks
        # what the story named stays asked of: "想买你们家的防晒 在哪下单" is never the shops for the cream
        options = [e for e in await plausible(kb, config, last) if e.id not in answered
                   and keeps_to(e, heard(question))]
    if options:
        await offer(ctx, customer, open_kfid, question, options)
    return bool(options)


async def plausible(kb: KnowledgeBase, config: FaqConfig, question: str) -> list[FaqEntry]:
    """The entries worth offering for a question (none below `clarify_threshold`, or when it is 0);
    to "那个霜多少钱", only entries that name a price, to "先涂哪个" an order (asked.py: the cream's
    recommendation answers neither); none that does not speak of the concept or the skin type the
    question names ("全成分表", "敏感肌": asked.py `speaks_of`), nor one that does not name the ingredient asked of
    ("有防腐剂吗": asked.py `untold_ingredient`), nor one that does not speak of what the question says expires
    ("积分会过期吗": expiry.py), nor, for a change asked ("能改成10寸吗") or a thing asked whether we sell
    ("有没有咖啡卖"), one that speaks of no change or never names that thing (asked.py `change_unspoken`,
    `names_thing_asked`).
    Embeds in a thread: the model's worker asks before it opens its write transaction."""
    if config.clarify_threshold <= 0:
        return []
    options = clarify_options(await kb.rank(question, 2), config.clarify_threshold, kb.threshold)
    owner = expiring(heard(question))  # "积分会过期吗": the points, never the cream's shelf life (expiry.py)
    return [e for e in options if gives_what_is_asked(e, heard(question)) and speaks_of(e, heard(question))
            and not untold_ingredient(e, heard(question))  # "有防腐剂吗": never an entry naming no preservative
            # "能改成10寸吗": never the sizes nor the cancelling; "有没有咖啡卖": never the teas we sell
            and not change_unspoken(e, heard(question)) and names_thing_asked(e, heard(question))
            and (not owner or owner in concepts(" ".join((*e.questions, *e.keywords, e.answer))))]


async def offer(ctx: Ctx, customer: Customer, open_kfid: str, question: str, options: list[FaqEntry]) -> None:
    """Ask which of `options` the customer means (`reply.clarify`), keeping the offer to settle."""
    await FaqOfferRepo(ctx.session).add(customer.id, question, [e.id for e in options], open_kfid=open_kfid,
                                        now=ctx.clock.now())
    questions = [e.questions[0] for e in options]
    # one entry: asked yes or no ("你是想问「下单后多久发货」吗？"), not a numbered list of one
    await tell(ctx, customer, open_kfid, Say("reply.clarify", {"options": listing(questions), "question": questions[0]},
                                             slot="one" if len(questions) == 1 else None))


async def take_choice(ctx: Ctx, customer: Customer, open_kfid: str, text: str) -> bool:
    """Settle the customer's open offer with this message; True when the message was the answer to
    it (the entry's answer, or the question queued), False when it was about something else (the
    offer is dropped and the message is answered as usual) or there was no offer."""
    config = ctx.settings.of(FaqConfig)
    repo = FaqOfferRepo(ctx.session)
    now = ctx.clock.now()
    offer = await repo.find_open(customer.id, since=now - timedelta(minutes=config.clarify_minutes))
    if offer is None:
        return False
    picked = choice(text, len(offer.options))
    if picked is None and asks_for_human(text, ctx.settings.of(EscalationConfig).human_words):
        return False  # "转人工": the offer's question goes with the chat to a person (escalation/tickets.py)
    entries = {e.id: e for e in ctx.services.knowledge.entries}
    told = pointed_at(text, [entries[o] for o in offer.options if o in entries]) if picked is None else None
    meant = denied_with(text) if picked is None and told is None else ""
    if picked is None and told is None and not meant:
        await repo.settle_open(customer.id, "dropped", now=now)
        return False
    entry = told or (entries.get(offer.options[picked]) if picked is not None and picked != NONE_FITS else None)
    if entry is None:  # none fits (or the entry was removed meanwhile): the question goes to staff
        await repo.settle_open(customer.id, "declined", now=now)
        # with what the denial said was meant ("不是 我问的是防晒"), never a tag note that drops the question
        question = f"{offer.question} {meant}" if meant else offer.question
        await embedded_answer(ctx, customer, offer.open_kfid or open_kfid, "question", question)
        return True
    await repo.settle_open(customer.id, "resolved", now=now)
    await ctx.say("reply.faq", name=customer.name, answer=entry.answer, question=offer.question)
    return True
