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
with the knowledge base's entry when sure, else a question back (shopping.py); a price asked of nothing named
("多少钱啊") with which product, the product named next (or the one just recommended) being its price question
(unnamed.py); for a real question it cannot answer,
the plausible entries to choose from when there are some (猜你想问, when the model is off), else it
is queued for staff and the persona
promises a colleague only when someone will keep the promise, else says honestly it does not know
yet (handlers/questions); for any other statement, a chat reply; with `[llm] enabled`, those last
two go to the model first, handlers/replies/llm/); then enter the new stage, whose content waits
for the chat to go quiet (handlers/tagging/pushes.py). Answers are never capped; the push goes
through the anti-spam gate. One customer message gets at most three kf messages here, inside
WeCom's 5 per customer message.

In code: `answer_customer` runs the guards (a person holds the chat, a pending 猜你想问 pick, an
order question, the details of an earlier wish, "不是这个") as early returns between the reads of
reading.py, so no model or SQL read runs for a message a guard settles; `respond` then says one
thing from the Reading. A new reply path is a branch of `reply`; a new guard, an early return.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Sequence

from bot.dispatcher import Router
from bot.wecom.events import Event, KfMessageReceived
from handlers.escalation.config import EscalationConfig
from handlers.escalation.escalate import escalate, held_by_advisor
from handlers.escalation.routing import hours_words
from handlers.escalation.rules import is_question, is_request
from handlers.orders.chat import answer_order
from handlers.points.asking import own_points_say
from handlers.points.rewards import settle_in_words
from handlers.points.shipping import take_address
from handlers.questions.queue import (
    add_detail,
    chased,
    chases,
    how_to_reach,
    how_to_reach_en,
    open_question_before,
    person_coming,
    queue_question,
)
from handlers.replies.asked import asks_whats_on, untold_detail, untold_sale
from handlers.replies.buying import buying_say, buys
from handlers.replies.clarify import offer_choices, take_choice
from handlers.replies.fallback import embedded_answer
from handlers.replies.followup import Turn, carried_on, earlier_answer_wished, previous_turn, sets_straight
from handlers.replies.history import FOLLOWUP_MINUTES, HISTORY, kf_history
from handlers.replies.howtobuy import buying_entry
from handlers.replies.llm.ask import ask_model
from handlers.replies.offtopic import off_topic
from handlers.replies.opener import just_welcomed
from handlers.replies.price import acknowledge_price
from handlers.replies.reading import (
    Reading,
    Words,
    awaited_wish,
    for_kind,
    guessed,
    let_down,
    look_up,
    missed_question,
    read,
    sense_safety,
    skin_trouble,
    their_kinds,
    with_their_kind,
    words_of,
)
from handlers.replies.several import Asked, each_asked
from handlers.replies.shopping import (
    Told,
    age_told,
    asks_for_their_pick,
    asks_own_skin_type,
    asks_suited,
    bare_pick,
    budget_pick,
    budget_told,
    condition_pick,
    for_themself,
    is_for_a_kind,
    item_named,
    item_to_ask_about,
    other_product,
    product_of,
    recipient,
    self_told,
    skin_named,
    skin_told,
    suited_told_before,
    suits_whom,
    told_lately,
    told_with_pick,
    unnamed_use,
    wants_to_buy,
    whom_unspoken,
    without_condition,
)
from handlers.replies.smalltalk import MEDIA, Intent, defers, greeting_slot, only_not_fooled, praises_ours
from handlers.replies.unnamed import nothing_before, priced_product
from handlers.replies.upset import matter_told
from handlers.replies.voice import Say, reply_all, tell
from handlers.services import Ctx, Services
from handlers.tagging.service import Observation, enter_stage, observe_message
from persona.faq import FaqMatch
from persona.followup import gist, in_context, topics
from persona.heard import heard
from persona.matcher import entry_about, kind_names, kinds, speaks_of_skin
from persona.wording import has_chinese, in_english, one_english_word, plain
from storage.models import Customer
from storage.repos.replies import UnansweredRepo

router = Router("chat")


def _from_customer(event: KfMessageReceived, _: Ctx) -> bool:
    return event.from_customer


