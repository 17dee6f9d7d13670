"""One group commit of the callback intake on SQLite, the two ways, alternately in one process:
`.venv/bin/python -m bench.intake_commit [--batches N] [--rows R] [--rounds K]`.

"session": a transaction on the sessions' engine (three trips to aiosqlite's thread: BEGIN IMMEDIATE,
the INSERT, COMMIT), as on PostgreSQL and with `WANZI_SQLITE_DRIVER=stock`; the default on SQLite until
the thirteenth slice. "one trip": storage/sqlite_intake.py, the whole transaction as one function on
aiosqlite's thread (the default on SQLite since); "on loop": the same function on the event loop (with
the opt-in intake thread). Prints the process's CPU (all threads) per batch and the wall time
of a batch (p50, p99): CPU barely moves with the machine's load, the wall time does; and, in the first
round, the function calls per batch (cProfile; deterministic)."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from bot.clock import FakeClock
from bot.intake import Arrival, Intake
from storage import db
from storage.models import Base


async def measure(batches: int, rows: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="wanzi-intake-") as tmp:
        engine = db.create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'intake.db'}")
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        sessions, clock = db.session_factory(engine), FakeClock(1_700_000_000)
        try:
            for n in range(rounds):
                for mode, intake in (("session", Intake(sessions, clock)),
                                     ("one trip", Intake(sessions, clock, engine=engine)),
                                     ("on loop", Intake(sessions, clock, engine=engine, on_loop=True))):
                    walls: list[float] = []
                    cpu = time.process_time()
                    for b in range(batches):
                        batch = [Arrival(f"{mode}:{n}:{b}:{i}", "xml", "text", {"Content": "/help", "MsgId": f"{b}{i}"})
                                 for i in range(rows)]
                        started = time.perf_counter()
                        await intake._write(batch)
                        walls.append(time.perf_counter() - started)
                    cpu = time.process_time() - cpu
                    walls.sort()
                    p50, p99 = walls[len(walls) // 2], walls[int(len(walls) * 0.99)]
                    print(f"round {n + 1} {mode:8s}: CPU {1000 * cpu / batches:.3f} ms per batch of {rows}, "
                          f"wall p50 {1000 * p50:.3f} ms, p99 {1000 * p99:.3f} ms")
                    if n == 0:  # function calls per batch, deterministic (cProfile, 20 batches)
                        profile = cProfile.Profile()
                        profile.enable()
                        for b in range(20):
                            await intake._write([Arrival(f"{mode}:calls:{b}:{i}", "xml", "text", {"Content": "/help"})
                                                 for i in range(rows)])
                        profile.disable()
                        calls = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
                        print(f"        {mode:8s}: {calls / 20:.0f} function calls per batch of {rows}")
        finally:
            await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(measure(args.batches, args.rows, args.rounds))


if __name__ == "__main__":
    main()
