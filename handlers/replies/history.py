"""The customer's recent kf chat as the reply handlers read it: stored rows and this transaction's
own rows not flushed yet (an earlier message of the customer in the same group), oldest first.
Read without a flush (one here would write each event's rows on its own instead of in the group's
batched inserts, about six statements more per kf message) and once per transaction for every
reader of the chat (`MessageRepo.recent`)."""

from __future__ import annotations

from datetime import timedelta

from handlers.escalation.rules import is_question
from handlers.replies.smalltalk import classify
from handlers.services import Ctx
from persona.followup import leans_on
from persona.heard import heard
from storage.models import Customer, Message

FOLLOWUP_MINUTES = 5  # a later message starts afresh
HISTORY = 8  # messages read back: two turns with their replies


async def kf_history(ctx: Ctx, customer: Customer, limit: int) -> list[Message]:
    """The customer's last `limit` kf messages, both directions, oldest first."""
    return await ctx.repos.messages.recent(customer.id, limit, channel="kf")


async def asked_before(ctx: Ctx, customer: Customer, question: str, *, leaning: bool = False) -> str:
    """What a follow-up ("那偏远地区呢" after "包邮吗") leans on: the customer's question before it,
    asked less than FOLLOWUP_MINUTES earlier (and the one before that too when it leaned on another
    in turn), joined with "，"; "" when `question` stands on its own or nothing fits. `leaning`: the
    caller knows it leans (an order number alone). Read as heard (persona/heard.py); the questions
    are joined as the customer wrote them, for staff."""
    question = heard(question.strip())
    if not leaning and not leans_on(question):
        return ""
    said = [m for m in await kf_history(ctx, customer, HISTORY) if m.direction == "in" and not m.staff_userid]
    at = next((n for n in reversed(range(len(said))) if heard(said[n].text.strip()) == question), None)
    if at is None:
        return ""
    since = said[at].created_at - timedelta(minutes=FOLLOWUP_MINUTES)
    before: list[str] = []
    for message in reversed(said[:at]):
        text = heard(message.text.strip())
        if message.created_at < since or not is_question(text) or classify(text) is not None:
            break  # "哦 那你能帮我干嘛" is small talk: nothing for "这个多少钱" to lean on
        before.insert(0, message.text.strip())
        if not leans_on(text):
            break
    return "，".join(before) if before and not leans_on(heard(before[0])) else ""