@router.on(when=_from_customer)
async def answer_customer(event: KfMessageReceived, ctx: Ctx) -> None:
    """One customer text through the steps above: a guard that settles it returns early; the
    reading (reading.py) runs between the guards, each read only as far as the guards let it;
    `respond` then says one thing. Media gets its own line."""
    customer = ctx.customer
    assert customer is not None
    if event.msgtype != "text":
        await answer_media(event, ctx)
        return
    said = event.text.strip()  # kept as written: stored, shown to staff, queued for the model
    text = heard(said)  # what the readers match: "多 久 發 貨" is "多久发货" (persona/heard.py)
    seen = await observe_message(ctx, customer, text) if text else Observation()
    if text and (address := await take_address(ctx, customer, said, event.msgid)) is not None:
        # "张三 13800138000 浙江省…" after "寄到哪里呀？": the redemption's own dialogue, also while a person holds the
        # chat (the points feature's "兑换"/"确认兑换" are answered then too, and the parcel needs the address)
        await tell(ctx, customer, event.open_kfid, address)
        await _stage_quietly(event, ctx, seen)  # no stage content pushed into the address dialogue
        return
    if await held_by_advisor(ctx) is not None:
        await _stage_quietly(event, ctx, seen)
        return
    if text and await take_choice(ctx, customer, event.open_kfid, text):  # "1", "都不是" after 猜你想问
        await _enter_stage(event, ctx, seen)
        return
    if text and (settled := await settle_in_words(ctx, customer, text, event.msgid)) is not None:
        await tell(ctx, customer, event.open_kfid, settled)  # "确定" right after "确认用 300 积分兑换…吗？"
        await _enter_stage(event, ctx, seen)
        return
    safety = await sense_safety(ctx, text)
    if text and safety is None and await answer_order(ctx, customer, said, event.msgid):
        await _enter_stage(event, ctx, seen)  # "我的快递到哪了": their order's facts, not the shipping FAQ
        return
    if text and safety is None and asks_whats_on(text) and await tell_whats_on(ctx, customer, text):
        await _enter_stage(event, ctx, seen)  # "你们最近有什么活动吗": the camp, the referral, the deals in one message
        return
    words = words_of(text, seen, safety, said)
    if words.shopping and not wants_to_buy(text) and await suited_told_before(ctx, customer, event.msgid, text):
        words = replace(words, shopping=False)  # "那你们有啥适合敏感肌的" after "我是敏感肌 …": no questionnaire again
    if wish := await awaited_wish(ctx, customer, event.msgid, words):
        await recommend(ctx, customer, event.open_kfid, f"{wish.text}，{said}", text, again=wish.again,
                        tags=seen.tag_names)
        await _enter_stage(event, ctx, seen)
        return
    if (more := await joins_open_question(ctx, customer, words)) is not None:
        await tell(ctx, customer, event.open_kfid, more)  # "我是油皮 平时化淡妆" after "你们有卸妆油吗": more of it
        await _enter_stage(event, ctx, seen)
        return
    if words.safety is None and (who := unnamed_use(text)) and await _whose_use(ctx, customer, event.msgid, who,
                                                                                 text):
        await _enter_stage(event, ctx, seen)  # "我妈能用吗": which product and her, or her for the one just answered
        return
    if words.safety is None and asks_own_skin_type(text) and ctx.services.knowledge.derived(speaks_of_skin):
        await ctx.say("reply.skin_check", name=customer.name)  # "我这是什么肤质": how to tell, then a pick
        await _enter_stage(event, ctx, seen)
        return
    if words.safety is None and await condition_with_kind(ctx, customer, text, words.seen.tag_names):
        await _enter_stage(event, ctx, seen)  # "我怀孕了 皮肤特别干 用什么好": the caution and the dry-skin pick
        return
    if words.safety is None and (told := told_with_pick(text) or (
            await told_lately(ctx, customer, event.msgid) if bare_pick(text) else None)) and await say_told(
                ctx, customer, told):
        await _enter_stage(event, ctx, seen)  # "我怀孕了 有什么能用的": the caution said, only what is missing asked
        return
    if words.safety is None and not words.shopping and (
            carried := await carried_on(ctx, customer, event.msgid, text)) is not None:
        if carried.picked:
            # "对 就是干皮 冬天特别干" right after the dry-skin pick: that pick taken up in a line, not said again whole
            await ctx.say("chat.ack", name=customer.name, product=carried.picked, slot="picked")
        elif carried.confirmed:
            # "对 我就是油皮" right after an answer for oily skin that names no product: the advice stands, in a line
            await ctx.say("chat.ack", name=customer.name, slot="confirmed")
        elif carried.asked:
            # "不是 我是油皮" right after the dry-skin cream: the pick asked again of oily skin (its entry, when one is
            # for that kind and sure), else a question for a person; never a note of the tag
            kb = ctx.services.knowledge
            await kb.sync(ctx.session)
            ranked = await kb.rank(carried.asked, 1)
            sure = ranked[0].confidence >= kb.threshold if ranked else False
            if sure and kinds(text) <= kinds(" ".join((*ranked[0].entry.questions, *ranked[0].entry.keywords))):
                await answer_with(ctx, customer, ranked[0], carried.asked, None, price=False)
            else:
                await embedded_answer(ctx, customer, event.open_kfid, "question", carried.asked)
        else:
            # "对 就是干皮" right after the dry-skin cream: the pick carries on, not a note of the tag; "大概离你们七八
            # 公里" right after "门店 5 公里内可以配送": that sentence; "我是干皮" right after the pregnancy answer: the
            # dry-skin pick with its caution
            await ctx.say("reply.followup", name=customer.name, answer=carried.answer, question=text, slot="told")
        await _enter_stage(event, ctx, seen)
        return
    if words.safety is None and not is_question(text) and (
            wished := await earlier_answer_wished(ctx, customer, event.msgid, text)):
        # "美白那个伊也想用" after the pregnancy answer: whether she may, from that answer, not an interest noted
        await ctx.say("reply.followup", name=customer.name, answer=wished[1], question=text)
        await _enter_stage(event, ctx, seen)
        return
    if words.safety is None and (priced := await priced_product(ctx, customer, event.msgid, text, said)):
        # "柚润保湿霜" after "想问哪一款的价格呀？", "多少钱" after "干皮推荐「柚润保湿霜」…": the cream's price
        words = replace(words_of(priced[0], seen, None, priced[1]), product=priced[2], own=text)
    if words.safety is None and (buying := await buying_entry(ctx, words.text)):
        # "还想再买两瓶面霜 怎么买": the way to buy it, the product named, never its pitch again (howtobuy.py);
        # "你们东西怎么买呀": the way to buy, as the entry says it
        await (ctx.say("reply.buy_where", name=customer.name, answer=buying[0].answer, product=buying[1],
                       question=text) if buying[1]
               else ctx.say("reply.faq", name=customer.name, answer=buying[0].answer, question=text))
        await _enter_stage(event, ctx, seen)
        return
    match, turn = await look_up(ctx, customer, event.msgid, words)
    if match is not None and let_down(text):
        match = None  # "买的面霜用着没啥用": for a person to look at, never the cream recommended again
    if question := missed_question(text, match, turn):
        await embedded_answer(ctx, customer, event.open_kfid, "question", question)
        await _enter_stage(event, ctx, seen)
        return
    words, match = await with_their_kind(ctx, customer, event.msgid, words, match)  # "有什么推荐" after "我是干皮"
    reading = await read(ctx, customer, event.msgid, words, match, turn)
    if await respond(event, ctx, customer, reading):
        await _enter_stage(event, ctx, seen)
    else:
        await _stage_quietly(event, ctx, seen)  # a person took the chat


