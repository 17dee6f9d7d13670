"""The persona answering customers in WeChat Customer Service chats."""

from __future__ import annotations

from bot.context import Context
from bot.dispatcher import Router
from bot.wecom.events import KfMessageReceived

router = Router("chat")


def _from_customer(event: KfMessageReceived, _: Context) -> bool:
    return event.from_customer


@router.on(KfMessageReceived, when=_from_customer)
async def answer_customer(event: KfMessageReceived, ctx: Context) -> None:
    """Answer from the knowledge base when sure, else the persona's honest fallback."""
    customer = ctx.customer
    assert customer is not None
    faq = ctx.extras.get("faq")
    answer = faq.best_answer(event.text) if faq is not None and event.msgtype == "text" else None
    if answer is not None:
        await ctx.say("reply.faq", name=customer.name, answer=answer)
        return
    await ctx.say("reply.fallback", kind="answer", name=customer.name)
