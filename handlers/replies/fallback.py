"""The embedded answers when the knowledge base is not sure: a question goes to the staff queue
(handlers/questions: a promise only when someone will keep it), a statement gets a chat reply. The
handler says them at once; with the LLM backend on, the model's worker says them when the model
cannot answer in time."""

from __future__ import annotations

from handlers.questions.queue import queue_question
from handlers.replies.voice import Say
from handlers.services import Ctx
from persona.faq import FaqMatch

CHAT = "chat.other"  # a statement the persona just chats back to


async def closest_entries(ctx: Ctx, text: str, limit: int) -> list[FaqMatch]:
    """The knowledge base's best entries for a text, best first, sure or not."""
    return await ctx.services.knowledge.rank(text, limit=limit)


async def embedded_reply(ctx: Ctx, text: str, *, kind: str, open_kfid: str) -> Say:
    """What the persona says without the model: for a question, it is queued for staff first."""
    if kind == "question":
        queued = await queue_question(ctx, text, open_kfid=open_kfid)
        if queued is not None:
            return queued[1]
    return Say(CHAT)  # `tell` adds the customer's name