async def respond(event: KfMessageReceived, ctx: Ctx, customer: Customer, reading: Reading) -> bool:
    """Say what the reading calls for; False when a person took the chat. Escalation adds to the
    reply, it does not replace it: safety advice or the answer comes first (after a sorry when something went
    wrong for them), then the hand-off."""
    words, match, trigger = reading.words, reading.match, reading.trigger
    if reading.sorry and trigger is not None:  # "我要投诉 快递太慢了": sorry before the answer or the hand-off
        photo = trigger.topic in ctx.settings.of(EscalationConfig).photo_topics  # "盖子裂了": the colleague sees it
        await ctx.say("escalation.sorry_photo" if photo else "escalation.sorry", name=customer.name,
                      topic=trigger.topic)
    if words.safety is not None:  # advice first, before any promise about when a person answers
        await ctx.say("escalation.safety", name=customer.name, topic=words.safety)
    elif reading.warned and trigger is not None:  # "自称客服让我转账": never transfer, not the returns policy
        await ctx.say("escalation.scam", name=customer.name, topic=trigger.topic)
    elif reading.handoff_only and trigger is not None:  # "先别发货": a person holds it, no shipping times first
        await ctx.say("escalation.handoff_only", name=customer.name, topic=trigger.topic)
    elif trigger is not None and match is not None:  # the answer first, then the hand-off
        await answer_with(ctx, customer, match, words.text, reading.turn, price=reading.price)
    if trigger is not None and await escalate(ctx, reason=trigger.code, question=words.said) is not None:
        return False
    if not reading.said_before_handoff:  # else said above; no person took the chat after all
        await reply(event, ctx, customer, reading)
    return True


async def reply(event: KfMessageReceived, ctx: Ctx, customer: Customer, reading: Reading) -> None:
    """The one reply a message gets when nothing was said before a hand-off, first fitting path wins."""
    words, match, text = reading.words, reading.match, reading.words.text
    if match is not None and reading.again:
        await ctx.say("reply.again", name=customer.name, answer=match.entry.answer, question=text)
    elif match is not None and words.shopping and (item := await _item_to_ask(ctx, customer, event.msgid, match,
                                                                             words)):
        # "我想给我妈买个面霜", "我想买个面霜": what she (or they) are like first; the skin type told next turn gets
        # the entry (awaited_wish)
        who = recipient(text)
        await (ask_item(ctx, customer, who, item, text)
               if who and not whom_unspoken(ctx.services.knowledge.entries, who, text)
               else ask_what_they_need(ctx, customer, text, event.open_kfid))
    elif match is not None and (detail := untold_sale(match.entry, text) if reading.price
                                else untold_detail(match.entry, text)):  # "年货节会打折吗": not 太贵了 either
        await answer_in_part(ctx, customer, event.open_kfid, match, reading, detail)
    elif match is not None:
        if not reading.price and (asked := await each_asked(ctx.services.knowledge, text, match)):
            await answer_each(ctx, customer, event.open_kfid, asked, reading.turn)  # "…孕妇能用不 还有保质期多久"
        else:
            await answer_with(ctx, customer, match, text, reading.turn, price=reading.price)
    elif reading.price:
        await acknowledge_price(ctx, customer)
    elif reading.intent in (None, Intent.SAD) and (told := skin_trouble(words)) and (
            kind := for_kind(await ctx.services.knowledge.rank(text, 1), told)) is not None:
        # "我皮肤很干 用啥都不吸收": sympathy and what suits that skin, not "收到" nor 猜你想问
        await ctx.say("reply.concern", name=customer.name, answer=kind.entry.answer, question=text)
    elif reading.suggested:
        await ctx.say("reply.suggestion", name=customer.name)
    elif reading.intent is not None:
        await chat_back(ctx, customer, reading.intent, text, event.msgid, said=words.said)
    elif (words.shopping or asks_for_their_pick(text)) and (kind := await for_their_skin(ctx, text)) is not None:
        # the skin type was told: no question ("你好呀 冬天脸好干 有啥好用的": the entry for dry skin); for a child the
        # entry never speaks of ("我家娃上小学了 皮肤干 有啥推荐"), said in part, whether the child may, a person's
        await (answer_in_part(ctx, customer, event.open_kfid, kind, reading, detail)
               if (detail := untold_detail(kind.entry, text)) else
               answer_with(ctx, customer, kind, text, reading.turn, price=False))
    elif words.shopping and for_themself(text) and (lately := await told_lately(ctx, customer, event.msgid)) and (
            await say_told(ctx, customer, lately)):
        pass  # "那有什么推荐的吗" after "我怀孕五个月了 脸上长斑": the caution and the trouble kept, not asked again
    elif words.shopping:  # who it is for, skin type, budget: what a recommendation needs
        await ask_what_they_need(ctx, customer, text, event.open_kfid)
    elif words.telling:  # a question that also told us something ("我是油皮，夏天用哪个好") is still a question
        # "我最近脸上老是出油 还长痘": sorry first, when no entry is for that skin (reply.concern when one is)
        await ctx.say("reply.noted", name=customer.name, tags=words.seen.tag_names,
                      slot="trouble" if reading.intent is None and skin_trouble(words) else None)
    elif reading.unnamed:  # "多少钱啊" with nothing named: which product, not a colleague's promise (unnamed.py)
        await ctx.say("reply.which_product", name=customer.name)
    elif not words.told and (asked := await each_asked(ctx.services.knowledge, text)):
        await answer_each(ctx, customer, event.open_kfid, asked, reading.turn)  # "面霜多少钱 保质期多久": one of two
    else:
        await answer_unknown(event, ctx, customer, reading)


