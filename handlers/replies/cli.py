"""`wanzi faq reload`: after the FAQ file (`faq.path`) was edited, check it and bump the knowledge
revision, so every running replica re-reads the file and rebuilds its index (within `faq.refresh_s`).
A broken, empty or duplicated file is refused with its name and the place at fault, and nothing
changes."""

from __future__ import annotations

import sys

from bot.clock import SystemClock
from bot.config import Config
from handlers.replies.config import FaqConfig
from handlers.replies.knowledge import read_faq_file
from handlers.wiring import faq_file
from persona.model import PersonaError
from storage import db
from storage.repos import AuditRepo
from storage.repos.replies import KnowledgeRepo


async def reload(config: Config) -> int:
    path = faq_file(config)
    count = 0
    if path is not None:
        try:
            count = len(read_faq_file(path))
        except PersonaError as exc:
            print(f"error: {exc}", file=sys.stderr)
            print("nothing reloaded: the running replicas keep the entries they have", file=sys.stderr)
            return 1
    engine = db.create_engine(config.database.url)
    try:
        await db.ensure_migrated(engine)
        async with db.session_factory(engine).begin() as session:
            now = SystemClock().now()
            revision = await KnowledgeRepo(session).bump(now=now)
            AuditRepo(session).record(actor="cli", action="knowledge.reloaded", target="knowledge",
                                      detail={"revision": revision, "file_entries": count}, now=now)
    finally:
        await engine.dispose()
    where = f"{path}：{count} 条" if path is not None else "没有 FAQ 文件（faq.path 为空）"
    print(f"知识库版本 {revision}（{where}）。运行中的各个进程会在 {config.of(FaqConfig).refresh_s:g} 秒内重建索引。")
    return 0
