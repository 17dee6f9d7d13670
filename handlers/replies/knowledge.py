"""The knowledge base the persona answers from, editable at run time in every replica.

`services.knowledge` is a `KnowledgeBase`: a holder that delegates to the current index and swaps it
for a new one when the knowledge base changes. Its entries are the persona's `[[faq]]`, the
operator's `faq.path` file (re-read at each rebuild) and the active `knowledge_entry` rows (console,
`/answer ... +faq`). Every change bumps `knowledge_revision`; a replica whose index is older rebuilds
it off the event loop: before answering a customer (at most every `faq.refresh_s` seconds, at once
after its own change) and from a background worker, so an idle replica catches up too. The worker
also watches the FAQ file and rebuilds when it was edited (`wanzi faq reload` checks it first and
tells every replica, wherever its copy is). While a rebuild runs, questions are answered by the
index it replaces; only the first build after a start is waited for.

Builds take the vectors of texts embedded before from the database (vectors.py): a build given a
session or a session factory (`ready(db)` at start-up, `sync`, `sync_from`) embeds only new texts.

`build_index` is the one place that knows the index class: the holder only needs
`await index.ready()`, `await index.best(text)`, `await index.rank(text, limit)`, `await index.chatter(text)`
and `index.entries` (and `await index.prepare(texts)` for the inbox's look-ahead, `prepare` below).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.replies import vectors
from handlers.replies.vectors import Db
from persona.faq import FaqEntry, FaqIndex, FaqMatch, load_faq_file
from persona.model import PersonaError
from persona.segment import Segmenter
from storage.models import KnowledgeEntry
from storage.repos.replies import KnowledgeRepo

T = TypeVar("T")

if TYPE_CHECKING:
    from persona.embed import Embedder

log = logging.getLogger(__name__)

ENTRY_PREFIX = "kb#"  # FaqEntry ids of database entries, "kb#12" (a file's own are "<stem>-<n>")
EXPECT_S = 30.0  # how long a replica waits for its own change to commit before it stops checking every answer


def build_index(entries: Sequence[FaqEntry], segmenter: Segmenter, threshold: float,
                embedder: Embedder | None = None) -> FaqIndex:
    """The index over these entries (not built yet: `await index.ready()` builds it in a thread)."""
    return FaqIndex(entries, segmenter, threshold, embedder=embedder)


def read_faq_file(path: Path) -> tuple[FaqEntry, ...]:
    """The operator's FAQ file, refused (PersonaError naming the file and the place) when it has no
    entry at all or one question twice (load_faq_file): a reload must never empty the knowledge base
    or make an answer depend on which duplicate wins."""
    entries = load_faq_file(path)
    if not entries:
        raise PersonaError(str(path), "file", "has no FAQ entries (an empty file would empty the knowledge base)")
    return entries


def stamp_of(path: Path) -> tuple[int, int] | None:
    """When the file last changed and its size; None when it is missing."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def entry_of(row: KnowledgeEntry) -> FaqEntry:
    return FaqEntry(id=f"{ENTRY_PREFIX}{row.id}", questions=tuple(row.questions), answer=row.answer,
                    keywords=tuple(row.keywords or ()))


