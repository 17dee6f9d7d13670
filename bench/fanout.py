"""Fan-out: one staff broadcast to N kf customers (default 100,000): the time to plan it through the
push gate, the time until WeCom has every message, and the bot process's peak memory.

The bot's client-side limiter is raised so the run measures Wanzi, not the limiter; at WeCom's
documented 10,000 calls/min per API the delivery floor is N / 10,000 minutes (reported too)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select

from bench.callbacks import free_port
from bench.common import Row, SignedLoad, start_process, wait_healthy
from bot.sandbox import as_env, emulator_settings
from emulator import Emulator, EmulatorConfig
from storage import db
from storage.models import Customer, CustomerTag, Staff, Tag

CUSTOMERS = int(os.environ.get("BENCH_FANOUT", "100000"))
TAG_GROUP, TAG_NAME = "兴趣", "福利"


async def seed(url: str, emu: Emulator, n: int) -> None:
    """n kf customers who wrote an hour ago, all tagged; the emulator knows their open sessions."""
    engine = db.create_engine(url)
    await db.upgrade(engine)
    now = datetime.now(timezone.utc)
    wrote = now - timedelta(hours=1)
    kf = next(iter(emu.config.kf_accounts))
    async with db.session_factory(engine).begin() as s:
        s.add(Staff(userid="zhang.wei", name="张伟", role="admin", on_duty=False, created_at=now))
        s.add(Tag(group_name=TAG_GROUP, name=TAG_NAME, created_at=now))
    async with db.session_factory(engine).begin() as s:
        tag_id = await s.scalar(select(Tag.id))
        for start in range(0, n, 5000):
            rows = [dict(external_userid=f"wmFan{i:07d}", name="", remark="", channel="bench", owner_userid="",
                         advisor_userid="", stage="", is_vip=False, opted_out=False, status="active", lost_by="",
                         first_seen_at=wrote, last_seen_at=wrote, last_inbound_at=wrote, level="")
                    for i in range(start, min(n, start + 5000))]
            await s.execute(insert(Customer), rows)
        ids = list((await s.scalars(select(Customer.id))).all())
        for start in range(0, len(ids), 5000):
            await s.execute(insert(CustomerTag), [dict(customer_id=c, tag_id=tag_id, source="bench", created_at=now)
                                                  for c in ids[start:start + 5000]])
    await engine.dispose()
    for i in range(n):
        session = emu.corp.kf.session(kf, f"wmFan{i:07d}")
        session.state, session.last_customer_msg_at = 0, wrote.timestamp()


async def wait_reply(emu: Emulator, needle: str, timeout: float = 60.0) -> None:
    """Wait for the bot's answer to the staff member; a different answer fails the benchmark."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        inbox = emu.staff_inbox("zhang.wei")
        if inbox and needle in inbox[-1]:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"the bot did not answer with {needle!r}: {emu.staff_inbox('zhang.wei')[-1:]}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run_fanout(backend: str, db_url: str, work: Path) -> Row:
    emu = Emulator(EmulatorConfig(api_per_minute=10**7, api_per_hour=10**9))
    await emu.start()
    port = free_port()
    settings = emulator_settings(emu.config, api_base=emu.base_url, host="127.0.0.1", port=port, db_url=db_url)
    env = as_env(settings)
    env.update({"WANZI_LOG__LEVEL": "WARNING", "WANZI_WECOM__RATE_PER_MINUTE": "6000000",
                "WANZI_WECOM__RATE_PER_HOUR": "0",
                "WANZI_ANTISPAM__QUIET_HOURS": "off", "WANZI_WORKER__OUTBOX_BATCH": "200"})
    await seed(db_url, emu, CUSTOMERS)
    log = work / f"fanout-{backend}.log"
    proc = start_process(["-m", "bot.cli", "serve"], env, log)
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc, log)
        emu.connect(f"http://127.0.0.1:{port}/wecom/callback")
        await emu.staff_sends("zhang.wei", f"/broadcast {TAG_NAME} new_arrivals")
        await wait_reply(emu, "/confirm")
        started = time.perf_counter()
        await emu.staff_sends("zhang.wei", "/confirm")
        await wait_reply(emu, "已全部排入发送队列", timeout=3600)
        planned_at = time.perf_counter() - started

        def delivered() -> int:
            return sum(1 for c in emu.calls("kf/send_msg") if c.ok)

        while delivered() < CUSTOMERS and time.perf_counter() - started < 3600:
            await asyncio.sleep(0.5)
        total = time.perf_counter() - started
        sent = delivered()
        return Row(f"fan-out: broadcast to {CUSTOMERS:,} customers", backend, {
            "delivered": f"{sent:,}/{CUSTOMERS:,}",
            "all queued (staff notified)": f"{planned_at:.1f} s",
            "all delivered after": f"{total:.1f} s ({sent / total:.0f}/s)",
            "peak RSS of the bot": f"{peak_rss_mb(proc.pid):.0f} MB",
            "floor at 10,000/min": f"{CUSTOMERS / 10000:.1f} min",
        })
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        await emu.stop()


__all__ = ["run_fanout", "SignedLoad"]
