"""The kept sentence vectors of knowledge-base texts and example sentences (knowledge_vector): all
of one model's in one read, the new ones in one write that leaves rows another replica wrote first
alone, and when a build last used each row, so only rows nobody uses go."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KnowledgeVector

Key = tuple[str, str]  # (kind, text_hash)
ROWS_PER_INSERT = 4000  # 20,000 bound parameters: under PostgreSQL's 32,767 and SQLite's 32,766
KEYS_PER_STATEMENT = 10000  # two parameters a key


def _chunks(keys: Iterable[Key]) -> Iterable[list[Key]]:
    keys = list(keys)
    for start in range(0, len(keys), KEYS_PER_STATEMENT):
        yield keys[start:start + KEYS_PER_STATEMENT]


class VectorRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_all(self, model: str) -> dict[Key, tuple[bytes, datetime]]:
        """Every kept vector of this model and when a build last used it, by (kind, text hash)."""
        rows = await self.session.execute(select(KnowledgeVector.kind, KnowledgeVector.text_hash,
                                                 KnowledgeVector.vector, KnowledgeVector.used_at)
                                          .where(KnowledgeVector.model == model))
        return {(kind, text_hash): (bytes(vector), used_at) for kind, text_hash, vector, used_at in rows.all()}

    async def add_new(self, model: str, vectors: Sequence[tuple[str, str, bytes]], *, now: datetime) -> None:
        """(kind, text hash, vector) rows, in one statement (one per ROWS_PER_INSERT); a key already
        there (another replica embedded the same text at the same time) keeps its row."""
        postgres = self.session.get_bind().dialect.name == "postgresql"
        insert: Callable[..., Any] = pg_insert if postgres else sqlite_insert
        for start in range(0, len(vectors), ROWS_PER_INSERT):
            stmt = insert(KnowledgeVector).values(
                [{"model": model, "kind": kind, "text_hash": text_hash, "vector": vector, "used_at": now}
                 for kind, text_hash, vector in vectors[start:start + ROWS_PER_INSERT]]
            ).on_conflict_do_nothing(index_elements=["model", "kind", "text_hash"])
            await self.session.execute(stmt)

    async def remove(self, model: str, keys: Iterable[Key]) -> None:
        """Drop unusable rows (corrupt bytes) so their texts' new vectors can take their place."""
        for chunk in _chunks(keys):
            await self.session.execute(delete(KnowledgeVector).where(
                KnowledgeVector.model == model,
                tuple_(KnowledgeVector.kind, KnowledgeVector.text_hash).in_(chunk)))

    async def mark_used(self, model: str, keys: Iterable[Key], *, now: datetime) -> None:
        """A build used these rows: they stay another KEEP (handlers/replies/vectors.py)."""
        for chunk in _chunks(keys):
            await self.session.execute(update(KnowledgeVector).where(
                KnowledgeVector.model == model,
                tuple_(KnowledgeVector.kind, KnowledgeVector.text_hash).in_(chunk)).values(used_at=now))

    async def remove_unused(self, *, before: datetime) -> None:
        """Drop every row (any model's) no build used since `before`: a text no replica has any more,
        an example no feature uses, an older model's. A row another replica marked used meanwhile
        stays (the condition is checked on the row as it is when deleted)."""
        await self.session.execute(delete(KnowledgeVector).where(KnowledgeVector.used_at < before))
