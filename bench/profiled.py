"""`wanzi` under a profiler, for the benchmarks (BENCH_PROFILE names a directory):

    python -m bench.profiled OUT serve

writes OUT.prof (cProfile) and OUT.sql.txt: every SQL statement's count and the time the driver
spent on it (measured around the cursor call, in the driver's thread), most expensive first.
`serve` stops cleanly on SIGTERM, so both are written at exit."""

from __future__ import annotations

import cProfile
import sys
import time
from collections import defaultdict
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.cli import main

STATS: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])


@event.listens_for(Engine, "before_cursor_execute")
def _start(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
    conn.info.setdefault("bench_started", []).append(time.perf_counter())


@event.listens_for(Engine, "after_cursor_execute")
def _stop(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
    took = time.perf_counter() - conn.info["bench_started"].pop()
    entry = STATS[" ".join(statement.split())[:160]]
    entry[0] += 1
    entry[1] += took


def report() -> str:
    total_n = sum(int(n) for n, _ in STATS.values())
    total_s = sum(s for _, s in STATS.values())
    lines = [f"{total_n} statements, {total_s:.2f} s in the driver"]
    for sql, (n, s) in sorted(STATS.items(), key=lambda kv: -kv[1][1])[:40]:
        lines.append(f"{int(n):7d} {s:8.3f} s {1000 * s / max(1, n):7.3f} ms  {sql}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    profile = cProfile.Profile()
    try:
        profile.runcall(main, sys.argv[2:])
    finally:
        profile.dump_stats(f"{sys.argv[1]}.prof")
        with open(f"{sys.argv[1]}.sql.txt", "w", encoding="utf-8") as out:
            out.write(report())
