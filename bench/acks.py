"""The ack path alone: CPU, function calls and rate per ack of `wanzi serve` with no workers started.

`python -m bench.acks [--pairs N] [--requests N] [--concurrency C] [--before-ref REF] [--before-env K=V,…]
[--after-env K=V,…] [--top N] [--keep DIR]`: per pair, the bot of REF (a copy made with `git archive`, default
main) and of this tree, in alternating order (the first pair REF first, the next this tree first, ...), each
built as `wanzi serve` builds it but with `run_workers=False` (verify, decrypt, parse, group commit, ack; the
inbox and delivery worker never start, so nothing is answered), then the bare stack (bench/bare.py) beside
them. Each bot gets two bursts of the signed staff "/help" callbacks bench/callbacks.py sends (32 in flight, or
`--concurrency C`: 1 is a steady stream the intake keeps up with, each callback a group commit of its own):
the first timed, with the bot's CPU per ack over the burst split into the event loop's thread (and its system
time) and the others (aiosqlite's, the WAL checkpointer's; Linux /proc) and the context switches of all its
threads; the second under cProfile (the loop thread only, switched on and off by SIGUSR1 / SIGUSR2 around the
burst), for function calls per ack, a figure the machine's load does not move. `--top N` prints each side's top
lines by own time, `--keep DIR` keeps the profiles.

On a shared machine calls and context switches per ack are the firm figures; CPU and rates are not."""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import signal
import subprocess
import tempfile
from pathlib import Path

from bench.callbacks import fire_at_bare
from bench.common import ROOT, SignedLoad, fire, percentile, start_process, wait_healthy
from bench.stack import TICKS, load_average
from bot.sandbox import as_env, emulator_settings
from emulator import Emulator, EmulatorConfig

CONCURRENCY = 32

# Run with `python -c` in the tree under test, so that tree's bot is imported (cwd first on sys.path).
SERVE = """
import asyncio, cProfile, os, signal
from bot.app import create_app, load_config
from bot.cli import serve
from bot.instance import bind_port
from bot.logs import setup_logging

config = load_config(None)
setup_logging(config.log.level, config.log.json)
profile = cProfile.Profile()

def on(*_):
    profile.enable()

def off(*_):
    profile.disable()
    profile.dump_stats(os.environ["BENCH_ACKS_PROFILE"])

signal.signal(signal.SIGUSR1, on)
signal.signal(signal.SIGUSR2, off)
sock = bind_port(config.server.host, config.server.port)
try:  # [server] event_loop (bot/speedups.py); a tree from before the speed extra runs asyncio's loop
    from bot.speedups import run
except ImportError:
    def run(main, _):
        return asyncio.run(main)
run(serve(create_app(config, run_workers=False, take_over=True), config, sock),
    getattr(config.server, "event_loop", "asyncio"))
"""


def threads_cpu(pid: int) -> dict[int, tuple[float, float]]:
    """(user, system) CPU seconds so far of each thread of `pid`."""
    out: dict[int, tuple[float, float]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(task.name)] = (int(fields[11]) / TICKS, int(fields[12]) / TICKS)
    return out


