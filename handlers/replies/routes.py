"""The persona answering customers in WeChat Customer Service chats.

One message, in this order: tag it (rules → tags → maybe a stage); stay silent if a person holds
the chat; settle an open 猜你想问 offer ("1", "都不是": clarify.py); answer a question about the
customer's own order ("我的快递到哪了") with its facts, a person taking it when it is late
(handlers/orders/chat.py); let the escalation rules decide whether a person must take it.
Escalation adds to the answer, it does not replace it: a safety
topic (an adverse reaction) first gets the persona's safety advice (never a product answer from
the knowledge base), a sensitive question the knowledge base can answer ("不喜欢的话可以退货吗")
first gets that answer, then the hand-off. Otherwise answer it (the knowledge base when sure; small
talk, feelings (joy too, before a knowledge-base word in it), closings and media in the persona's
voice; a follow-up ("我还没拆呢" after the returns answer) in the context of the previous question
(followup.py); a price objection with the discount entry or an honest line (price.py); an
acknowledgement when the customer told us about themselves; a wish to buy with no question ("想买个面霜")
with the knowledge base's entry when sure, else a question back (shopping.py); for a real question it cannot answer,
the plausible entries to choose from when there are some (猜你想问, when the model is off), else it
is queued for staff and the persona
promises a colleague only when someone will keep the promise, else says honestly it does not know
yet (handlers/questions); for any other statement, a chat reply; with `[llm] enabled`, those last
two go to the model first, handlers/replies/llm/); then enter the new stage, whose content waits
for the chat to go quiet (handlers/tagging/pushes.py). Answers are never capped; the push goes
through the anti-spam gate. One customer message gets at most three kf messages here, inside
WeCom's 5 per customer message.
"""

from __future__ import annotations

import re
from typing import Sequence

from bot.dispatcher import Router
from bot.wecom.events import Event, KfMessageReceived
from handlers.escalation.config import EscalationConfig
from handlers.escalation.escalate import escalate, escalation_trigger, held_by_advisor
from handlers.escalation.reactions import sense_reaction
from handlers.escalation.rules import is_question, reaction_topic, safety_topic
from handlers.orders.asking import order_alone
from handlers.orders.chat import answer_order
from handlers.replies.clarify import offer_choices, take_choice
from handlers.replies.closing import closing
from handlers.replies.fallback import embedded_answer
from handlers.replies.feelings import glad, sense_feeling
from handlers.replies.followup import Turn, interpret, previous_turn
from handlers.replies.llm.ask import ask_model
from handlers.replies.opener import just_welcomed
from handlers.replies.price import acknowledge_price, asks_price, gives_price, price_answer, price_talk
from handlers.replies.shopping import asks_for_a_pick, recipient, wants_to_buy, wish_answered
from handlers.replies.smalltalk import MEDIA, Intent, classify, greeting_slot
from handlers.services import Ctx, Services
from handlers.tagging.service import Observation, enter_stage, observe_message
from persona.faq import FaqMatch
from persona.followup import gist
from persona.matcher import kinds
from storage.models import Customer
from storage.repos.escalation import TicketRepo
from storage.repos.insights import SuggestionRepo
from storage.repos.replies import UnansweredRepo

router = Router("chat")

_HOW = re.compile(r"怎么办|怎么弄|咋办|咋弄|怎么回事|为什么|为啥")  # asking for help, not proposing a change
# A question that proposes a change ("能不能出个旅行装") may be an idea; other questions are not.
_PROPOSES = re.compile(r"(能不能|可不可以|可以|能否|会不会|考虑|打算)(出|做|推出|增加|加|改|换成|上架|上新|开发)")
# "不是这个", "都不是": the answer just given missed; the question it answered goes to a person
_NOT_THIS = re.compile(r"^(不是|不对|都不是|不是这个|不是这个意思|不是我要的|不是我问的|答非所问|你没懂|没看懂我意思)"
                       r"(哦|啊|呀|吧|呢|诶|哎)?[。.!！~～…]*$")


