"""Burst: 1,000 new friends in 10 s through the emulator (its documented per-API limits on), and
the share of welcomes that reach WeCom inside the 20-second welcome_code window."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

from bench.callbacks import free_port
from bench.common import Row, percentile, start_process, wait_healthy
from bot.sandbox import as_env, emulator_settings
from emulator import Emulator, EmulatorConfig

FRIENDS = int(os.environ.get("BENCH_BURST", "1000"))
SECONDS = 10.0


async def run_burst(backend: str, db_url: str, work: Path) -> Row:
    emu = Emulator(EmulatorConfig(callback_retry_delay=1.0))
    await emu.start()
    port = free_port()
    env = as_env(emulator_settings(emu.config, api_base=emu.base_url, host="127.0.0.1", port=port, db_url=db_url))
    env["WANZI_LOG__LEVEL"] = "WARNING"
    log = work / f"burst-{backend}.log"
    start_process(["-m", "bot.cli", "db", "upgrade"], env, log).wait(120)
    proc = start_process(["-m", "bot.cli", "serve"], env, log)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc, log)
        emu.connect(f"http://127.0.0.1:{port}/wecom/callback")
        issued: dict[str, float] = {}

        async def one(i: int) -> None:
            t0 = time.time()
            delivery = await emu.add_friend("zhang.wei", f"wmBurst{i:05d}", state="burst")
            code = delivery.fields.get("WelcomeCode")
            if isinstance(code, str):
                issued[code] = t0

        started = time.time()
        tasks = []
        for i in range(FRIENDS):
            tasks.append(asyncio.create_task(one(i)))
            await asyncio.sleep(max(0.0, started + (i + 1) * SECONDS / FRIENDS - time.time()))
        await asyncio.gather(*tasks)
        while time.time() - started < SECONDS + 25:  # every code is dead 20 s after its event
            if len([c for c in emu.calls("send_welcome_msg") if c.ok]) >= len(issued):
                break
            await asyncio.sleep(0.2)
        delays = [c.at - issued[c.body["welcome_code"]] for c in emu.calls("send_welcome_msg")
                  if c.ok and c.body.get("welcome_code") in issued]
        within = sum(1 for d in delays if d <= 20)
        return Row("burst: 1,000 friends in 10 s", backend, {
            "welcomed in 20 s": f"{within}/{len(issued)} ({100 * within / max(1, len(issued)):.1f}%)",
            "p50 delay": f"{percentile(delays, 50):.2f} s", "p99 delay": f"{percentile(delays, 99):.2f} s",
            "API errors": str(len([c for c in emu.calls('send_welcome_msg') if not c.ok])),
        })
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
        await emu.stop()
