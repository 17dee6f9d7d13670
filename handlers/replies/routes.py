"""The persona answering customers in WeChat Customer Service chats.

One message, in this order: tag it (rules → tags → maybe a stage); let the escalation rules
decide whether a person must take it (then the persona stays silent); answer it (the knowledge
base when sure; small talk, feelings and media in the persona's voice; an acknowledgement when
the customer told us about themselves; for a real question it cannot answer, the persona's honest
"let me ask a colleague", with the question recorded; for any other statement, a chat reply; with
`[llm] enabled`, those last two go to the model first, handlers/replies/llm/);
then push the new stage's content. The answer is written first so it leaves first. Answers are never
capped; the push goes through the anti-spam gate. One customer message gets at most two kf
messages here, well inside WeCom's 5 per customer message.
"""

from __future__ import annotations

from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.escalation.escalate import escalate_if_needed, held_by_advisor
from handlers.escalation.rules import is_question
from handlers.replies.fallback import embedded_answer
from handlers.replies.llm.ask import ask_model
from handlers.replies.smalltalk import MEDIA, classify
from handlers.services import Ctx
from handlers.tagging.service import Observation, enter_stage, observe_message

router = Router("chat")


def _from_customer(event: KfMessageReceived, _: Ctx) -> bool:
    return event.from_customer


@router.on(when=_from_customer)
async def answer_customer(event: KfMessageReceived, ctx: Ctx) -> None:
    """Answer from the knowledge base when sure, hand over to a person when the rules say so, chat
    back to small talk and feelings, else the persona's honest fallback."""
    customer = ctx.customer
    assert customer is not None
    if event.msgtype != "text":
        await answer_media(event, ctx)
        return
    text = event.text.strip()
    seen = await observe_message(ctx, customer, text) if text else Observation()
    kb = ctx.services.knowledge
    match = None
    if text:
        await kb.ready()  # jieba loads once, in a thread, the first time anyone asks
        match = kb.best(text)  # None unless above faq.threshold
    intent = classify(text) if match is None else None
    if await escalate_if_needed(ctx, text, can_answer=match is not None, small_talk=intent is not None):
        if seen.stage:  # a person has the chat: record the stage, push nothing into their conversation
            await enter_stage(ctx, customer, seen.stage, source="tags", push=False, open_kfid=event.open_kfid)
        return
    if match is not None:
        await ctx.say("reply.faq", name=customer.name, answer=match.entry.answer, question=text)
    elif intent is not None:
        await ctx.say(f"chat.{intent}", name=customer.name)
    elif seen.tag_names:
        await ctx.say("reply.noted", name=customer.name, tags=seen.tag_names)
    else:  # a question it cannot answer, or a statement a person would just chat back to
        kind = "question" if is_question(text) else "chat"
        if not await ask_model(ctx, event, text, kind=kind, stage=seen.stage):  # else the model answers later
            await embedded_answer(ctx, customer, event.open_kfid, kind, text)
    if seen.stage:
        source = next((f"rule:{r.name}" for r in seen.fired if r.stage == seen.stage), "tags")
        await enter_stage(ctx, customer, seen.stage, source=source, push=True, open_kfid=event.open_kfid)


async def answer_media(event: KfMessageReceived, ctx: Ctx) -> None:
    """A photo, voice message, video or card: a fitting line from the persona (unless a person has
    the chat)."""
    if await held_by_advisor(ctx) is not None:
        return
    await ctx.say(MEDIA.get(event.msgtype, "media.other"), name=ctx.customer.name if ctx.customer else "")