async def tell_whats_on(ctx: Ctx, customer: Customer, text: str) -> bool:
    """"你们最近有什么活动吗": what each feature has on for the customer (Feature.whats_on: a camp they may join, a
    running referral campaign) and the knowledge base's answer when it is sure (the deals), one a line, in one
    message as a person lists what is on (`reply.whats_on`). False when no feature has anything on for them: the
    question is answered as any other."""
    lines = [line for what in ctx.services.whats_on for line in await what(ctx)]
    if not lines:
        return False
    kb = ctx.services.knowledge
    await kb.sync(ctx.session)
    ranked = await kb.rank(text, 1)
    if ranked and ranked[0].confidence >= kb.threshold:
        lines.append(ranked[0].entry.answer)
    await ctx.say("reply.whats_on", name=customer.name, lines="\n".join(f"· {line}" for line in lines),
                  question=text)
    return True


async def answer_each(ctx: Ctx, customer: Customer, open_kfid: str, asked: Asked, turn: Turn | None) -> None:
    """Several questions in one message (several.py): each answered in the order asked, the first as any answer,
    the others naming the clause they answer (`reply.faq_also`); the clauses no entry is sure of then go to a
    person together, as one question."""
    (_, first), *rest = asked.answered
    await answer_with(ctx, customer, first, asked.answered[0][0], turn, price=False)
    for clause, match in rest:
        await ctx.say("reply.faq_also", name=customer.name, answer=match.entry.answer, question=clause)
    if asked.unanswered:  # queued as one question; the promise (or the honest reply) names it
        queued = await queue_question(ctx.with_(customer=customer), "，".join(asked.unanswered), open_kfid=open_kfid,
                                      also=True)
        if queued is not None:
            await tell(ctx, customer, open_kfid, queued[1])


async def ask_what_they_need(ctx: Ctx, customer: Customer, text: str, open_kfid: str) -> None:
    """A wish naming no one ("想买点护肤品", "我想买个面霜"): for the customer themself (shopping.py `for_themself`)
    their skin type, what bothers it and the budget (`reply.shopping`'s "self" phrasings), never whom it is for; a
    gift for someone unnamed ("想买个礼物") is asked whom too; one to suit someone named ("面霜适合我妈用吗") is asked
    what they are like (`reply.shopping_item` of the product named, else `reply.shopping_for`); a pick asked of a
    budget alone ("两百块钱能买到什么") only the skin type (`reply.shopping_kind`: the budget was told); one that told
    the skin type (and trouble) with no entry for it, only what is missing (`reply.shopping`'s "told"/"trouble"); one
    for someone else that told their skin type, only the budget (`ask_for`); one for a child no entry speaks of,
    a question for staff (shopping.py `whom_unspoken`). With a knowledge base that never speaks of skin (a bakery's,
    a gym's: persona/matcher.py `speaks_of_skin`) none of that is asked: the pick is a question for staff."""
    if not ctx.services.knowledge.derived(speaks_of_skin):
        await embedded_answer(ctx, customer, open_kfid, "question", text)  # "给我妈买点面包 推荐点啥": no 肤质 asked
        return
    if for_themself(text) and (told := self_told(text)):
        # "我28岁混油皮 换季老是爆痘 想找个温和点的" with no entry for that skin: what they told is not asked again;
        # "有适合敏感肌的面霜吗 预算两百": nothing is left to ask, a question for staff, who can pick
        await (embedded_answer(ctx, customer, open_kfid, "question", text) if budget_told(text)
               else ctx.say("reply.shopping", name=customer.name, slot=told))
        return
    if (budget_pick(text) or budget_told(text)) and not suits_whom(text):
        # "两百块钱能买到什么", "想买个两百左右的面霜": the budget is told, the skin type is not
        await ctx.say("reply.shopping_kind", name=customer.name)
        return
    if who := suits_whom(text):
        if whom_unspoken(ctx.services.knowledge.entries, who, text):
            # "有没有适合小孩用的": no entry speaks of children, a person picks, never the skin type asked as for anyone
            await embedded_answer(ctx, customer, open_kfid, "question", text)
            return
        item = item_named(ctx.services.knowledge.entries, text)
        if item and not skin_named(text):
            await ask_item(ctx, customer, who, item, text)
        else:
            await ask_for(ctx, customer, who, text, open_kfid)
        return
    await ctx.say("reply.shopping", name=customer.name, slot="self" if for_themself(text) else None)


