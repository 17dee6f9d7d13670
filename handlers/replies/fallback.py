"""The embedded answers when the knowledge base is not sure: the honest "let me ask a colleague" for a
question (recorded as unanswered) and a chat reply for a statement. The handler says them at once;
with the LLM backend on, the model's worker says them when the model cannot answer in time."""

from __future__ import annotations

from handlers.escalation.escalate import record_unanswered
from handlers.replies.voice import Say, tell
from handlers.services import Ctx
from persona.faq import FaqIndex, FaqMatch
from storage.models import Customer

EMBEDDED = {"question": "reply.fallback", "chat": "chat.other"}  # kind of message → the persona's template


async def closest_entries(kb: FaqIndex, text: str, limit: int) -> list[FaqMatch]:
    """The knowledge base's best entries for a text, best first, sure or not (one place to adapt
    when ranking becomes a coroutine)."""
    await kb.ready()
    return kb.rank(text, limit=limit)


async def embedded_answer(ctx: Ctx, customer: Customer, open_kfid: str, kind: str, text: str) -> None:
    """What the persona says to a `kind` of message ("question" or "chat") it has no sure answer
    for, without the model: one place for the handler and the model's worker."""
    await tell(ctx, customer, open_kfid, Say(EMBEDDED[kind]))
    if kind == "question":
        await note_unanswered(ctx, text)


async def note_unanswered(ctx: Ctx, text: str) -> None:
    """Keep a question the persona could not answer, with its closest entry, for the digest."""
    closest = await closest_entries(ctx.services.knowledge, text, 1)
    record_unanswered(ctx, text, best_faq=closest[0].entry.id if closest else "",
                      confidence=closest[0].confidence if closest else 0.0)