class KnowledgeBase:
    """services.knowledge: answers from the current index; `sync` swaps in a newer one."""

    def __init__(self, persona_entries: Sequence[FaqEntry], faq_path: str | Path | None, segmenter: Segmenter,
                 threshold: float, *, refresh_s: float = 2.0, clock: Callable[[], float] = time.monotonic,
                 embedder: Embedder | None = None) -> None:
        self.persona_entries = tuple(persona_entries)
        self.faq_path = Path(faq_path) if faq_path else None
        self.segmenter = segmenter
        self.threshold = threshold
        self.refresh_s = refresh_s
        self._clock = clock
        self._file_stamp = stamp_of(self.faq_path) if self.faq_path else None
        self._file_entries = read_faq_file(self.faq_path) if self.faq_path else ()  # a bad file stops start-up
        self._db_entries: tuple[FaqEntry, ...] = ()
        self._model = embedder  # None: the process's shared model (persona/embed.py), loaded at the first build
        self._index, self._embedder = self._new_index()
        self._built = False
        self.revision = 0  # the knowledge_revision the index reflects (0: no database entries yet)
        self._checked_at: float | None = None
        self._expected = 0  # a revision this process made (its own change): check until the index has it
        self._expected_until = 0.0  # ... or until this moment (a change rolled back never comes)
        self._lock = asyncio.Lock()
        self.rebuilds = 0

    def _all(self) -> tuple[FaqEntry, ...]:
        return self.persona_entries + tuple(self._file_entries) + self._db_entries

    def _model_now(self) -> Embedder:
        if self._model is None:
            from persona.embed import shared_embedder

            self._model = shared_embedder()
        return self._model

    def _new_index(self) -> tuple[FaqIndex, Embedder]:
        embedder = vectors.kept(self._model_now())
        return build_index(self._all(), self.segmenter, self.threshold, embedder), embedder

    @property
    def entries(self) -> tuple[FaqEntry, ...]:
        return tuple(self._index.entries)

    def derived(self, derive: Callable[[tuple[FaqEntry, ...]], T]) -> T:
        """A table of the current entries, computed once per index (persona/faq.py `FaqIndex.derived`):
        a rebuild swaps in a new index, and the next call derives the table from the new entries."""
        return self._index.derived(derive)

    def from_files(self) -> tuple[tuple[str, FaqEntry], ...]:
        """The entries the files bring, each with where it is written ("persona", "file"): what the console
        shows beside the entries added at run time, which it can switch off."""
        return tuple(("persona", e) for e in self.persona_entries) + tuple(("file", e) for e in self._file_entries)

    def counts(self) -> dict[str, int]:
        """Entries by source: the persona file, the FAQ file, the database."""
        return {"persona": len(self.persona_entries), "file": len(self._file_entries),
                "database": len(self._db_entries)}

    async def ready(self, db: Db | None = None) -> None:
        """The first index, built once (later builds swap in beside it); with `db`, from the kept vectors."""
        if self._built:
            return
        keep: vectors.Keep | None = None
        kept = await vectors.read_kept(self._model_now(), db)  # before the lock: see _rebuild
        async with self._lock:
            if not self._built:
                keep = await vectors.build(self._index, self._embedder, db, kept)
                self._built = True
        if keep is not None:
            await keep()  # outside the lock: a handler waiting for the index may hold SQLite's write lock

    async def best(self, question: str) -> FaqMatch | None:
        """The answer to give, or None when no entry reaches the confidence threshold."""
        await self.ready()
        match: FaqMatch | None = await self._index.best(question)
        return match

    async def rank(self, question: str, limit: int = 3) -> list[FaqMatch]:
        await self.ready()
        ranked: list[FaqMatch] = await self._index.rank(question, limit)
        return ranked

    async def chatter(self, question: str) -> float:
        await self.ready()
        return await self._index.chatter(question)

    async def prepare(self, questions: Sequence[str]) -> None:
        """Rank a group of customers' questions ahead in one batch (routes.rank_ahead): their
        handlers' `best` then answers without a thread each. Nothing before the first build (it
        needs a session to read the kept vectors: the first handler's `sync` gives it)."""
        if self._built and questions:
            await self._index.prepare(questions)

    def expect(self, revision: int) -> None:
        """This process made `revision` (not committed yet): look at the database before every answer
        until the index has it, so the next customer gets the new entry at once."""
        self._expected = max(self._expected, revision)
        self._expected_until = self._clock() + EXPECT_S

    async def sync(self, session: AsyncSession, *, force: bool = False) -> bool:
        """Rebuild the index if the database has a newer revision. Checks at most every `refresh_s`
        seconds unless forced or marked stale; unless forced, a rebuild already under way is not
        waited for (the current index answers meanwhile). True when a new index was swapped in."""
        await self.ready(session)
        newer = await self._newer(session, force=force)
        return newer is not None and await self._swap(*newer, session, wait=force)

    async def _newer(self, session: AsyncSession, *, force: bool) -> tuple[int, tuple[FaqEntry, ...]] | None:
        """The database's revision and active entries, when it is newer than the index."""
        now = self._clock()
        behind = self._expected > self.revision and now < self._expected_until
        if not (force or behind or self._checked_at is None or now - self._checked_at >= self.refresh_s):
            return None
        if not force and self._lock.locked():
            return None  # a rebuild is under way: look again at the next question
        self._checked_at = now
        repo = KnowledgeRepo(session)
        revision = await repo.revision()
        if revision <= self.revision:
            return None
        return revision, tuple(entry_of(r) for r in await repo.active())

    async def _swap(self, revision: int, entries: tuple[FaqEntry, ...], db: Db, *, wait: bool = True) -> bool:
        if not wait and self._lock.locked():
            return False  # another rebuild started meanwhile
        kept = await vectors.read_kept(self._model_now(), db)
        async with self._lock:
            if revision <= self.revision:  # another coroutine got there first
                return False
            keep = await self._rebuild(entries, revision, db, kept)
        await keep()
        return True

    async def sync_from(self, sessions: async_sessionmaker[AsyncSession]) -> int:
        """One round of the background refresher: a newer revision, or an edited FAQ file (each
        replica watches its own copy); 1 if the index was rebuilt. No session is held while embedding."""
        await self.ready(sessions)
        async with sessions() as session:
            newer = await self._newer(session, force=True)
        if newer is not None and await self._swap(*newer, sessions):
            return 1
        if self.faq_path is None or await asyncio.to_thread(stamp_of, self.faq_path) == self._file_stamp:
            return 0
        kept = await vectors.read_kept(self._model_now(), sessions)
        async with self._lock:
            keep = await self._rebuild(self._db_entries, self.revision, sessions, kept)
        await keep()
        return 1

    async def _rebuild(self, db_entries: tuple[FaqEntry, ...], revision: int, db: Db,
                       kept: vectors.Kept | None) -> vectors.Keep:
        """Swap in a new index; returns the step that keeps its new vectors (run it after the lock).
        Nothing under the lock touches the database: the kept vectors are read before it (`kept`)
        and written after it, because a handler waiting for the lock may hold SQLite's only
        connection (storage/db.py)."""
        if self.faq_path is not None:
            self._file_stamp = await asyncio.to_thread(stamp_of, self.faq_path)  # a broken file is logged once
            try:
                self._file_entries = await asyncio.to_thread(read_faq_file, self.faq_path)
            except PersonaError as exc:  # keep the last good file: a typo must not empty the knowledge base
                log.error("FAQ file not reloaded, the previous entries stay",
                          extra={"path": str(self.faq_path), "error": str(exc)})
        self._db_entries = db_entries
        index, embedder = self._new_index()
        keep = await vectors.build(index, embedder, db, kept)  # off the event loop; the old index answers meanwhile
        self._index, self._embedder, self.revision = index, embedder, revision
        self._built = True
        self.rebuilds += 1
        log.info("knowledge base rebuilt", extra={"revision": revision, "entries": len(index.entries)})
        return keep