async def joins_open_question(ctx: Ctx, customer: Customer, words: Words) -> Say | None:
    """What the customer tells of themself ("我是油皮 平时化淡妆", "混油皮 两百以内"), or a pick they ask for in
    their own words that no entry answers ("那你们有适合痘痘肌的东西吗"), right after a question the persona could not
    answer ("你们有卸妆油吗"): more of that question, for the staff who have it (queue.py `add_detail`; the tag is
    still earned), not a tag note nor a pick of its own; None otherwise."""
    if words.safety is not None or not (words.telling or asks_suited(words.text)):
        return None
    if await open_question_before(ctx, customer) is None:
        return None
    if not words.telling:
        kb = ctx.services.knowledge
        await kb.sync(ctx.session)
        if await kb.best(words.text) is not None:
            return None  # "有适合干皮的吗": the entry answers it
    return await add_detail(ctx.with_(customer=customer), words.said)


async def say_told(ctx: Ctx, customer: Customer, told: Told) -> bool:
    """A pick for the customer themself with a condition or a skin trouble told (now, or just before: shopping.py
    `told_with_pick`, `told_lately`): the knowledge base's entry for the condition (its caution) and the trouble
    said back, only what is still missing asked (`reply.shopping_told`: its "condition" phrasings also ask the
    trouble, its "trouble" ones have no caution to say); False when a condition was told that no entry is sure of."""
    answer = ""
    if told.condition:
        kb = ctx.services.knowledge
        await kb.sync(ctx.session)
        match = await kb.best(told.condition)
        if match is None:
            return False
        answer = match.entry.answer
    slot = None if answer and told.concern else "condition" if answer else "trouble"
    await ctx.say("reply.shopping_told", name=customer.name, answer=answer, concern=told.concern, slot=slot)
    return True


async def condition_with_kind(ctx: Ctx, customer: Customer, text: str, tags: str) -> bool:
    """A pick asked with a condition and a skin the knowledge base has an entry for ("我怀孕了 皮肤特别干 用什么好",
    "怀孕三个月 脸上干得起皮 有推荐吗": the skin in its words or in the tags they earned): the condition's entry (its
    caution) and that skin's entry in one answer, as a shop assistant would give both, never the caution alone
    nor the skin type asked again; False when either entry is missing or they are one."""
    condition = condition_pick(text)
    if not condition:
        return False
    kb = ctx.services.knowledge
    await kb.sync(ctx.session)
    rest = without_condition(text)
    kind = for_kind(await kb.rank(rest, 1), f"{rest} {tags}")
    caution = await kb.best(condition)
    if kind is None or caution is None or kind.entry.id == caution.entry.id:
        return False
    await ctx.say("reply.faq", name=customer.name, answer=f"{caution.entry.answer}{kind.entry.answer}", question=text)
    return True


async def _whose_use(ctx: Ctx, customer: Customer, msgid: str, who: str, text: str) -> bool:
    """Whether `who` may use "it" ("我妈能用吗", shopping.py `unnamed_use`): with nothing said before, which product and
    what they are like (`reply.which_for`); right after the answer of an entry for one kind of skin (the dry-skin
    cream), what they are like before that product is said to suit them (`reply.shopping_item`), never an entry's
    answer for a word in it (the pregnancy answer); False otherwise."""
    if await nothing_before(ctx, customer, msgid):
        await ctx.say("reply.which_for", name=customer.name, who=who)
        return True
    turn = await previous_turn(ctx, customer, msgid)
    answered = [e for e in ctx.services.knowledge.entries if turn is not None and e.id in turn.answered]
    item = next((p for e in answered if (p := product_of(e))), "")
    if not item:
        return False
    await ask_item(ctx, customer, who, item, text)
    return True


async def ask_for(ctx: Ctx, customer: Customer, who: str, text: str, open_kfid: str) -> None:
    """What `who` is like before picking for them (`reply.shopping_for`): the skin type and budget; a budget told
    with the wish ("想给闺蜜买个礼物 预算两百") is not asked again (the "budgeted" phrasings), nor a skin type no entry
    is for ("帮男朋友挑个洗面奶 他是油皮": the "told" phrasings ask the budget only); both told ("送闺蜜 她是敏感肌
    预算两百"), nothing is left to ask: a question for staff, who can pick (the promise, or the honest reply)."""
    if skin_named(text):
        if budget_told(text):
            await embedded_answer(ctx, customer, open_kfid, "question", text)
        else:
            await ctx.say("reply.shopping_for", name=customer.name, who=who, slot="told")
        return
    await ctx.say("reply.shopping_for", name=customer.name, who=who, slot="budgeted" if budget_told(text) else None)


async def ask_item(ctx: Ctx, customer: Customer, who: str, item: str, text: str) -> None:
    """What `who` is like before picking `item` for them (`reply.shopping_item`): the skin type, age and budget;
    an age told with the wish ("她五十多了") is not asked again (the "aged" phrasings), nor a budget ("想给我妈买个
    三百以内的面霜": the "budgeted" ones); both told, only the skin type (`reply.shopping_kind`)."""
    aged, budgeted = age_told(text), budget_told(text)
    if aged and budgeted:
        await ctx.say("reply.shopping_kind", name=customer.name)
        return
    await ctx.say("reply.shopping_item", name=customer.name, who=who, item=item,
                  slot="aged" if aged else "budgeted" if budgeted else None)


