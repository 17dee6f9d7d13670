"""The intake journal: accepted callbacks are appended to a local file and fsync'd, in groups,
before their acks; a drainer then moves them into inbound_event (where the dedupe key decides).

Why: on SQLite the one connection is shared with the workers' transactions, so an ack that waits
for its own commit waits behind handler work. An fsync'd record is as durable as a commit (more
than SQLite's `synchronous=NORMAL`), so "persisted before ack" holds while the ack never touches
the database. A crash after the ack loses nothing: the next start reads the journal back and
drains it again; records already in the table are dropped by ON CONFLICT DO NOTHING, so each
event is still processed once.

Files: `DIR/intake-<n>.log`, one process (one replica) per directory. Each record is a length,
a CRC-32 and the JSON of one arrival; a torn last record (the process died inside a write, so its
callback was never acked) ends the replay of that file. The segment receiving appends is emptied
whenever all of it is in the database; under a steady stream it is closed after SEGMENT_BYTES and
deleted once drained, while a new one receives the appends.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import struct
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable

from bot.groupcommit import GroupCommit

log = logging.getLogger(__name__)

HEADER = struct.Struct(">II")  # length of the JSON, its CRC-32
SEGMENT_BYTES = 8 * 1024 * 1024  # a new segment after this many bytes: drained ones are deleted whole
RECENT_KEYS = 50_000  # dedupe keys known to be stored, so a resend is acked without a write


class JournalInUse(RuntimeError):
    """Another live process holds the journal directory."""


@dataclass(frozen=True, slots=True)
class Record:
    """One accepted callback as journaled: everything the inbound_event row needs."""

    dedupe_key: str
    source: str
    kind: str
    payload: dict[str, Any]
    received_at: float  # unix seconds, the arrival (not the drain)
    urgent: bool

    def encode(self) -> bytes:
        body = json.dumps({"k": self.dedupe_key, "s": self.source, "t": self.kind, "p": self.payload,
                           "r": self.received_at, "u": self.urgent}, ensure_ascii=False,
                          separators=(",", ":")).encode()
        return HEADER.pack(len(body), zlib.crc32(body)) + body

    @staticmethod
    def decode(body: bytes) -> Record:
        d = json.loads(body)
        return Record(d["k"], d["s"], d["t"], d["p"], float(d["r"]), bool(d["u"]))


def read_segment(path: Path) -> list[Record]:
    """The intact records of one segment, in order; stops at a torn or corrupt record."""
    data, records, at = path.read_bytes(), [], 0
    while at + HEADER.size <= len(data):
        size, crc = HEADER.unpack_from(data, at)
        body = data[at + HEADER.size:at + HEADER.size + size]
        if len(body) < size or zlib.crc32(body) != crc:
            log.warning("intake journal: torn record ignored (never acked)",
                        extra={"segment": path.name, "offset": at})
            break
        records.append(Record.decode(body))
        at += HEADER.size + size
    return records


def _segment_number(path: Path) -> int:
    return int(path.stem.removeprefix("intake-"))


class IntakeJournal:
    """Appends (grouped: what arrives during one fsync goes into the next) and drains in order.

    `store(records)` writes a batch to the database and must be idempotent per dedupe key
    (INSERT … ON CONFLICT DO NOTHING): a crash between that commit and the segment's deletion
    replays the batch."""

    def __init__(self, directory: Path, store: Callable[[list[Record]], Awaitable[object]], *,
                 fsync: bool = True, max_pending: int = 100_000, drain_batch: int = 500) -> None:
        self.directory = directory
        self.store = store
        self.fsync = fsync
        self.max_pending = max_pending  # undrained records beyond this: refuse (503) rather than grow
        self.drain_batch = drain_batch
        self._appends: GroupCommit[Record, None] = GroupCommit(self._append, max_batch=1000)
        self._undrained: list[tuple[int, Record]] = []  # (segment, record), durable, not yet in the database
        self._pending_keys: dict[str, int] = {}  # dedupe key → count journaled and not yet drained
        self._recent: OrderedDict[str, None] = OrderedDict()  # drained keys (in the database)
        self._left: dict[int, int] = {}  # segment → its records not yet drained
        self._segment = 0
        self._file: Any = None
        self._lock: int | None = None  # flock on DIR/lock: one process per journal
        self._size = 0
        self._ready = asyncio.Event()
        self._files = asyncio.Lock()  # appends and rotation never overlap
        self.drained = 0  # records moved into the database since start

    def open(self) -> int:
        """Create the directory (0700), read back what an earlier run left undrained, start a new
        segment; the number of records replayed."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = os.open(self.directory / "lock", os.O_WRONLY | os.O_CREAT, 0o600)
        try:  # two processes appending and draining one journal would replay each other's records
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            raise JournalInUse(f"intake journal {self.directory} is used by another process: "
                               "give each process (replica) a directory of its own") from None
        segments = sorted(self.directory.glob("intake-*.log"), key=_segment_number)
        replayed = 0
        for path in segments:
            number = _segment_number(path)
            records = read_segment(path)
            if not records:
                path.unlink()
                continue
            self._left[number] = len(records)
            for record in records:
                self._queue(number, record)
            replayed += len(records)
        self._segment = (_segment_number(segments[-1]) if segments else 0) + 1
        self._open_segment()
        if replayed:
            log.warning("intake journal: replaying callbacks acked before the last stop",
                        extra={"records": replayed})
        return replayed

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._lock is not None:
            os.close(self._lock)  # releases the flock
            self._lock = None

    def seen(self, dedupe_key: str) -> bool:
        """Journaled or stored already (as far as this process knows): a resend needs no write."""
        return dedupe_key in self._pending_keys or dedupe_key in self._recent

    def full(self) -> bool:
        return len(self._undrained) >= self.max_pending

    async def append(self, record: Record) -> None:
        """Returns once the record is on disk (fsync'd); from then on it will reach the database."""
        await self._appends.submit(record)

    def _queue(self, segment: int, record: Record) -> None:
        self._undrained.append((segment, record))
        self._pending_keys[record.dedupe_key] = self._pending_keys.get(record.dedupe_key, 0) + 1
        self._ready.set()

    def _open_segment(self) -> None:
        path = self.directory / f"intake-{self._segment}.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._file = os.fdopen(fd, "ab", buffering=0)
        self._size = 0
        self._left.setdefault(self._segment, 0)
        if self.fsync:  # the new name itself must survive a power cut
            dir_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    async def _append(self, batch: list[Record]) -> list[None]:
        data = b"".join(record.encode() for record in batch)
        async with self._files:
            try:
                if self._file is None:  # the last write failed: a new segment
                    await asyncio.to_thread(self._open_segment)
                await asyncio.to_thread(self._write, self._file, data)
            except OSError:
                # the write or its fsync failed (these callbacks get 503): whatever reached the file
                # may be a torn record, and replay stops at one, so nothing may be appended after it
                self._abandon_segment()
                raise
            segment = self._segment
            self._size += len(data)
            self._left[segment] = self._left.get(segment, 0) + len(batch)
            for record in batch:
                self._queue(segment, record)
            if self._size >= SEGMENT_BYTES:  # appends go to a fresh segment; this one goes once drained
                await asyncio.to_thread(self._rotate)
        return [None] * len(batch)

    def _rotate(self) -> None:
        self._file.close()
        self._segment += 1
        self._open_segment()

    def _abandon_segment(self) -> None:
        """Appends go to a new segment from the next one on; this one is deleted once its intact
        records are drained."""
        try:
            self._file.close()
        except (OSError, AttributeError):
            pass
        self._file, self._size = None, 0
        self._segment += 1

    def _write(self, file: Any, data: bytes) -> None:
        file.write(data)
        if self.fsync:
            os.fdatasync(file.fileno())

    async def drain_forever(self, on_stored: Callable[[], None], retry_s: float = 1.0,
                            hold: Callable[[], Awaitable[None]] | None = None) -> None:
        """Move journaled records into the database, oldest first, a batch per transaction;
        `on_stored` after each (wakes the inbox). `hold`, awaited while less than a batch waits:
        during a burst of acks, fewer and larger transactions."""
        while True:
            await self._ready.wait()
            if hold is not None and len(self._undrained) < self.drain_batch:
                await hold()
            try:
                if await self.drain_once():
                    on_stored()
            except Exception as exc:  # the database is away: the records wait, durable, in the journal
                log.error("intake journal: drain failed, retrying", extra={"error": type(exc).__name__,
                                                                           "undrained": len(self._undrained)})
                await asyncio.sleep(retry_s)

    async def drain_once(self) -> int:
        batch = self._undrained[:self.drain_batch]
        if not batch:
            self._ready.clear()
            return 0
        await self.store([record for _, record in batch])
        del self._undrained[:len(batch)]
        if not self._undrained:
            self._ready.clear()
        for segment, record in batch:
            key = record.dedupe_key
            left = self._pending_keys[key] - 1
            if left:
                self._pending_keys[key] = left
            else:
                del self._pending_keys[key]
            self._recent[key] = None
            self._left[segment] -= 1
        while len(self._recent) > RECENT_KEYS:
            self._recent.popitem(last=False)
        if self._left.get(self._segment, 0) == 0 and self._size:
            # all of the current segment is stored: empty it, so no stored record outlives its drain
            # (a replay long after could re-create an event that retention has since deleted); an
            # emptying lost in a crash only replays records the dedupe key then drops
            async with self._files:
                if self._left.get(self._segment, 0) == 0 and self._size and self._file is not None:
                    os.ftruncate(self._file.fileno(), 0)
                    self._size = 0
        for segment in [s for s, left in self._left.items() if left == 0 and s != self._segment]:
            del self._left[segment]
            (self.directory / f"intake-{segment}.log").unlink(missing_ok=True)
        self.drained += len(batch)
        return len(batch)

    def undrained(self) -> int:
        return len(self._undrained)
