"""The persona answering customers in WeChat Customer Service chats."""

from __future__ import annotations

from bot.context import Context
from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived
from handlers.escalation import escalate_if_needed, is_question, record_unanswered

router = Router("chat")


def _from_customer(event: KfMessageReceived, _: Context) -> bool:
    return event.from_customer


def faq_score(faq: object, text: str) -> float | None:
    """How sure the FAQ service is, when it can say (a `score(text) -> float` method)."""
    score = getattr(faq, "score", None)
    return float(score(text)) if callable(score) else None


@router.on(KfMessageReceived, when=_from_customer)
async def answer_customer(event: KfMessageReceived, ctx: Context) -> None:
    """Answer from the knowledge base when sure, hand over to a person when the rules say so,
    else the persona's honest fallback."""
    customer = ctx.customer
    assert customer is not None
    faq = ctx.extras.get("faq")
    text = event.text if event.msgtype == "text" else ""
    answer = faq.best_answer(text) if faq is not None and text else None
    score = faq_score(faq, text) if answer is not None else None
    confident = answer is not None and (score is None or score >= ctx.settings.escalation.faq_min_score)
    if await escalate_if_needed(ctx, text, can_answer=confident):
        return  # a person has this chat now; the persona stays silent
    if confident:
        await ctx.say("reply.faq", name=customer.name, answer=answer)
        return
    if is_question(text):
        record_unanswered(ctx, text)
    await ctx.say("reply.fallback", kind="answer", name=customer.name)
