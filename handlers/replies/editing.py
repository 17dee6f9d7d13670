"""Editing the knowledge base at run time: entries added from the console or from a staff answer
(`/answer ... +faq`), disabled or enabled again. Each change bumps the knowledge revision in the
caller's transaction, so every replica rebuilds its index once it is committed (knowledge.py).

Bad input is refused with a CommandError saying what to fix, and nothing is written: an empty
question or answer, an answer longer than `faq.max_answer_bytes` (it must fit a kf text in the
persona's words), placeholders in an answer, or a question some entry already has.
"""

from __future__ import annotations

from typing import Sequence

from bot.errors import CommandError
from handlers.replies.config import FaqConfig
from handlers.services import Ctx
from persona.faq import normal
from storage.models import KnowledgeEntry
from storage.repos.replies import KnowledgeRepo

MAX_QUESTION_CHARS = 200
MAX_QUESTIONS = 20


def check_answer(ctx: Ctx, answer: str) -> str:
    answer = answer.strip()
    if not answer:
        raise CommandError("回答不能为空。")
    limit = ctx.settings.of(FaqConfig).max_answer_bytes
    size = len(answer.encode())
    if size > limit:
        over = -(-(size - limit) // 3)
        raise CommandError(f"回答太长：{size} 字节，最多 {limit} 字节（约 {limit // 3} 个汉字），"
                           f"请删掉约 {over} 个字后重发。"
                           f"微信客服一条文本最多 2048 字节，还要放下小助手的话。")
    if "{" in answer or "}" in answer:
        raise CommandError("回答里不能有 { 或 }（它们是模板占位符）。")
    return answer


async def add_entry(ctx: Ctx, questions: Sequence[str], answer: str, *, actor: str, source: str = "console",
                    question_id: int | None = None) -> KnowledgeEntry:
    """A new active entry; the index follows in every replica after the commit."""
    phrasings = [" ".join(q.split()) for q in questions if q.strip()]
    if not phrasings:
        raise CommandError("至少要有一个问题。")
    if len(phrasings) > MAX_QUESTIONS:
        raise CommandError(f"一个条目最多 {MAX_QUESTIONS} 种问法。")
    long = [q for q in phrasings if len(q) > MAX_QUESTION_CHARS]
    if long:
        raise CommandError(f"问题「{long[0][:20]}…」太长：最多 {MAX_QUESTION_CHARS} 个字。")
    answer = check_answer(ctx, answer)
    kb = ctx.services.knowledge
    await kb.sync(ctx.session, force=True)  # compare with what the other replicas added too
    known = {normal(q): e.id for e in kb.entries for q in e.questions}
    for q in phrasings:
        if normal(q) in known:
            raise CommandError(f"知识库里已有问题「{q}」（条目 {known[normal(q)]}），没有重复添加。")
    repo = KnowledgeRepo(ctx.session)
    row = await repo.add(phrasings, answer, now=ctx.clock.now(), created_by=actor, source=source,
                         question_id=question_id)
    ctx.repos.audit.record(actor=actor, action="knowledge.added", target=f"knowledge:{row.id}",
                           detail={"source": source, "questions": len(phrasings)}, now=ctx.clock.now())
    kb.expect(await repo.revision())
    return row


async def set_status(ctx: Ctx, entry_id: int, active: bool, *, actor: str) -> KnowledgeEntry:
    repo = KnowledgeRepo(ctx.session)
    row = await repo.find(entry_id)
    if row is None:
        raise CommandError(f"没有知识库条目 #{entry_id}。")
    status = "active" if active else "disabled"
    if row.status != status:
        row.status, row.updated_at = status, ctx.clock.now()
        revision = await repo.bump(now=ctx.clock.now())
        ctx.repos.audit.record(actor=actor, action=f"knowledge.{'enabled' if active else 'disabled'}",
                               target=f"knowledge:{row.id}", now=ctx.clock.now())
        ctx.services.knowledge.expect(revision)
    return row
