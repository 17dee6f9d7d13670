"""The kept sentence vectors of knowledge-base texts (knowledge_vector): all of one model's in one
read, the new ones in one write that leaves rows another replica wrote first alone."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import KnowledgeVector

Key = tuple[str, str]  # (kind, text_hash)
ROWS_PER_INSERT = 4000  # 16,000 bound parameters: under PostgreSQL's 32,767 and SQLite's 32,766


class VectorRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_all(self, model: str) -> dict[Key, bytes]:
        """Every kept vector of this model, by (kind, text hash)."""
        rows = await self.session.execute(select(KnowledgeVector.kind, KnowledgeVector.text_hash,
                                                 KnowledgeVector.vector).where(KnowledgeVector.model == model))
        return {(kind, text_hash): bytes(vector) for kind, text_hash, vector in rows.all()}

    async def add_new(self, model: str, vectors: Sequence[tuple[str, str, bytes]]) -> None:
        """(kind, text hash, vector) rows, in one statement (one per ROWS_PER_INSERT); a key already
        there (another replica embedded the same text at the same time) keeps its row."""
        postgres = self.session.get_bind().dialect.name == "postgresql"
        insert: Callable[..., Any] = pg_insert if postgres else sqlite_insert
        for start in range(0, len(vectors), ROWS_PER_INSERT):
            stmt = insert(KnowledgeVector).values(
                [{"model": model, "kind": kind, "text_hash": text_hash, "vector": vector}
                 for kind, text_hash, vector in vectors[start:start + ROWS_PER_INSERT]]
            ).on_conflict_do_nothing(index_elements=["model", "kind", "text_hash"])
            await self.session.execute(stmt)

    async def remove(self, model: str, keys: Iterable[Key]) -> None:
        """Drop unusable rows (corrupt bytes) so their texts' new vectors can take their place."""
        keys = list(keys)
        if keys:
            await self.session.execute(delete(KnowledgeVector).where(
                KnowledgeVector.model == model,
                tuple_(KnowledgeVector.kind, KnowledgeVector.text_hash).in_(keys)))