def switches(pid: int) -> int:
    """Context switches so far (voluntary and not) of all threads of `pid`: each hand-over between the
    loop and aiosqlite's thread, each wait for the GIL, is one or two."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            lines = (task / "status").read_text().splitlines()
        except OSError:
            continue
        total += sum(int(line.split()[1]) for line in lines if "ctxt_switches:" in line)
    return total


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run_bot(src: Path, work: Path, label: str, requests: int, top: int,
                  keep: Path | None = None, settings: dict[str, str] | None = None,
                  concurrency: int = CONCURRENCY) -> dict[str, float]:
    emu = Emulator(EmulatorConfig())
    await emu.start()
    port = free_port()
    db = work / f"{label}.db"
    profile = (keep or work) / f"{label}.prof"
    env = as_env(emulator_settings(emu.config, api_base=emu.base_url, host="127.0.0.1", port=port,
                                   db_url=f"sqlite+aiosqlite:///{db}"))
    env.update({"WANZI_LOG__LEVEL": "WARNING", "BENCH_ACKS_PROFILE": str(profile), **(settings or {})})
    log = work / f"{label}.log"
    start_process(["-m", "bot.cli", "db", "upgrade"], env, log, src).wait(120)
    proc = start_process(["-c", SERVE], env, log, src)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc, log, timeout=60)
        from bench.stack import settle

        await settle(proc.pid)
        load = SignedLoad(emu.config)
        url = f"http://127.0.0.1:{port}/wecom/callback"
        timed = [load.seal(load.staff_text(i, "zhang.wei", "/help")) for i in range(requests)]
        profiled = [load.seal(load.staff_text(requests + i, "zhang.wei", "/help")) for i in range(requests)]
        before, switched = threads_cpu(proc.pid), switches(proc.pid)
        latencies, wall, errors = await fire(url, timed, concurrency)
        after, switched = threads_cpu(proc.pid), switches(proc.pid) - switched
        loop_user, loop_sys = (a - b for a, b in zip(after[proc.pid], before[proc.pid], strict=True))
        loop_cpu = loop_user + loop_sys
        other_cpu = sum(sum(v) - sum(before.get(t, (0.0, 0.0))) for t, v in after.items() if t != proc.pid)
        await settle(proc.pid)
        os.kill(proc.pid, signal.SIGUSR1)
        await asyncio.sleep(0.2)
        _, _, profiled_errors = await fire(url, profiled, concurrency)
        os.kill(proc.pid, signal.SIGUSR2)
        for _ in range(100):
            if profile.exists() and profile.stat().st_size:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        stats = pstats.Stats(str(profile))
        if top:
            print(f"--- {label}: top {top} by own time ---")
            stats.sort_stats("tottime").print_stats(top)
        return {"req/s": requests / wall, "p50 ms": percentile(latencies, 50) * 1000,
                "p99 ms": percentile(latencies, 99) * 1000, "non-200": errors + profiled_errors,
                "CPU ms/ack": (loop_cpu + other_cpu) * 1000 / requests, "loop ms/ack": loop_cpu * 1000 / requests,
                "of which system": loop_sys * 1000 / requests,
                "other threads ms/ack": other_cpu * 1000 / requests,
                "switches/ack": switched / requests,
                "calls/ack": stats.total_calls / requests}  # type: ignore[attr-defined]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        await emu.stop()


async def run_bare(work: Path, requests: int, concurrency: int = CONCURRENCY) -> dict[str, float]:
    latencies, wall, errors, cpu = await fire_at_bare(work, requests, concurrency)
    return {"req/s": requests / wall, "p50 ms": percentile(latencies, 50) * 1000,
            "p99 ms": percentile(latencies, 99) * 1000, "non-200": errors, "CPU ms/ack": cpu * 1000 / requests}


def show(label: str, row: dict[str, float]) -> str:
    def figure(key: str, value: float) -> str:
        if key in ("req/s", "calls/ack", "non-200"):
            return f"{key} {value:,.0f}"
        return f"{key} {value:.2f}" if key == "switches/ack" else f"{key} {value:.3f}"

    return f"{label:>8}: " + ", ".join(figure(k, v) for k, v in row.items())


def settings(value: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in value.split(",")) if value else {}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="callbacks in flight at once")
    parser.add_argument("--before-ref", default="main")
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="a directory to keep each side's cProfile stats in")
    parser.add_argument("--before-env", default="", help="KEY=VALUE,... for the before side's bot")
    parser.add_argument("--after-env", default="", help="KEY=VALUE,... for this tree's bot")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wanzi-acks-") as tmp:
        work = Path(tmp)
        before = work / "before-src"
        before.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before_ref], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
        for n in range(args.pairs):
            sides = [("before", before, settings(args.before_env)), ("after", ROOT, settings(args.after_env))]
            if n % 2:
                sides.reverse()
            print(f"pair {n + 1} (load average {load_average()}):", flush=True)
            for label, src, env in sides:
                row = await run_bot(src, work, f"{label}-{n}", args.requests, args.top, args.keep, env,
                                    args.concurrency)
                print(show(label, row), flush=True)
            print(show("bare", await run_bare(work, args.requests, args.concurrency)), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
