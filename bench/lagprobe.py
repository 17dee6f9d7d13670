"""`wanzi` with the event loop's long slices recorded, for the benchmarks (BENCH_LAG names a directory):

    python -m bench.lagprobe OUT serve

Every callback the loop runs (a task's step, an I/O callback) is timed; at exit OUT.lag.txt lists
how many ran 5 ms or more, their total, and the longest by what ran (a task's coroutine name).
An ack that arrives during such a slice waits for its end: this is what bounds the ack's p99.
Also listed: every garbage collection (a pause of every thread) by generation, and the SQLite
driver thread's jobs of 5 ms or more (a statement, a COMMIT: WAL checkpoints run inside the commit
that crosses `wal_autocheckpoint`), which every other user of the one connection waits for."""

from __future__ import annotations

import asyncio.events
import gc
import os
import sys
import threading
import time
from collections import defaultdict
from typing import Any

from bot.cli import main

SLOW_S = 0.005
_original = asyncio.events.Handle._run
_slow: dict[str, list[float]] = defaultdict(list)
_slow_cpu: dict[str, list[float]] = defaultdict(list)  # the same slices by the thread's CPU time
_count = [0, 0.0]
_gc: dict[int, list[float]] = defaultdict(list)  # generation → pause seconds
_gc_started = [0.0]
_timeline: list[tuple[float, float, str]] = []  # (perf_counter at its start, seconds, what) of every stall listed
_gc_at: dict[int, list[tuple[float, float, int]]] = defaultdict(list)  # (when, pause, objects collected)
_driver: dict[str, list[float]] = defaultdict(list)  # the SQLite thread's jobs of SLOW_S or more
# (when it began, seconds), so the report can keep what happened while callbacks were being stored
_waits: dict[str, list[tuple[float, float]]] = defaultdict(list)  # a pool checkout's wait, by who waited
_holds: dict[str, list[tuple[float, float]]] = defaultdict(list)  # from checkout to checkin, by who held it
_before: dict[str, list[tuple[float, float]]] = defaultdict(list)  # checkouts served while it waited
_served = [0]
_checkpoints: list[tuple[float, float, int]] = []  # the WAL checkpoints of storage/sqlite_checkpoint.py
_stores: list[tuple[float, float]] = []  # each callback's wait to be stored (its group commit), before its ack


