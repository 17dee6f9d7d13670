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
_driver: dict[str, list[float]] = defaultdict(list)  # the SQLite thread's jobs of SLOW_S or more


def _gc_timed(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        _gc[int(info.get("generation", -1))].append(time.perf_counter() - _gc_started[0])


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
        return await original(self, timed)

    aiosqlite.core.Connection._execute = _execute  # type: ignore[method-assign]


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
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    asyncio.events.Handle._run = _timed  # type: ignore[method-assign]
    gc.callbacks.append(_gc_timed)
    if os.environ.get("BENCH_GC_GEN0"):  # an experiment: collections of the youngest generation this far apart
        gc.set_threshold(int(os.environ["BENCH_GC_GEN0"]), *gc.get_threshold()[1:])
    _driver_timed()
    if os.environ.get("BENCH_SWITCH_INTERVAL"):  # an experiment: how soon another thread gets the GIL
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    try:
        main(sys.argv[2:])
    finally:
        with open(f"{sys.argv[1]}.lag.txt", "w", encoding="utf-8") as out:
            out.write(report())
