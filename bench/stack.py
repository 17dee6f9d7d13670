"""One bot process (`wanzi serve`) against the emulator, as the ceiling benchmarks run it.

The emulator answers every API call after `BENCH_API_LATENCY` seconds (default 0.05, as qyapi does
from a server in mainland China) and keeps WeCom's documented per-API minute limits (45009), unless
a benchmark says otherwise. The bot's own settings may be overridden per run (`env`), which is how
one run compares two configurations side by side.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.callbacks import free_port
from bench.common import ROOT, start_process, wait_healthy
from bot.sandbox import as_env, emulator_settings
from emulator import Emulator, EmulatorConfig

API_LATENCY = float(os.environ.get("BENCH_API_LATENCY", "0.05"))
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def settle(pid: int, *, most_s: float = 120.0) -> None:
    """Wait until the process uses under a tenth of a core for a second (or `most_s` passed). Start-up
    (the sentence model, the knowledge base, the example sentences: ~13 s of CPU on a fresh database)
    takes over 20 s of wall clock on a loaded machine; the cap was 20 s, so up to several seconds of
    it could fall into a benchmark's measured CPU."""
    end = time.monotonic() + most_s
    quiet = 0
    while time.monotonic() < end and quiet < 2:
        before = cpu_seconds(pid)
        await asyncio.sleep(0.5)
        quiet = quiet + 1 if cpu_seconds(pid) - before < 0.05 else 0


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class Bot:
    """A running `wanzi serve` child: its port, process and settings."""

    port: int
    proc: subprocess.Popen[bytes]
    env: dict[str, str]
    log: Path
    cpu_at_start: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/wecom/callback"

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid) - self.cpu_at_start

    def rss(self) -> float:
        return peak_rss_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


@dataclass
class Stack:
    """The emulator and one or more bots on one database."""

    emu: Emulator
    db_url: str
    work: Path
    bots: list[Bot] = field(default_factory=list)

    async def start_bot(self, name: str, env: dict[str, str] | None = None, *, migrate: bool = True,
                        src: Path | None = None) -> Bot:
        """Start a bot on the stack's database; the emulator's callbacks go to the newest one."""
        port = free_port()
        settings = as_env(emulator_settings(self.emu.config, api_base=self.emu.base_url, host="127.0.0.1",
                                            port=port, db_url=self.db_url))
        settings["WANZI_LOG__LEVEL"] = "WARNING"
        settings.update(env or {})
        log = self.work / f"{name}.log"
        cwd = src or ROOT  # `src`: another source tree (e.g. main's, for --compare)
        if migrate:
            start_process(["-m", "bot.cli", "db", "upgrade"], settings, log, cwd).wait(120)
        profile = os.environ.get("BENCH_PROFILE")  # a directory: each bot writes NAME.prof there
        lag = os.environ.get("BENCH_LAG")  # a directory: the loop's long slices, GC pauses (bench/lagprobe.py)
        command = (["-m", "bench.profiled", f"{profile}/{name}"] if profile
                   else ["-m", "bench.lagprobe", f"{lag}/{name}"] if lag else ["-m", "bot.cli"])
        proc = start_process([*command, "serve"], settings, log, cwd)
        bot = Bot(port, proc, settings, log)
        self.bots.append(bot)
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc, log)
        await settle(proc.pid)  # start-up work (jieba, the knowledge base) is not the benchmark's
        bot.cpu_at_start = cpu_seconds(proc.pid)
        spy = os.environ.get("BENCH_PYSPY")  # a directory: py-spy samples each bot into NAME.txt (collapsed)
        if spy:
            subprocess.Popen(["py-spy", "record", "--pid", str(proc.pid), "--nonblocking", "--format", "raw",
                              "--duration", os.environ.get("BENCH_PYSPY_SECONDS", "30"), "--rate", "200",
                              "--output", f"{spy}/{name}.txt"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.emu.connect(bot.url)
        return bot

    async def stop(self) -> None:
        for bot in self.bots:
            bot.stop()
        await self.emu.stop()


async def open_stack(db_url: str, work: Path, **emulator: Any) -> Stack:
    """Start an emulator with the bench's API latency (and any EmulatorConfig overrides)."""
    emu = Emulator(EmulatorConfig(api_latency_s=API_LATENCY, **emulator))
    await emu.start()
    return Stack(emu, db_url, work)


async def outbox_outcomes(db_url: str, api: str) -> dict[str, int]:
    """Outbox rows of one API by status, plus "expired: <reason>" counts, read after a run."""
    from sqlalchemy import func, select

    from storage.db import create_engine
    from storage.models import OutboxItem

    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(OutboxItem.status, OutboxItem.last_error, func.count())
                                       .where(OutboxItem.api == api)
                                       .group_by(OutboxItem.status, OutboxItem.last_error))).all()
    finally:
        await engine.dispose()
    counts: dict[str, int] = {}
    for status, error, n in rows:
        counts[status] = counts.get(status, 0) + int(n)
        if status in ("expired", "dead"):
            reason = f"{status}: {(error or '').split(';')[0].split(' (deadline')[0][:80]}"
            counts[reason] = counts.get(reason, 0) + int(n)
    return counts