def _from_customer(event: KfMessageReceived, _: Ctx) -> bool:
    return event.from_customer


@router.on(when=_from_customer)
async def answer_customer(event: KfMessageReceived, ctx: Ctx) -> None:
    """Answer from the knowledge base when sure, hand over to a person when the rules say so, chat
    back to small talk and feelings (by rule, or by meaning: feelings.py), else the persona's honest fallback."""
    customer = ctx.customer
    assert customer is not None
    if event.msgtype != "text":
        await answer_media(event, ctx)
        return
    text = event.text.strip()
    seen = await observe_message(ctx, customer, text) if text else Observation()
    if await held_by_advisor(ctx) is not None:
        await _stage_quietly(event, ctx, seen)
        return
    if text and await take_choice(ctx, customer, event.open_kfid, text):  # "1", "都不是" after 猜你想问
        await _enter_stage(event, ctx, seen)
        return
    kb = ctx.services.knowledge
    escalation = ctx.settings.of(EscalationConfig)
    safety = safety_topic(text, escalation) if text else None
    if text and safety is None:  # "面霜用了脸有点痒", "狗狗吃了新粮一直吐": a reaction in other words (reactions.py)
        safety = await sense_reaction(text, reaction_topic(escalation), ctx.services.reactions)
    if text and safety is None and await answer_order(ctx, customer, text, event.msgid):
        await _enter_stage(event, ctx, seen)  # "我的快递到哪了": their order's facts, not the shipping FAQ
        return
    # The knowledge base answers questions; a statement that told us about the customer ("我是干皮,想要保湿")
    # gets an acknowledgement. An adverse reaction never gets a product answer.
    # An order number ("订单号 2026030812345678") the orders above could not look up (no shop reports
    # orders) asks a person to, whatever tag its words earned.
    numbered = bool(text) and order_alone(text)[1]
    telling = bool(seen.tag_names) and not is_question(text) and not numbered
    joyful = bool(text) and safety is None and glad(text)  # "今天收到快递好开心" is joy, not a shipping question
    # "我想给闺蜜买个生日礼物" (no question) or "…，有推荐吗" (asking for a pick): about to buy: the knowledge
    # base if sure, else asked back what a recommendation needs (shopping.py)
    shopping = (bool(text) and safety is None and not joyful and wants_to_buy(text)
                and (not is_question(text) or asks_for_a_pick(text)))
    # "她是干皮 预算300左右" right after the persona asked what a recommendation needs: the wish and the
    # details together are the question, answered from the knowledge base or kept as a promise.
    if text and safety is None and not shopping and not is_question(text) and classify(text) is None:
        wish = await wish_answered(ctx, customer, event.msgid)
        if wish:
            await recommend(ctx, customer, event.open_kfid, f"{wish}，{text}", text)
            await _enter_stage(event, ctx, seen)
            return
    match, turn = None, None
    if text and safety is None and (not telling or shopping) and not joyful:
        await kb.sync(ctx.session)  # another replica (or a staff answer) may have changed the knowledge base
        match = await kb.best(text)  # None unless above faq.threshold; embeds in a thread
        turn = await previous_turn(ctx, customer, event.msgid)  # what we answered a moment ago, if anything
        if match is None and turn is not None and turn.answered and turn.question and not turn.aside \
                and _NOT_THIS.match(text):
            # "不是这个" right after an answer: that question is still open, for a person (the persona's promise)
            await embedded_answer(ctx, customer, event.open_kfid, "question", turn.question)
            await _enter_stage(event, ctx, seen)
            return
        if match is not None and turn is not None and match.entry.id not in turn.answered:
            # "多久过期" right after the coupon's "有效期 14 天" is about the coupon, not the shelf life
            match = await interpret(kb, turn, text, sure=match) or match
    intent = classify(text) if match is None and safety is None else None
    # A product idea the insights observer kept ("包装太难撕了，换个设计吧", "能不能出个旅行装") is thanked,
    # not answered as a feeling or as a question nobody can answer.
    # One that told us about the customer ("我是油皮 夏天老出油") is acknowledged as that, not thanked as an idea.
    suggested = (match is None and safety is None and intent is None and bool(text) and not shopping and not telling
                 and not _HOW.search(text) and (not is_question(text) or _PROPOSES.search(text) is not None)
                 and await SuggestionRepo(ctx.session).recorded(customer.id, event.msgid))
    if match is None and intent is None and not suggested and turn is not None:
        match = await interpret(kb, turn, text)  # "我还没拆呢" right after the returns answer (followup.py)
    price = match is None and intent is None and not suggested and safety is None and price_talk(text)
    if price:  # "太贵了吧": the knowledge base's discount entry, if it has one (price.py); not twice in a row
        match = await price_answer(ctx, text, turn.answered if turn is not None else frozenset())
    if suggested:
        intent = None
    elif intent is None and match is None and not price and safety is None and not telling and not shopping \
            and text and not is_question(text):
        # "算了不用了，再见": leaving, not upset (closing.py); "最近压力好大，睡不好": a feeling in other words
        intent = closing(text) or await sense_feeling(text)
    if match is not None and not price and asks_price(text) and not gives_price(match.entry):
        match = None  # "那个保湿霜多少钱啊": the cream's entry names no price; saying it (again) is no answer
    trigger = await escalation_trigger(ctx, text, can_answer=match is not None,
                                       small_talk=intent is not None or suggested or shopping, safety=safety)
    replied = safety is not None or (trigger is not None and match is not None)
    if safety is not None:  # advice first, before any promise about when a person answers
        await ctx.say("escalation.safety", name=customer.name, topic=safety)
    elif replied and match is not None:  # the answer first, then the hand-off
        await answer_with(ctx, customer, match, text, turn, price=price)
    if trigger is not None and await escalate(ctx, reason=trigger.code, question=text) is not None:
        await _stage_quietly(event, ctx, seen)
        return
    if replied:
        pass  # said above; no person took the chat after all
    elif match is not None:
        await answer_with(ctx, customer, match, text, turn, price=price)
    elif price:
        await acknowledge_price(ctx, customer)
    elif suggested:
        await ctx.say("reply.suggestion", name=customer.name)
    elif intent is not None:
        await chat_back(ctx, customer, intent, text)
    elif shopping:  # who it is for, skin type, budget: what a recommendation needs
        who = recipient(text)
        await (ctx.say("reply.shopping_for", name=customer.name, who=who) if who
               else ctx.say("reply.shopping", name=customer.name))
    elif telling:  # a question that also told us something ("我是油皮，夏天用哪个好") is still a question
        await ctx.say("reply.noted", name=customer.name, tags=seen.tag_names)
    else:  # a question it cannot answer, or a statement a person would just chat back to
        kind = "question" if numbered or is_question(text) else "chat"
        if await ask_model(ctx, event, text, kind=kind, stage=seen.stage):
            pass  # the model answers later (grounded in the closest entries)
        elif kind == "question" and await offer_choices(ctx, customer, event.open_kfid, text,
                                                        turn.answered if turn is not None else frozenset()):
            pass  # 猜你想问: the customer's pick (or "都不是") settles it
        else:
            await embedded_answer(ctx, customer, event.open_kfid, kind, text)
    await _enter_stage(event, ctx, seen)


