"""Run the benchmarks and write bench/RESULTS.md: `python -m bench [--check] [--compare] [NAME ...]`.

NAME: callbacks, burst, digest, fanout, llm (the originals; all four when none is named) and the ceiling
benchmarks of issue 15: welcome, kf, mixed, replicas (bench/ceiling.py). `--check` exits 1 when a
goal of a benchmark that ran was missed; `--compare` runs welcome, kf, mixed and replicas twice in the
same run: "before" (main's code, or this tree with BENCH_BEFORE's settings) and "after" (this tree)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator

from bench.common import ROOT, Row, machine
from bench.stack import load_average

PG = ("127.0.0.1", 5432)


def pg_available() -> bool:
    try:
        with socket.create_connection(PG, timeout=0.5):
            return True
    except OSError:
        return False


async def fresh_pg_database() -> str:
    import asyncpg

    name = f"wanzi_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(host=PG[0], port=PG[1], user="postgres", database="test")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"postgresql+asyncpg://postgres@{PG[0]}:{PG[1]}/{name}"


async def drop_pg_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(host=PG[0], port=PG[1], user="postgres", database="test")
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def backends(work: Path) -> AsyncIterator[tuple[str, str]]:
    yield "sqlite", f"sqlite+aiosqlite:///{work}/bench-{uuid.uuid4().hex[:6]}.db"
    if pg_available():
        url = await fresh_pg_database()
        try:
            yield "postgresql", url
        finally:
            await drop_pg_database(url)
    else:
        print("PostgreSQL not reachable at 127.0.0.1:5432: PostgreSQL rows skipped", file=sys.stderr)


ORIGINAL = ("callbacks", "burst", "fanout", "llm", "digest")
CEILING = ("welcome", "kf", "mixed", "replicas")
# The bot's settings before the levers of issue 15, for `--compare` (bench/README.md names each).
# By default "before" is the code of BENCH_BEFORE_REF (default: main) with its own defaults, run from
# a copy made with `git archive`; BENCH_BEFORE="KEY=VALUE,..." instead runs this tree with those
# settings, to measure one lever on its own (e.g. WANZI_SQLITE_DRIVER=stock).
# BENCH_AFTER="KEY=VALUE,..." gives this tree settings of its own (with or without --compare), BENCH_BOTH
# both sides (and so to a BENCH_BEFORE_REF that knows them), e.g.
# WANZI_SERVER__INTAKE_JOURNAL={work}: "{work}" becomes a fresh directory of the run.
Configuration = tuple[str, dict[str, str], "Path | None"]


def settings_of(variable: str) -> dict[str, str]:
    value = os.environ.get(variable, "")
    return dict(pair.split("=", 1) for pair in value.split(",")) if value else {}


def configurations(compare: bool, work: Path) -> list[Configuration]:
    both = settings_of("BENCH_BOTH")  # settings of both sides, e.g. when BENCH_BEFORE_REF has them too
    found = [(label, {**both, **env}, src) for label, env, src in sides(compare, work)]
    # BENCH_AFTER_FIRST=1: this tree's side runs first, so a pair can be run both ways round (the side run
    # second has often been the faster on this shared machine: bench/README.md, eighteenth slice)
    return found[::-1] if os.environ.get("BENCH_AFTER_FIRST") else found


def sides(compare: bool, work: Path) -> list[Configuration]:
    after = settings_of("BENCH_AFTER")
    named = " (" + ", ".join(f"{k}={v}" for k, v in after.items()) + ")" if after else ""
    if not compare:
        return [(named.strip(" ()"), after, None)]
    if os.environ.get("BENCH_BEFORE"):
        before = settings_of("BENCH_BEFORE")
        return [("before: " + ", ".join(f"{k}={v}" for k, v in before.items()), before, None),
                ("after" + named, after, None)]
    ref = os.environ.get("BENCH_BEFORE_REF", "main")
    src = work / "before-src"
    if not src.exists():
        src.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
        for probe in ("profiled.py", "lagprobe.py"):  # BENCH_PROFILE and BENCH_LAG there too
            shutil.copy(ROOT / "bench" / probe, src / "bench" / probe)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", ref], capture_output=True,
                            text=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    return [(f"before: {ref} {commit}", {}, src), (f"after: {head}{named}", after, None)]


async def ceiling(selected: list[str], work: Path, compare: bool) -> list[Row]:
    from bench.ceiling import MANY_STAFF_MESSAGES, env_float, run_kf, run_mixed, run_replicas, run_welcome
    from bench.stack import open_stack

    rows: list[Row] = []
    if "welcome" in selected:
        for label, env, src in configurations(compare, work):
            runs = ((env_float("BENCH_WELCOME_RATE", 150), env_float("BENCH_WELCOME_SECONDS", 60), True),
                    (env_float("BENCH_OVER_RATE", 300), env_float("BENCH_OVER_SECONDS", 10), False))
            for rate, seconds, goal in runs:
                if not rate or not seconds:
                    continue
                stack = await open_stack(f"sqlite+aiosqlite:///{work}/welcome-{uuid.uuid4().hex[:6]}.db", work)
                try:
                    rows.append(await run_welcome(stack, "sqlite", rate=rate, seconds=seconds, env=env, label=label,
                                                  goal=goal, src=src))
                finally:
                    await stack.stop()
    if "kf" in selected:
        for label, env, src in configurations(compare, work):
            stack = await open_stack(f"sqlite+aiosqlite:///{work}/kf-{uuid.uuid4().hex[:6]}.db", work)
            try:
                rows.append(await run_kf(stack, "sqlite", customers=int(env_float("BENCH_KF_CUSTOMERS", 1000)),
                                         seconds=env_float("BENCH_KF_SECONDS", 5), env=env, label=label, src=src))
            finally:
                await stack.stop()
    if "mixed" in selected:
        for label, env, src in configurations(compare, work):
            stack = await open_stack(f"sqlite+aiosqlite:///{work}/mixed-{uuid.uuid4().hex[:6]}.db", work,
                                     **MANY_STAFF_MESSAGES)
            try:
                rows.append(await run_mixed(stack, "sqlite", rate=env_float("BENCH_MIXED_RATE", 1000),
                                            seconds=env_float("BENCH_MIXED_SECONDS", 10), env=env, label=label,
                                            src=src))
            finally:
                await stack.stop()
    if "replicas" in selected:
        if not pg_available():
            print("PostgreSQL not reachable at 127.0.0.1:5432: replicas skipped", file=sys.stderr)
        else:
            counts = [int(x) for x in os.environ.get("BENCH_REPLICAS", "1,2,4").replace(" ", ",").split(",") if x]
            for n in counts:  # before and after side by side at each replica count
                for label, env, src in configurations(compare, work):
                    rows.append(await run_replicas(fresh_pg_database, drop_pg_database, work, replicas=n,
                                                   requests=int(env_float("BENCH_REPLICA_COMMANDS", 3000)),
                                                   env=env, label=label, src=src))
    return rows


def ack_goals(full: Row, bare: Row) -> list[str]:
    """Issue 15's ack goals: ≥ 0.6× the bare stack's req/s, p99 ≤ 20 ms, never a non-2xx."""
    missed = []
    share = float(full.numbers["req/s"]) / float(bare.numbers["req/s"])
    p99 = float(full.numbers["p99"].split()[0])
    if share < 0.6:
        missed.append(f"acks ({full.backend}): {share:.2f}× the bare stack's req/s < 0.6×")
    if p99 > 20:
        missed.append(f"acks ({full.backend}): p99 {p99:.1f} ms > 20 ms")
    if full.numbers.get("non-200", "0") != "0":
        missed.append(f"acks ({full.backend}): {full.numbers['non-200']} non-200 answers")
    return missed


async def main(selected: list[str], compare: bool = False) -> list[Row]:
    from bench.burst import run_burst
    from bench.callbacks import bare_loops, ratio, run_bare, run_full
    from bench.digest import run_digest
    from bench.fanout import run_fanout
    from bench.llm import run_llm

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="wanzi-bench-") as tmp:
        work = Path(tmp)
        rows += await ceiling(selected, work, compare)
        if not selected:
            selected = list(ORIGINAL)
        if "callbacks" in selected:
            bares = [await run_bare(work, loop) for loop in bare_loops()]  # BENCH_BARE_LOOPS=asyncio,uvloop
            rows += bares
            bare = bares[0]

            def beside_bare(full: Row) -> Row:
                for one, loop in zip(bares, bare_loops(), strict=True):
                    full.numbers["vs bare" if one is bare else f"vs bare on {loop}"] = ratio(full, one)
                full.missed += ack_goals(full, bare)
                return full

            if compare:  # SQLite only, each configuration beside the same bare run
                for label, env, src in configurations(compare, work):
                    url = f"sqlite+aiosqlite:///{work}/callbacks-{uuid.uuid4().hex[:6]}.db"
                    rows.append(beside_bare(await run_full("sqlite", url, work, src=src, env=env, label=label)))
            else:
                (label, env, _), = configurations(False, work)
                async for name, url in backends(work):
                    rows.append(beside_bare(await run_full(name, url, work, env=env, label=label)))
        if "burst" in selected:
            async for name, url in backends(work):
                rows.append(await run_burst(name, url, work))
        if "fanout" in selected:
            async for name, url in backends(work):
                rows.append(await run_fanout(name, url, work))
        if "llm" in selected:
            for mode in ("off", "slow", "hang"):  # no model, one at a provider's pace, one that never answers
                async for name, url in backends(work):
                    rows.append(await run_llm(name, url, work, mode=mode))
        if "digest" in selected:
            async for name, url in backends(work):
                rows.append(await run_digest(name, url))
    return rows


def benchmark(title: str) -> str:
    """The benchmark a section belongs to: "fan-out" for "fan-out: broadcast to 100,000 customers"."""
    return title.split(":", 1)[0].strip()


def kept_sections(previous: str, ran: set[str]) -> list[str]:
    """Sections of an earlier RESULTS.md for benchmarks this run skipped (`python -m bench digest`);
    a benchmark that ran replaces all its old sections, whatever size they were run at."""
    chunks = previous.split("\n## ")[1:]
    return [f"\n## {chunk.rstrip()}" for chunk in chunks if benchmark(chunk.split("\n", 1)[0]) not in ran]


def render(rows: list[Row], previous: str = "", *, loads: tuple[str, str] | None = None, command: str = "") -> str:
    lines = ["# Benchmark results\n", f"Machine: {machine()}  ",
             "Command: `make bench` (or `python -m bench [--check] [--compare] [NAME ...]`)\n",
             "Each section names the load average around its run. On these 2 cores a load above about 1 means",
             "other work shared the machine: absolute figures are then low and must be re-run on a quiet machine",
             "with the command given; rows of one run (before/after, bare/full) remain comparable.\n"]
    lines += kept_sections(previous, {benchmark(r.bench) for r in rows})
    ran_at = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
    for bench in dict.fromkeys(r.bench for r in rows):
        group = [r for r in rows if r.bench == bench]
        keys = list(dict.fromkeys(k for r in group for k in r.numbers))
        lines.append(f"\n## {bench}\n")
        lines.append(f"Run: finished {ran_at}" + (f", `{command}`" if command else "")
                     + (f", load average {loads[0]} before, {loads[1]} after" if loads else "") + "\n")
        lines.append("| backend | " + " | ".join(keys) + " |")
        lines.append("|---|" + "---|" * len(keys))
        for r in group:
            lines.append(f"| {r.backend} | " + " | ".join(r.numbers.get(k, "") for k in keys) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    args = sys.argv[1:]
    flags = {a for a in args if a.startswith("--")}
    unknown = flags - {"--check", "--compare"} | {a for a in args if not a.startswith("--")} - {*ORIGINAL, *CEILING}
    if unknown:
        sys.exit(f"unknown argument(s): {', '.join(sorted(unknown))}; benchmarks: {', '.join(ORIGINAL + CEILING)}")
    results = ROOT / "bench" / "RESULTS.md"
    previous = results.read_text(encoding="utf-8") if results.exists() else ""
    loadavg_before = load_average()
    rows = asyncio.run(main([a for a in args if not a.startswith("--")], compare="--compare" in flags))
    result = render(rows, previous, loads=(loadavg_before, load_average()),
                    command=" ".join([*(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("BENCH_")),
                                      "python -m bench", *args]))
    results.write_text(result, encoding="utf-8")
    print(result)
    missed = [goal for row in rows for goal in row.missed]
    if "--check" in flags:
        for goal in missed:
            print(f"MISSED: {goal}", file=sys.stderr)
        sys.exit(1 if missed else 0)