async def answer_unknown(event: KfMessageReceived, ctx: Ctx, customer: Customer, reading: Reading) -> None:
    """A question it cannot answer, or a statement a person would just chat back to: a chaser of a
    question still open names that question (queue.py `chased`), a chaser with none open gets what the persona
    sees of the chat and to say it again (`chat.memory`), else the model when on, else for a question for nobody
    at the shop the off-topic line (offtopic.py), else for a question naming nothing right after an unanswered one
    more of that one (queue.py `add_detail`), else 猜你想问 when there are entries to offer, else the honest
    fallback. A statement that sets the question
    just asked straight ("没过敏 就是太油了闷痘") is that question, told better. A request ("给我开个发票") is asked of
    the shop like a question: queued for a person, in words for a request (queue.py `phrased`)."""
    words, turn, said = reading.words, reading.turn, reading.words.said
    # "给我开个发票": a person must do it, no chat line; "用了一周 感觉没什么效果": a person looks at it
    asked = is_question(words.text) or is_request(words.text) or let_down(words.text)
    kind = "question" if words.numbered or words.told or asked else "chat"
    if turn is not None and (sets_straight(words.text) or reading.of_another):
        # "没过敏 就是太油了闷痘" after "…可以退吗": told better; "那生日蛋糕呢" after the allergens answer: asked of it
        said, kind = in_context(turn.question, said), "question"
    if (chase := await chased(ctx.with_(customer=customer), words.text)) is not None:
        await tell(ctx, customer, event.open_kfid, chase)  # "刚才问的你还没回我呢": that question, and who answers it
    elif chases(words.text):
        # "昨天问的那个问题 有结果了吗" with nothing of theirs open: what the persona sees of the chat, and to say it
        # once more, never "I don't know" (nor a colleague's promise) of a question nobody can read
        await ctx.say("chat.memory", name=customer.name)
    elif await ask_model(ctx, event, said, kind=kind, stage=words.seen.stage):
        pass  # the model answers later (grounded in the closest entries)
    elif said != words.said:  # that question told better, its entries just offered: a person, no second 猜你想问
        await embedded_answer(ctx, customer, event.open_kfid, kind, said)
    elif kind == "question" and not words.told and not words.numbered and await off_topic(
            ctx.services.knowledge, words.text) and not await _asks_on(ctx, customer, words.text):
        await ctx.say("chat.offtopic", name=customer.name)  # "今天天气怎么样": no colleague is asked (offtopic.py)
    elif (kind == "question" and not words.told and not words.numbered
          and (more := await more_of_open_question(ctx, customer, words)) is not None):
        await tell(ctx, customer, event.open_kfid, more)  # "大概多久能开好" after "能开发票吗": more of that question
    elif kind == "question" and not words.told and await offer_choices(ctx, customer, event.open_kfid, said,
                                                    turn.answered if turn is not None else frozenset()):
        pass  # 猜你想问: the customer's pick (or "都不是") settles it
    else:
        await embedded_answer(ctx, customer, event.open_kfid, kind, said, product=words.product)


async def _asks_on(ctx: Ctx, customer: Customer, text: str) -> bool:
    """A few words that only make sense with the question just asked ("哪种好" right after "有男士洗面奶吗", which
    the persona could not answer): more of that question, never the off-topic line."""
    return len(text) <= 6 and not topics(plain(text)) and await open_question_before(ctx, customer) is not None


async def more_of_open_question(ctx: Ctx, customer: Customer, words: Words) -> Say | None:
    """A question naming nothing, right after one the persona could not answer, that the knowledge base's
    nearest entry answers only by a guess: joined to that question (queue.py `add_detail`); None otherwise
    ("成都几天能到" after "想寄到成都 可以吗" is still offered the shipping entry)."""
    if topics(plain(words.text)):
        return None
    before = await open_question_before(ctx, customer)
    if before is None:
        return None
    ranked = await ctx.services.knowledge.rank(words.text, 1)
    if ranked and not guessed(ranked[0].entry, words.text, before.text):
        return None
    return await add_detail(ctx.with_(customer=customer), words.said)


async def answer_in_part(ctx: Ctx, customer: Customer, open_kfid: str, match: FaqMatch, reading: Reading,
                         detail: str) -> None:
    """"你们周末发货吗" when the shipping entry says nothing of weekends (asked.py `untold_detail`): what the entry
    says (the sentence a follow-up asks about, on the entry just answered), with the weekend said to be not in
    it; then the question goes to the queue as an unanswered one does (a colleague's promise, or the honest
    reply)."""
    entry, text, turn = match.entry, reading.words.text, reading.turn
    answer = gist(entry.answer, text) if turn is not None and entry.id in turn.answered else entry.answer
    await ctx.say("reply.faq_partial", name=customer.name, answer=answer, question=text, detail=detail)
    await embedded_answer(ctx, customer, open_kfid, "question", reading.words.said)


