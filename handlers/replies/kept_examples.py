"""The example sentences of the sentence-model classifiers (persona/examples.py: feelings,
suggestions) kept in knowledge_vector like the knowledge base's texts, so a start with a warm table
embeds none of them (about 260 texts, several seconds of one core per process before).

Their rows have the kind "example" (embedded as queries) and are written, marked used and deleted
the way vectors.py does it for the knowledge base: a start with `[suggestions] model = false`
leaves the suggestion examples' rows for the next start with it on (or a replica that has it on);
only rows no build used for a week go (an example edited away in a release).
"""

from __future__ import annotations

import asyncio
from typing import Any, Sequence

from handlers.replies.vectors import Db, StoredVectors, model_identity, read_kept
from persona.embed import Embedder, Vectors
from persona.examples import ExampleModel


class ExampleVectors(StoredVectors):
    """StoredVectors for example sentences: their own kind of row."""

    def query(self, texts: Sequence[str]) -> Vectors:
        return self._vectors(texts, "example")


class _Examples:
    """The models to build, as one index (what StoredVectors.build awaits)."""

    def __init__(self, models: Sequence[ExampleModel[Any]], embedder: Embedder) -> None:
        self.models, self.embedder = models, embedder

    def _build(self) -> None:
        for model in self.models:
            model.build(self.embedder)

    async def ready(self) -> None:
        await asyncio.to_thread(self._build)


async def prepare_examples(models: Sequence[ExampleModel[Any]], db: Db | None) -> None:
    """Start-up: build every model (sharing one sentence model) from the kept vectors, embedding
    and keeping only texts never embedded before; without a database or a model identity, embed."""
    from persona.embed import shared_embedder

    if not models:
        return
    base = next((model.embedder for model in models if model.embedder is not None), None) or shared_embedder()
    for model in models:
        model.embedder = model.embedder or base
    identity = model_identity(base)
    kept = await read_kept(base, db) if all(model.embedder is base for model in models) else None
    if identity is None or db is None or kept is None:
        for model in models:
            await model.ready()
        return
    stored = ExampleVectors(base, identity)
    keep = await stored.build(_Examples(models, stored), db, kept)
    await keep()