async def answer_with(ctx: Ctx, customer: Customer, match: FaqMatch, text: str, turn: Turn | None, *,
                      price: bool) -> None:
    """An entry's answer: on the entry answered a moment ago, the part the follow-up is about in a
    follow-up line (never the same answer twice in a row); to a price objection, with the concern
    acknowledged; else the answer in the persona's voice."""
    entry = match.entry
    if turn is not None and entry.id in turn.answered:
        await ctx.say("reply.followup", name=customer.name, answer=gist(entry.answer, text), question=text)
    elif price:
        await ctx.say("reply.price_faq", name=customer.name, answer=entry.answer, question=text)
    else:
        await ctx.say("reply.faq", name=customer.name, answer=entry.answer, question=text)


async def rank_ahead(services: Services, events: Sequence[Event]) -> None:
    """The inbox's look-ahead (Feature.lookahead): the knowledge base ranks the group's customer
    texts in one batch, so `answer_customer`'s `best` needs no thread of its own for each."""
    texts = [text for e in events if isinstance(e, KfMessageReceived) and e.from_customer and e.msgtype == "text"
             and (text := e.text.strip())]
    if len(texts) > 1:
        await services.knowledge.prepare(texts)


async def chat_back(ctx: Ctx, customer: Customer, intent: Intent, text: str) -> None:
    """Small talk's reply: a greeting echoes the customer's own 早上好 / 晚上好 when the clock agrees
    (time-neutral when it does not), or, right after the persona's kf welcome, is a short "I'm here"
    (so is "哈喽，第一次来": the welcome already said what the persona does);
    "好的，那我等你们消息" with an open ticket, or a question a colleague was promised to answer, is told
    the colleague will answer here (no promise the persona never made)."""
    if intent in (Intent.GREETING, Intent.FIRST_VISIT) and await just_welcomed(ctx, customer):
        await ctx.say("chat.greet_again", name=customer.name)  # "你好", "哈喽，第一次来" after our welcome: one opener
        return
    if intent is Intent.GREETING:
        await ctx.say("chat.greeting", name=customer.name, slot=greeting_slot(text, ctx.local_hour))
        return
    if intent is Intent.ACK and (await UnansweredRepo(ctx.session).promised_open(customer.id)
                                 or await TicketRepo(ctx.session).find_open(customer.id) is not None):
        await ctx.say("chat.ack_pending", name=customer.name)
        return
    await ctx.say(f"chat.{intent}", name=customer.name)