async def answer_with(ctx: Ctx, customer: Customer, match: FaqMatch, text: str, turn: Turn | None, *,
                      price: bool) -> None:
    """An entry's answer: on the entry answered a moment ago, the part the follow-up is about in a
    follow-up line (never the same answer twice in a row); to a price objection, with the concern
    acknowledged; else the answer in the persona's voice. A member asking of points in general hears their own
    balance after it (handlers/points/asking.py `own_points_say`)."""
    entry = match.entry
    if turn is not None and entry.id in turn.answered:
        await ctx.say("reply.followup", name=customer.name, answer=gist(entry.answer, text), question=text)
    elif price:
        await ctx.say("reply.price_faq", name=customer.name, answer=entry.answer, question=text)
    else:
        await ctx.say("reply.faq", name=customer.name, answer=entry.answer, question=text)
    if (theirs := await own_points_say(ctx, customer, text, entry.answer)) is not None:
        await reply_all(ctx, [theirs])  # "积分咋用" from a member: the rule, then their own balance


async def rank_ahead(services: Services, events: Sequence[Event]) -> None:
    """The inbox's look-ahead (Feature.lookahead): the knowledge base ranks the group's customer
    texts in one batch, so `answer_customer`'s `best` needs no thread of its own for each."""
    texts = [text for e in events if isinstance(e, KfMessageReceived) and e.from_customer and e.msgtype == "text"
             and (text := e.text.strip())]
    if len(texts) > 1:
        await services.knowledge.prepare(texts)


# Small talk said back in English too (the "english" phrasings, Chinese first) to a customer who wrote in English.
_ENGLISH_CHAT = frozenset({Intent.GREETING, Intent.PRESENCE, Intent.THANKS, Intent.PRAISE, Intent.BYE, Intent.GOODNIGHT,
                           Intent.ROBOT, Intent.ACK, Intent.LAUGH, Intent.TIRED, Intent.SAD, Intent.STAFF_HOURS})


# Whole English words an English speaker types ("hello", "thanks", "goodbye"), unlike the shorthand Chinese customers
# type all the time ("hi", "ok", "thx", "bye", "gn", "lol"): as a customer's first words, the chat's language.
_PLAINLY_ENGLISH = re.compile(r"^(hello|hey|thanks|goodbye|morning|evening|cheers|greetings|howdy)\W*$", re.I)


async def writes_english(ctx: Ctx, customer: Customer, msgid: str, said: str) -> bool:
    """The customer writes in English: this message (two English words or more, no Chinese: `in_english`), or a
    single English word ("thx", "bye", "lol") right after their own message in English, less than FOLLOWUP_MINUTES
    before ("how long does shipping take", then "thx"), or a whole English word ("hello", "thanks": _PLAINLY_ENGLISH)
    from a customer who has written nothing in Chinese in the chat's recent history. A lone "thx" or "ok" with
    nothing English before, or "thanks" after Chinese, is Chinese customers' shorthand: answered in Chinese only."""
    if in_english(said):
        return True
    if not one_english_word(said):
        return False
    history = [m for m in await kf_history(ctx, customer, HISTORY) if m.external_msgid != msgid]
    theirs = [m for m in history if m.direction == "in" and not m.staff_userid]
    if _PLAINLY_ENGLISH.match(said.strip()) and not any(has_chinese(m.text or "") for m in theirs):
        return True
    before = theirs[-1] if theirs else None
    return (before is not None and ctx.clock.now() - before.created_at < timedelta(minutes=FOLLOWUP_MINUTES)
            and in_english(before.text or ""))


