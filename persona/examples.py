"""Labelled example sentences, and how near a text is to each label through the shared sentence
model (persona/embed.py): what tells a feeling from a neutral statement (handlers/replies/feelings.py)
and a suggestion from everything else (handlers/insights/model.py). A label's nearness is the mean
cosine of the text's `top` nearest examples of that label: one lucky neighbour does not decide.
The caller turns nearness into a verdict with its own margin, calibrated on its own dev split.

`build` and `nearness` are blocking (model inference): run them in a worker thread. A handler never
waits for the examples to be embedded (a hundred embeddings inside its transaction would hold
SQLite's one write lock): until start-up's warm-up or `ready()` has built them, the caller asks
`start_building()` and answers without the model meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable, Generic, Hashable, Mapping, Sequence, TypeVar

import numpy as np

from persona.embed import Embedder, Vectors

log = logging.getLogger(__name__)

L = TypeVar("L", bound=Hashable)
R = TypeVar("R")


def han(text: str) -> int:
    """How many Chinese characters a text has: the sentence model hears noise in Latin text and commands."""
    return sum(1 for c in text if "\u4e00" <= c <= "\u9fff")


class ExampleModel(Generic[L]):
    """Example sentences per label, embedded once (as queries, like a customer's text)."""

    def __init__(self, name: str, examples: Mapping[L, Sequence[str]], *, top: int,
                 embedder: Embedder | None = None) -> None:
        self.name = name  # in log lines: which model failed
        self.examples: dict[L, tuple[str, ...]] = {label: tuple(texts) for label, texts in examples.items()}
        self.top = top
        self.embedder = embedder  # None: the process-wide shared model, loaded on first build
        self._built: tuple[Embedder, dict[L, Vectors]] | None = None
        self._lock = asyncio.Lock()
        self.building: asyncio.Task[None] | None = None  # the background build start_building() began

    @property
    def prepared(self) -> bool:
        return self._built is not None

    def texts(self) -> list[str]:
        return [text for texts in self.examples.values() for text in texts]

    def build(self, embedder: Embedder | None = None) -> None:
        """Blocking: embed the examples (`embedder` stands in for the model during this build only,
        e.g. one that reads kept vectors; later texts go to the model itself)."""
        model = self.embedder
        if model is None:
            from persona.embed import shared_embedder

            model = self.embedder = shared_embedder()
        vectors = (embedder or model).query(self.texts())
        rows: dict[L, Vectors] = {}
        start = 0
        for label, texts in self.examples.items():
            rows[label] = vectors[start:start + len(texts)]
            start += len(texts)
        self._built = (model, rows)

    async def ready(self) -> None:
        """Build in a thread unless built (concurrent callers share one build)."""
        if self._built is not None:
            return
        async with self._lock:
            if self._built is None:
                await asyncio.to_thread(self.build)

    def start_building(self) -> None:
        """Build in the background unless built or building; a failure is logged, not raised."""
        if self._built is None and (self.building is None or self.building.done()):
            self.building = asyncio.create_task(self._build_logged(), name=f"{self.name}-examples")

    async def _build_logged(self) -> None:
        try:
            await self.ready()
        except Exception:  # noqa: BLE001 - a background task: nobody else would see it; the next text retries
            log.exception("example sentences not embedded, answering without the model", extra={"model": self.name})

    def remembered(self, text: str) -> bool:
        """Built, and the model remembers the text's vector: `nearness` then needs no inference and may
        run on the event loop (no thread hop per message)."""
        if self._built is None:
            return False
        remembers = getattr(self._built[0], "remembers", None)
        return bool(remembers is not None and remembers(text.strip()))

    async def judge(self, verdict: Callable[[str], R], text: str, default: R, failing: str) -> R:
        """`verdict(text)` (blocking model work) the way a handler may ask it: `default` until the examples
        are built (the build then starts in the background, never inside a handler's transaction); on
        the loop when the model remembers the text's vector (no thread hop), else in a worker thread; a
        model failure is logged (`failing` says what happens instead) and gives `default`."""
        if not self.prepared:
            self.start_building()
            return default
        try:
            if self.remembered(text):
                return verdict(text)
            return await asyncio.to_thread(verdict, text)
        except Exception:
            log.exception("%s: the sentence model failed; %s", self.name, failing, extra={"model": self.name})
            return default

    def nearness(self, text: str) -> dict[L, float]:
        """Blocking: each label's nearness to the text (call after `ready()` or `build()`)."""
        if self._built is None:
            raise RuntimeError(f"{self.name} example model used before ready()")  # never builds inside a handler
        model, rows = self._built
        vector = model.query([text.strip()])[0]
        return {label: float(np.sort(vectors @ vector)[-self.top:].mean()) for label, vectors in rows.items()}

