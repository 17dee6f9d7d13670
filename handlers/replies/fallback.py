"""The embedded answers when the knowledge base is not sure: a question goes to the staff queue
(handlers/questions: a promise only when someone will keep it), a statement gets a chat reply. The
handler says them at once; with the LLM backend on, the model's worker says them when the model
cannot answer in time."""

from __future__ import annotations

from handlers.escalation.config import EscalationConfig
from handlers.escalation.rules import ASKS_WHAT_TO_DO, safety_ticket_topic
from handlers.questions.queue import add_detail, queue_question
from handlers.replies.buying import buying_say, buys
from handlers.replies.voice import Say, tell
from handlers.services import Ctx
from storage.models import Customer

CHAT = "chat.other"  # a statement the persona just chats back to


async def embedded_answer(ctx: Ctx, customer: Customer, open_kfid: str, kind: str, text: str,
                          product: str = "") -> None:
    """What the persona says to a `kind` of message ("question" or "chat") it has no sure answer
    for, without the model: one place for the handler and the model's worker. A question is queued
    for staff first (handlers/questions): the persona promises a colleague only when someone will
    keep the promise, else it says honestly it does not know yet (of `product`'s price, when asked). A
    statement right after such a question joins it (queue.py `add_detail`); a decision to buy gets good wishes
    (buying.py)."""
    say = Say(CHAT)
    if kind == "question" and (topic := await _safety_waiting(ctx, customer, text)) is not None:
        # "那我现在该怎么办" while a colleague is on the way to an allergy: the advice again, then the question
        # joins the ticket ("the colleague will answer here"), never "I'll ask" alone
        await tell(ctx, customer, open_kfid, Say("escalation.safety", {"topic": topic}))
    if kind == "question":
        queued = await queue_question(ctx.with_(customer=customer), text, open_kfid=open_kfid, product=product)
        if queued is not None:
            say = queued[1]
    elif (detail := await add_detail(ctx.with_(customer=customer), text)) is not None:
        say = detail  # "就是那种卡 她自己拿去挑" right after "你们有礼品卡吗": more of that question
    elif buys(text):
        say = await buying_say(ctx, text)  # "那我先下单试试 不行再退": good wishes (and the returns entry)
    await tell(ctx, customer, open_kfid, say)


async def _safety_waiting(ctx: Ctx, customer: Customer, text: str) -> str | None:
    """The safety topic of the customer's open ticket when the question asks what to do meanwhile."""
    if ASKS_WHAT_TO_DO.search(text) is None:
        return None
    ticket = await ctx.repos.tickets.find_open(customer.id)
    return None if ticket is None else safety_ticket_topic(ticket.reason, ctx.settings.of(EscalationConfig))
