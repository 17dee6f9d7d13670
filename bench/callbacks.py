"""Callback throughput and ack latency: the full pipeline versus the bare stack, same run, same box.

Full pipeline = `wanzi serve` (signature, decrypt, parse, dedupe insert, ack; workers dispatching
and replying through the outbox to the emulator meanwhile). Bare stack = bench/bare.py.
Load = staff "/help" messages, each sealed and signed like WeCom, `CONCURRENCY` in flight.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

from bench.common import ROOT, Row, SignedLoad, fire, start_process, summary, wait_healthy
from bot.sandbox import as_env, emulator_settings
from emulator import Emulator, EmulatorConfig

REQUESTS = int(os.environ.get("BENCH_CALLBACKS", "3000"))
CONCURRENCY = 32


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run_full(backend: str, db_url: str, work: Path, *, src: Path | None = None, env: dict[str, str] | None = None,
                   label: str = "") -> Row:
    """`src`/`env`/`label`: another source tree or settings, for `--compare` (bench/__main__.py)."""
    emu = Emulator(EmulatorConfig(app_msg_per_member_per_minute=10**9, api_per_minute=10**6, api_per_hour=10**9))
    await emu.start()
    port = free_port()
    fresh = work / f"run-{uuid.uuid4().hex[:6]}"  # "{work}" in a setting: a directory of this run's own
    settings = {key: value.replace("{work}", str(fresh)) for key, value in (env or {}).items()}
    env = as_env(emulator_settings(emu.config, api_base=emu.base_url, host="127.0.0.1", port=port, db_url=db_url))
    env.update({"WANZI_LOG__LEVEL": "WARNING", "WANZI_WECOM__RATE_PER_MINUTE": "600000",
                "WANZI_WECOM__RATE_PER_HOUR": "0", **settings})
    if src is not None:  # an older tree (main) has no hourly limiter and refuses the unknown key
        env.pop("WANZI_WECOM__RATE_PER_HOUR")
    log = work / f"serve-{backend}-{len(label)}.log"
    cwd = src or ROOT
    upgrade = start_process(["-m", "bot.cli", "db", "upgrade"], env, log, cwd)
    upgrade.wait(120)
    lag = os.environ.get("BENCH_LAG")  # a directory: the loop's long slices into NAME.lag.txt (bench/lagprobe.py)
    command = ["-m", "bench.lagprobe", f"{lag}/callbacks-{backend}-{len(label)}"] if lag else ["-m", "bot.cli"]
    proc = start_process([*command, "serve"], env, log, cwd)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc, log)
        from bench.stack import settle  # bench.stack imports this module

        await settle(proc.pid)  # start-up work (jieba, the knowledge base) is not the benchmark's
        load = SignedLoad(emu.config)
        requests = [load.seal(load.staff_text(i, "zhang.wei", "/help")) for i in range(REQUESTS)]
        spy = await start_spy(proc.pid, f"callbacks-{backend}-{len(label)}")
        cpu = cpu_seconds(proc.pid)
        latencies, wall, errors = await fire(f"http://127.0.0.1:{port}/wecom/callback", requests, CONCURRENCY)
        cpu = cpu_seconds(proc.pid) - cpu
        if spy is not None and os.environ.get("BENCH_PYSPY_SECONDS") is None:  # the acking window only
            spy.send_signal(signal.SIGINT)  # py-spy writes what it sampled and exits
        if spy is not None:
            spy.wait(60)
        started = time.perf_counter() - wall
        while len([c for c in emu.calls("message/send") if c.ok]) < REQUESTS and \
                time.perf_counter() - started < 300:
            await asyncio.sleep(0.2)
        done = time.perf_counter() - started
        replies = len([c for c in emu.calls("message/send") if c.ok])
        row = Row("callbacks: full pipeline", backend, {"config": label or "default", **summary(latencies, wall)})
        row.numbers["non-200"] = str(errors)
        row.numbers["bot CPU while acking"] = per_request(cpu, wall)
        row.numbers["replies sent"] = f"{replies}/{REQUESTS} in {done:.1f} s ({replies / done:.0f}/s)"
        return row
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        await emu.stop()


async def fire_at_bare(work: Path, count: int, concurrency: int = CONCURRENCY, loop: str = "asyncio"
                       ) -> tuple[list[float], float, int, float]:
    """`count` signed staff texts fired at the bare stack (bench/bare.py) in its own process on `loop` (asyncio
    or uvloop): latencies, wall seconds, non-200 answers and the process's CPU seconds over the burst."""
    port = free_port()
    log = work / "bare.log"
    proc = start_process(["-m", "bench.bare", str(port), loop], {}, log)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc, log)
        load = SignedLoad(EmulatorConfig())
        requests = [load.seal(load.staff_text(i, "zhang.wei", "/help")) for i in range(count)]
        cpu = cpu_seconds(proc.pid)
        latencies, wall, errors = await fire(f"http://127.0.0.1:{port}/wecom/callback", requests, concurrency)
        return latencies, wall, errors, cpu_seconds(proc.pid) - cpu
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)


def bare_loops() -> list[str]:
    """BENCH_BARE_LOOPS=asyncio,uvloop: the bare stack on each loop, every full pipeline's row beside each."""
    return [loop for loop in os.environ.get("BENCH_BARE_LOOPS", "asyncio").replace(" ", "").split(",") if loop]


async def run_bare(work: Path, loop: str = "asyncio") -> Row:
    latencies, wall, errors, cpu = await fire_at_bare(work, REQUESTS, loop=loop)
    numbers = {"config": f"on {loop}", **summary(latencies, wall)} if bare_loops() != ["asyncio"] else \
        summary(latencies, wall)
    row = Row("callbacks: bare stack", "none", numbers)
    row.numbers["non-200"] = str(errors)
    row.numbers["CPU"] = per_request(cpu, wall)
    return row


async def start_spy(pid: int, name: str) -> subprocess.Popen[bytes] | None:
    """BENCH_PYSPY=DIR: py-spy samples the bot into DIR/NAME.txt (collapsed stacks, thread ids first), from
    the first callback until the last is acked, or for BENCH_PYSPY_SECONDS from the first callback."""
    spy = os.environ.get("BENCH_PYSPY")
    if not spy:
        return None
    seconds = os.environ.get("BENCH_PYSPY_SECONDS")
    proc = subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--nonblocking", "--format", "raw", "--threads",
                             *(["--duration", seconds] if seconds else []), "--rate", "500",
                             "--output", f"{spy}/{name}.txt"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await asyncio.sleep(0.5)  # attached and sampling before the first callback
    return proc


def cpu_seconds(pid: int) -> float:
    from bench.stack import cpu_seconds as of  # bench.stack imports this module

    return of(pid)


def per_request(cpu: float, wall: float) -> str:
    """The process's CPU over the burst: ms per request and the share of one core it got."""
    return f"{cpu * 1000 / REQUESTS:.2f} ms/req, {cpu / wall:.0%} of a core"


def ratio(full: Row, bare: Row) -> str:
    def num(row: Row, key: str) -> float:
        return float(row.numbers[key].split()[0])

    return (f"throughput {num(full, 'req/s') / num(bare, 'req/s'):.2f}× of bare, "
            f"p50 {num(full, 'p50') / num(bare, 'p50'):.2f}×, "
            f"p99 {num(full, 'p99') / num(bare, 'p99'):.2f}× the bare latency")


__all__ = ["run_full", "run_bare", "bare_loops", "ratio", "ROOT"]