async def _enter_stage(event: KfMessageReceived, ctx: Ctx, seen: Observation) -> None:
    """The message moved the customer to a new stage: record it and push the stage's content."""
    if seen.stage and ctx.customer is not None:
        source = next((f"rule:{r.name}" for r in seen.fired if r.stage == seen.stage), "tags")
        await enter_stage(ctx, ctx.customer, seen.stage, source=source, push=True, open_kfid=event.open_kfid)


async def _stage_quietly(event: KfMessageReceived, ctx: Ctx, seen: Observation) -> None:
    """A person has the chat: record the stage, push nothing into their conversation."""
    if seen.stage and ctx.customer is not None:
        await enter_stage(ctx, ctx.customer, seen.stage, source="tags", push=False, open_kfid=event.open_kfid)


async def answer_media(event: KfMessageReceived, ctx: Ctx) -> None:
    """A photo, voice message, video or card: a fitting line from the persona (unless a person has
    the chat)."""
    if await held_by_advisor(ctx) is not None:
        return
    await ctx.say(MEDIA.get(event.msgtype, "media.other"), name=ctx.customer.name if ctx.customer else "")


async def recommend(ctx: Ctx, customer: Customer, open_kfid: str, asked: str, detail: str) -> None:
    """The wish with the details the persona asked for: the knowledge base's entry when it is sure,
    or its best entry when that is for the skin type the customer named ("她六十了 皮肤比较干" → the
    dry-skin cream), else a question for staff (the persona asked, so someone must answer), never a
    tag note."""
    kb = ctx.services.knowledge
    await kb.sync(ctx.session)
    match = await kb.best(asked) or await kb.best(detail) or for_kind(await kb.rank(asked, 1), detail)
    if match is not None:
        await answer_with(ctx, customer, match, asked, None, price=False)
    else:
        await embedded_answer(ctx, customer, open_kfid, "question", asked)


def for_kind(ranked: Sequence[FaqMatch], detail: str) -> FaqMatch | None:
    """The best entry when it names the kind (of skin, season ...) the customer's details name."""
    named = kinds(detail)
    if not ranked or not named:
        return None
    entry = ranked[0].entry
    return ranked[0] if named & kinds(" ".join(entry.questions + entry.keywords)) else None