async def chat_back(ctx: Ctx, customer: Customer, intent: Intent, text: str, msgid: str, *, said: str = "") -> None:
    """Small talk's reply: a greeting echoes the customer's own 早上好 / 晚上好 when the clock agrees
    (time-neutral when it does not), or, right after the persona's kf welcome, is a short "I'm here" of
    the same time of day (so is "哈喽，第一次来": the welcome already said what the persona does); anger
    after the customer told what the matter is apologises for it and asks nothing (upset.py);
    "好的，那我等你们消息" with an open ticket, or a question a colleague was promised to answer, is told
    the colleague will answer here (no promise the persona never made). Greetings, 在吗, thanks, praise, goodbyes,
    good night, "are you a bot?" and oks written in English (`said`, as written: persona/wording.py `in_english`,
    "hello there", "thanks a lot", "see you") get their "english" phrasings, said in Chinese then in English."""
    english = intent in _ENGLISH_CHAT and await writes_english(ctx, customer, msgid, said or text)
    if intent in (Intent.GREETING, Intent.FIRST_VISIT) and await just_welcomed(ctx, customer):
        # "你好", "哈喽 晚上好呀", "哈喽，第一次来" after our welcome: one opener, of the customer's time of day
        await ctx.say("chat.greet_again", name=customer.name,
                      slot="english" if english else greeting_slot(text, ctx.local_hour))
        return
    if intent is Intent.ANGRY:  # "told": the matter just told is apologised for, not asked about again
        # "waiting": a colleague already has it (an open ticket): said to be in hand, 「人工」 not offered again
        slot = ("waiting" if await ctx.repos.tickets.find_open(customer.id) is not None
                else "told" if await matter_told(ctx, customer, msgid, text) else None)
        await ctx.say("chat.angry", name=customer.name, slot=slot)
        return
    if intent is Intent.STAFF_HOURS:  # "你们客服几点上班": the configured hours, and how to reach a person now
        staffed = bool(await ctx.repos.staff.list())
        config, how_en = ctx.settings.of(EscalationConfig), how_to_reach_en(ctx, staffed=staffed)
        await ctx.say("chat.staff_hours", name=customer.name, hours=hours_words(config),
                      how=how_to_reach(ctx, staffed=staffed), hours_en=hours_words(config, english=True),
                      how_en=how_en[:1].upper() + how_en[1:], slot="english" if english else None)
        return
    if intent is Intent.DOUBT:  # "你们是不是骗子啊": the authenticity answer when the base has one, who we are
        kb = ctx.services.knowledge  # ("别忽悠我" names nothing to authenticate: only who we are)
        entry = None if only_not_fooled(text) else entry_about(kb.entries, await kb.rank(text, len(kb.entries)),
                                                               "authentic")
        if entry is not None:
            await ctx.say("reply.faq", name=customer.name, answer=entry.answer, question=text)
        await ctx.say("chat.doubt", name=customer.name)
        return
    if intent is Intent.MEMORY:  # "你还记得我吗": what the persona remembers, with what their profile holds
        tags = await told_tags(ctx, customer)
        await ctx.say("chat.memory", name=customer.name, tags=tags, slot="told" if tags else None)
        return
    if intent is Intent.GREETING:
        await ctx.say("chat.greeting", name=customer.name,
                      slot="english" if english else greeting_slot(text, ctx.local_hour))
        return
    # an ok, or "有人吗", while a colleague has their question: "a colleague is on it", not "what can I do for you"
    if intent in (Intent.ACK, Intent.PRESENCE) and (
            await UnansweredRepo(ctx.session).promised_open(customer.id)
            or await person_coming(ctx, customer)):
        await ctx.say("chat.ack_pending", name=customer.name, slot="english" if english else None)
        return
    if intent is Intent.ACK and buys(text):  # "行 我先买一瓶试试": good wishes for the purchase
        await reply_all(ctx, [await buying_say(ctx, text)])
        return
    # "回头问问她喜欢啥": an ok that waits for them; "包装好精致": thanks on the brand's behalf, not "你也超棒的"
    slot = ("later" if intent is Intent.ACK and defers(text)
            else "ours" if intent is Intent.PRAISE and praises_ours(text) else "english" if english else None)
    await ctx.say(f"chat.{intent}", name=customer.name, slot=slot)


async def told_tags(ctx: Ctx, customer: Customer) -> str:
    """The customer's tags the persona may say back ("干皮、保湿补水"): those the rule book adds from what customers
    tell, never a staff-side label (a private rule's, "意向:询价") nor one staff set by hand."""
    told = {ref.name for rule in ctx.services.rules.rules if not rule.private for ref in rule.add}
    return "、".join(dict.fromkeys(t.name for t in await ctx.repos.tags.of_customer(customer.id) if t.name in told))


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


async def for_their_skin(ctx: Ctx, text: str) -> FaqMatch | None:
    """A wish that already names the skin type ("给我媳妇买个生日礼物 她三十五 皮肤有点干"): the knowledge base's best
    entry when it is for that kind, so the persona does not ask for what was just told; not when the wish names a
    kind of product the entry does not ("有适合干皮的洗面奶吗": the cream is no face wash)."""
    match = for_kind(await ctx.services.knowledge.rank(text, 1), text)
    return None if match is None or other_product(match.entry, text) else match


async def _item_to_ask(ctx: Ctx, customer: Customer, msgid: str, match: FaqMatch, words: Words) -> str:
    """The product to ask about before recommending (shopping.py `item_to_ask_about`); for the customer's own
    wish, not when they told their kind before ("我是干皮" … "我想买个面霜": the cream at once)."""
    text, tags = words.text, words.seen.tag_names
    item = item_to_ask_about(match.entry, text, tags)
    if item and not recipient(text) and (theirs := await their_kinds(ctx, customer, msgid)):
        item = item_to_ask_about(match.entry, text, f"{tags} {' '.join(kind_names(theirs))}")
    return item


async def recommend(ctx: Ctx, customer: Customer, open_kfid: str, asked: str, detail: str, *, again: bool = False,
                    tags: str = "") -> None:
    """The wish with the details the persona asked for: the knowledge base's entry when it is sure,
    or its best entry when that is for the skin type the customer named ("她六十了 皮肤比较干" → the
    dry-skin cream), else a question for staff (the persona asked, so someone must answer), never a
    tag note. Details without the skin type the entry is for ("她六十多了 预算三百"), or that no entry answers
    ("想给闺蜜买个生日礼物" … "预算三百左右": the budget told, the skin type every reply.shopping* asked not), get
    the skin type asked once more, briefly (`reply.shopping_kind`; `again`: it was, and still untold it is a
    question for staff), never the entry for a skin type nobody named."""
    kb = ctx.services.knowledge
    await kb.sync(ctx.session)
    told = skin_told(asked)  # "她偏干" answers the skin type asked: dry skin
    ranked = await kb.rank(told, 1)
    match = await kb.best(told) or await kb.best(detail) or for_kind(ranked, told)
    untold = (match is None or is_for_a_kind(match.entry)) and bool(ranked) and not kinds(f"{told} {tags}")
    if untold and not again:
        await ctx.say("reply.shopping_kind", name=customer.name)
    elif match is not None and not untold:
        await answer_with(ctx, customer, match, asked, None, price=False)
    else:
        await embedded_answer(ctx, customer, open_kfid, "question", asked)

