"""Burst: 1,000 new friends in 10 s through the emulator (its documented per-API limits on), and
the share of welcomes that reach WeCom inside the 20-second welcome_code window."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from bench.common import Row, percentile, serving
from emulator import Emulator, EmulatorConfig

FRIENDS = int(os.environ.get("BENCH_BURST", "1000"))
SECONDS = 10.0


async def run_burst(backend: str, db_url: str, work: Path) -> Row:
    emu = Emulator(EmulatorConfig(callback_retry_delay=1.0))
    await emu.start()
    try:
        async with serving(emu, db_url, work / f"burst-{backend}.log"):
            return await welcome_burst(emu, backend)
    finally:
        await emu.stop()


async def welcome_burst(emu: Emulator, backend: str) -> Row:
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
