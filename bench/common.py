"""Shared bench plumbing: processes, signed load, percentiles, the results table."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp

from bot.wecom.crypto import CallbackCrypto, random_nonce
from bot.wecom.xml import build_xml
from emulator import Emulator, EmulatorConfig

ROOT = Path(__file__).resolve().parent.parent


def module_from(tree: Path, path: str, name: str) -> Any:
    """The module at `path` of another source tree (e.g. main unpacked with `git archive`), loaded under
    `name` beside this tree's, for benchmarks comparing the two in one process."""
    spec = importlib.util.spec_from_file_location(name, tree / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


@dataclass
class Row:
    bench: str
    backend: str
    numbers: dict[str, str] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)  # goals this row did not reach (`--check`)


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu or 'unknown CPU'}), {mem} RAM, "
            f"Python {platform.python_version()}")


class SignedLoad:
    """Pre-sealed callbacks, each signed like WeCom (own timestamp, nonce, msg_signature)."""

    def __init__(self, cfg: EmulatorConfig) -> None:
        self.cfg = cfg
        self.crypto = CallbackCrypto(cfg.callback_token, cfg.encoding_aes_key, cfg.corp_id)

    def seal(self, plain: str) -> tuple[dict[str, str], bytes]:
        ts, nonce = str(int(time.time())), random_nonce()
        encrypt, sig = self.crypto.seal(plain, ts, nonce)
        body = build_xml({"ToUserName": self.cfg.corp_id, "Encrypt": encrypt, "AgentID": str(self.cfg.agent_id)})
        return {"msg_signature": sig, "timestamp": ts, "nonce": nonce}, body.encode()

    def staff_text(self, i: int, userid: str, text: str) -> str:
        return build_xml({"ToUserName": self.cfg.corp_id, "FromUserName": userid, "CreateTime": int(time.time()),
                          "MsgType": "text", "Content": text, "MsgId": 7_300_000_000_000_000_000 + i,
                          "AgentID": self.cfg.agent_id})


async def fire(url: str, requests: list[tuple[dict[str, str], bytes]],
               concurrency: int) -> tuple[list[float], float, int]:
    """POST every request with `concurrency` in flight; (latencies, wall seconds, non-200 count)."""
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[tuple[dict[str, str], bytes]] = asyncio.Queue()
    for r in requests:
        queue.put_nowait(r)
    conn = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=conn) as http:
        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                query, body = queue.get_nowait()
                t0 = time.perf_counter()
                async with http.post(url, params=query, data=body, headers={"Content-Type": "text/xml"}) as r:
                    await r.read()
                    if r.status != 200:
                        errors += 1
                latencies.append(time.perf_counter() - t0)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    return latencies, wall, errors


def start_process(args: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    """A Python child in `cwd` (another source tree there runs that tree's code: `-m` imports from it)."""
    out = open(log, "ab")
    return subprocess.Popen([sys.executable, *args], cwd=cwd, env={**os.environ, **env}, stdout=out,
                            stderr=out, start_new_session=True)


async def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    async with aiohttp.ClientSession() as http:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if proc.poll() is not None:
                break
            try:
                async with http.get(url) as r:
                    if r.status in (200, 405):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up: {log.read_text()[-800:]}")


@contextlib.asynccontextmanager
async def serving(emu: Emulator, db_url: str, log: Path, env: dict[str, str] | None = None) -> AsyncIterator[None]:
    """A migrated `wanzi serve` process talking to the emulator (its callbacks connected), stopped after."""
    from bench.callbacks import free_port
    from bot.sandbox import as_env, emulator_settings

    port = free_port()
    settings = emulator_settings(emu.config, api_base=emu.base_url, host="127.0.0.1", port=port, db_url=db_url)
    full = {**as_env(settings), "WANZI_LOG__LEVEL": "WARNING", **(env or {})}
    start_process(["-m", "bot.cli", "db", "upgrade"], full, log).wait(120)
    proc = start_process(["-m", "bot.cli", "serve"], full, log)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc, log)
        emu.connect(f"http://127.0.0.1:{port}/wecom/callback")
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def summary(latencies: list[float], wall: float) -> dict[str, str]:
    return {"requests": str(len(latencies)), "req/s": f"{len(latencies) / wall:.0f}",
            "p50": fmt_ms(percentile(latencies, 50)), "p99": fmt_ms(percentile(latencies, 99)),
            "mean": fmt_ms(statistics.fmean(latencies))}