def _gc_timed(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        _gc[int(info.get("generation", -1))].append(time.perf_counter() - _gc_started[0])
        if time.perf_counter() - _gc_started[0] >= SLOW_S:
            _timeline.append((_gc_started[0], time.perf_counter() - _gc_started[0], f"gc {info.get('generation')}"))
        _gc_at[int(info.get("generation", -1))].append((_gc_started[0], time.perf_counter() - _gc_started[0],
                                                        int(info.get("collected", 0))))


def _job(fn: Any) -> str:
    """A driver job's name: its SQL's first words for a statement (storage/sqlite_onehop.py), else the function."""
    code = getattr(fn, "__code__", None)
    if code is not None and "operation" in code.co_freevars and fn.__closure__:
        sql = fn.__closure__[code.co_freevars.index("operation")].cell_contents
        return " ".join(str(sql).split())[:70]
    return str(getattr(fn, "__qualname__", fn))


def _driver_timed() -> None:
    """Time every function aiosqlite's thread runs (a statement, a commit)."""
    try:
        import aiosqlite.core
    except ImportError:
        return
    original = aiosqlite.core.Connection._execute

    async def _execute(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        def timed() -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                took = time.perf_counter() - started
                if took >= SLOW_S:
                    _driver[_job(fn)].append(took)
                    _timeline.append((started, took, f"driver: {_job(fn)}"))
        return await original(self, timed)

    aiosqlite.core.Connection._execute = _execute  # type: ignore[method-assign]


def _task() -> str:
    try:
        task = asyncio.current_task()
    except RuntimeError:
        task = None
    coro = task.get_coro() if task is not None else None
    name = str(getattr(coro, "__qualname__", coro))
    return f"{name} ({task.get_name()})" if task is not None and not task.get_name().startswith("Task-") else name


def _timed_store(store: Any) -> Any:
    async def _store(self: Any, arrival: Any) -> Any:
        started = time.perf_counter()
        try:
            return await store(self, arrival)
        finally:
            _stores.append((started, time.perf_counter() - started))

    return _store


def _pool_timed() -> None:
    """Time every pool checkout's wait and every hold of a connection, by the task that asked
    (on SQLite the pool has one connection: an ack's group commit waits for whoever holds it)."""
    from sqlalchemy import event
    from sqlalchemy.pool import Pool, QueuePool

    original = QueuePool._do_get

    def _do_get(self: Any) -> Any:
        started, served = time.perf_counter(), _served[0]
        try:
            return original(self)
        finally:
            _waits[_task()].append((started, time.perf_counter() - started))
            _before[_task()].append((started, _served[0] - served))  # checkouts served while it waited
            _served[0] += 1

    QueuePool._do_get = _do_get  # type: ignore[method-assign]

    from bot.intake import Intake

    Intake.store = _timed_store(Intake.store)  # type: ignore[method-assign]

    @event.listens_for(Pool, "checkout")
    def _out(_dbapi: Any, record: Any, _proxy: Any) -> None:
        record.info["lagprobe"] = (_task(), time.perf_counter())

    @event.listens_for(Pool, "checkin")
    def _in(_dbapi: Any, record: Any) -> None:
        holder, since = record.info.pop("lagprobe", ("?", time.perf_counter()))
        _holds[holder].append((since, time.perf_counter() - since))
        if time.perf_counter() - since >= SLOW_S:
            _timeline.append((since, time.perf_counter() - since, f"connection held by {holder}"))


def _checkpoints_timed() -> None:
    """Time the WAL checkpoints `wanzi serve` runs beside its connection (storage/sqlite_checkpoint.py)."""
    try:
        from storage.sqlite_checkpoint import Checkpointer
    except ImportError:  # an older tree (BENCH_BEFORE_REF), which checkpoints inside its commits
        return
    checkpoint = Checkpointer.checkpoint

    def _checkpoint(self: Any) -> tuple[int, int]:  # on the checkpointer's own thread
        started = time.perf_counter()
        frames, copied = checkpoint(self)
        if copied:
            _checkpoints.append((started, time.perf_counter() - started, copied))
            _timeline.append((started, time.perf_counter() - started, f"checkpoint apart: {copied} pages"))
        return frames, copied

    Checkpointer.checkpoint = _checkpoint  # type: ignore[method-assign]


def _name(handle: Any) -> str:
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    coro = getattr(owner, "get_coro", None)
    if coro is not None:
        c = coro()
        return f"{threading.current_thread().name}: task {getattr(c, '__qualname__', c)}"
    return f"{threading.current_thread().name}: {getattr(callback, '__qualname__', callback)}"


def _timed(self: Any) -> None:
    started, cpu = time.perf_counter(), time.thread_time()
    _original(self)
    took = time.perf_counter() - started
    _count[0] += 1
    _count[1] += took
    if took >= SLOW_S:  # wall time: includes waits for the GIL and for a core (the machine's load)
        _slow[_name(self)].append(took)
        _timeline.append((started, took, f"loop: {_name(self)}"))
        _slow_cpu[_name(self)].append(time.thread_time() - cpu)


def report() -> str:
    slices = [t for ts in _slow.values() for t in ts]
    cpu = [t for ts in _slow_cpu.values() for t in ts]
    lines = [f"{_count[0]} callbacks, {_count[1]:.2f} s; {len(slices)} of {SLOW_S * 1000:.0f} ms or more, "
             f"{sum(slices):.2f} s, longest {max(slices, default=0) * 1000:.1f} ms; of their wall time "
             f"{sum(cpu):.2f} s CPU of the thread, {sum(t >= SLOW_S for t in cpu)} used {SLOW_S * 1000:.0f} ms "
             "of CPU or more",
             "count  total s  max ms  p50 ms  CPU s  CPU max ms  what"]
    for name, ts in sorted(_slow.items(), key=lambda kv: -sum(kv[1]))[:30]:
        c = sorted(_slow_cpu[name])
        ts.sort()
        lines.append(f"{len(ts):5d} {sum(ts):8.2f} {ts[-1] * 1000:7.1f} {ts[len(ts) // 2] * 1000:7.1f} "
                     f"{sum(c):6.2f} {c[-1] * 1000:10.1f}  {name}")
    lines.append("garbage collections: generation, count, total s, max ms")
    for generation, pauses in sorted(_gc.items()):
        lines.append(f"  gen {generation}: {len(pauses)}, {sum(pauses):.3f} s, {max(pauses) * 1000:.1f} ms"
                     + (f" ({', '.join(f'{t * 1000:.0f}' for t in pauses[:20])} ms)" if generation == 2 else ""))
    lines.append(f"SQLite driver thread, jobs of {SLOW_S * 1000:.0f} ms or more: count, total s, max ms, what")
    for name, ts in sorted(_driver.items(), key=lambda kv: -sum(kv[1]))[:10]:
        lines.append(f"  {len(ts)}, {sum(ts):.2f} s, {max(ts) * 1000:.1f} ms  {name}")
    ts = sorted(t for _, t in _stores)
    first, last = min((s for s, _ in _stores), default=0.0), max((s + t for s, t in _stores), default=float("inf"))
    if ts:
        lines.append(f"callbacks stored: {len(ts)}, p50 {ts[len(ts) // 2] * 1000:.1f} ms, p99 "
                     f"{ts[len(ts) * 99 // 100] * 1000:.1f} ms, max {ts[-1] * 1000:.1f} ms, "
                     f"≥20 ms {sum(t >= 0.02 for t in ts)}")
    during = {g: [(t, n) for s, t, n in pauses if first <= s <= last] for g, pauses in sorted(_gc_at.items())}
    lines.append("garbage collections while callbacks were stored: generation, count, total s, max ms"
                 " (full ones: ms, objects collected)")
    for generation, inside in during.items():
        if inside:
            lines.append(f"  gen {generation}: {len(inside)}, {sum(t for t, _ in inside):.3f} s, "
                         f"{max(t for t, _ in inside) * 1000:.1f} ms" + (
                             " (" + ", ".join(f"{t * 1000:.0f} ms {n}" for t, n in inside) + ")"
                             if generation == 2 else ""))
    inside = [(t, n) for s, t, n in _checkpoints if first <= s <= last]
    if inside:
        lines.append(f"WAL checkpoints apart (storage/sqlite_checkpoint.py) while callbacks were stored: "
                     f"{len(inside)}, "
                     f"{sum(n for _, n in inside)} pages, {sum(t for t, _ in inside):.3f} s, "
                     f"longest {max(t for t, _ in inside) * 1000:.1f} ms")
    for title, table in (("pool checkouts, wait for a connection", _waits), ("connection holds", _holds)):
        lines.append(f"{title} while callbacks were stored: count, total s, p50 ms, p99 ms, max ms, ≥5 ms, "
                     "≥20 ms, by task")
        kept = {name: sorted(t for s, t in spans if first <= s <= last) for name, spans in table.items()}
        if table is _waits:
            ahead = {name: sorted(n for s, n in spans if first <= s <= last) for name, spans in _before.items()}
            lines.append("  … checkouts served while it waited, by task: mean, max: " + "; ".join(
                f"{name} {sum(ns) / len(ns):.2f}, {ns[-1]:.0f}" for name, ns in ahead.items() if ns))
        for name, ts in sorted(kept.items(), key=lambda kv: -sum(kv[1]))[:12]:
            if not ts:
                continue
            lines.append(f"  {len(ts)}, {sum(ts):.2f} s, {ts[len(ts) // 2] * 1000:.1f}, "
                         f"{ts[min(len(ts) - 1, len(ts) * 99 // 100)] * 1000:.1f}, {ts[-1] * 1000:.1f}, "
                         f"{sum(t >= SLOW_S for t in ts)}, {sum(t >= 0.02 for t in ts)}  {name}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    asyncio.events.Handle._run = _timed  # type: ignore[method-assign]
    gc.callbacks.append(_gc_timed)
    if os.environ.get("BENCH_GC_GEN0"):  # an experiment: collections of the youngest generation this far apart
        gc.set_threshold(int(os.environ["BENCH_GC_GEN0"]), *gc.get_threshold()[1:])
    _driver_timed()
    _pool_timed()
    _checkpoints_timed()
    if os.environ.get("BENCH_SWITCH_INTERVAL"):  # an experiment: how soon another thread gets the GIL
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    try:
        main(sys.argv[2:])
    finally:
        with open(f"{sys.argv[1]}.lag.txt", "w", encoding="utf-8") as out:
            out.write(report())
        with open(f"{sys.argv[1]}.timeline.txt", "w", encoding="utf-8") as out:  # perf_counter: one clock per machine
            out.writelines(f"{at:.6f} {took * 1000:.1f} {what}\n" for at, took, what in sorted(_timeline))
