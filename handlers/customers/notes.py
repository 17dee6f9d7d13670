"""Staff notes on a customer (备注): short, signed, newest first; written from the chat sidebar."""

from __future__ import annotations

from bot.errors import CommandError
from handlers.services import Ctx
from storage.models import Customer, CustomerNote
from storage.repos import CustomerNoteRepo

MAX_NOTE_CHARS = 200


async def add_note(ctx: Ctx, customer: Customer, text: str, *, actor: str) -> CustomerNote:
    """Keep a note on the customer as `actor` (a staff userid); audited without its text."""
    text = text.strip()
    if not text:
        raise CommandError("备注是空的，写点什么再保存吧。")
    if len(text) > MAX_NOTE_CHARS:
        raise CommandError(f"备注最多 {MAX_NOTE_CHARS} 个字（现在 {len(text)} 个）。")
    note = CustomerNoteRepo(ctx.session).add(customer.id, actor, text, now=ctx.clock.now())
    ctx.repos.audit.record(actor=actor[:64], action="customer.note", target=customer.external_userid,
                           detail={"chars": len(text)}, now=ctx.clock.now())
    return note


async def notes_of(ctx: Ctx, customer: Customer, *, limit: int = 20) -> list[CustomerNote]:
    return await CustomerNoteRepo(ctx.session).latest(customer.id, limit=limit)
