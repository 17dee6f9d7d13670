"""Several `wanzi serve` processes on one PostgreSQL: each callback has one effect, whoever gets it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from emulator import CallbackDriver, Emulator, EmulatorConfig
from storage import db
from tests.processes import Replica, all_processed, free_port, write_config
from tests.waiting import wait_until

pytestmark = pytest.mark.postgres


async def test_two_replicas_given_the_same_callbacks_act_once(postgres_url: str, tmp_path: Path) -> None:
    emu = Emulator(EmulatorConfig(callback_retry_delay=0.1))
    await emu.start()
    replicas = []
    for name in ("a", "b"):
        port = free_port()
        cfg = write_config(tmp_path / f"{name}.toml", db_url=postgres_url, api_base=emu.base_url, port=port)
        replicas.append(Replica(cfg, port, tmp_path / f"{name}.log"))
    try:
        a, b = await asyncio.gather(*(r.start() for r in replicas))
        emu.connect(f"{a.url}/wecom/callback")
        to_b = CallbackDriver(f"{b.url}/wecom/callback", emu.config.crypto(), emu.config.corp_id,
                              emu.config.agent_id, retry_delay=0.1)
        customers = [f"wmReplica{i:03d}" for i in range(10)]
        for ext in customers:
            delivery = await emu.add_friend("zhang.wei", ext, state="expo")
            assert (await to_b.send(delivery.plain)).statuses == [200]
        for ext in customers[:5]:
            delivery = await emu.customer_says(ext, "你好，在吗？")
            assert (await to_b.send(delivery.plain)).statuses == [200]

        welcomed = lambda: {c.body["welcome_code"] for c in emu.calls("send_welcome_msg") if c.ok}  # noqa: E731
        assert await wait_until(lambda: len(welcomed()) == 10), emu.calls("send_welcome_msg")
        assert await wait_until(lambda: all(len(emu.customer_inbox(e)) == 2 for e in customers[:5]))
        engine = db.create_engine(postgres_url)
        try:  # both replicas are done with every callback: a duplicate would have been sent by now
            assert await wait_until(lambda: all_processed(db.session_factory(engine)))
        finally:
            await engine.dispose()
        assert len(emu.calls("send_welcome_msg")) == 10
        assert all(len(emu.customer_inbox(e)) == 2 for e in customers[:5])  # one welcome + one answer
        assert len([c for c in emu.calls("kf/send_msg") if c.ok]) == 5
        assert len(emu.calls("gettoken")) <= 2  # one per secret in use, shared by both replicas
        await to_b.close()
    finally:
        for r in replicas:
            await r.stop()
        await emu.stop()
