"""Run the benchmarks and write bench/RESULTS.md: `python -m bench [callbacks|burst|digest|fanout|llm ...]`."""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator

from bench.common import ROOT, Row, machine

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


async def main(selected: list[str]) -> list[Row]:
    from bench.burst import run_burst
    from bench.callbacks import ratio, run_bare, run_full
    from bench.digest import run_digest
    from bench.fanout import run_fanout
    from bench.llm import run_llm

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="wanzi-bench-") as tmp:
        work = Path(tmp)
        if not selected or "callbacks" in selected:
            bare = await run_bare(work)
            rows.append(bare)
            async for name, url in backends(work):
                full = await run_full(name, url, work)
                full.numbers["vs bare"] = ratio(full, bare)
                rows.append(full)
        if not selected or "burst" in selected:
            async for name, url in backends(work):
                rows.append(await run_burst(name, url, work))
        if not selected or "fanout" in selected:
            async for name, url in backends(work):
                rows.append(await run_fanout(name, url, work))
        if not selected or "llm" in selected:
            for mode in ("off", "slow", "hang"):  # no model, one at a provider's pace, one that never answers
                async for name, url in backends(work):
                    rows.append(await run_llm(name, url, work, mode=mode))
        if not selected or "digest" in selected:
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


def render(rows: list[Row], previous: str = "") -> str:
    lines = ["# Benchmark results\n", f"Machine: {machine()}  ",
             "Command: `make bench` (or `python -m bench [callbacks] [burst] [digest] [fanout] [llm]`)\n"]
    lines += kept_sections(previous, {benchmark(r.bench) for r in rows})
    ran_at = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
    for bench in dict.fromkeys(r.bench for r in rows):
        group = [r for r in rows if r.bench == bench]
        keys = list(dict.fromkeys(k for r in group for k in r.numbers))
        lines.append(f"\n## {bench}\n")
        lines.append(f"Run: {ran_at}\n")
        lines.append("| backend | " + " | ".join(keys) + " |")
        lines.append("|---|" + "---|" * len(keys))
        for r in group:
            lines.append(f"| {r.backend} | " + " | ".join(r.numbers.get(k, "") for k in keys) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    results = ROOT / "bench" / "RESULTS.md"
    previous = results.read_text(encoding="utf-8") if results.exists() else ""
    result = render(asyncio.run(main(sys.argv[1:])), previous)
    results.write_text(result, encoding="utf-8")
    print(result)
