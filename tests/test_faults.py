"""Faults: a SIGKILL under load, WeCom misbehaving for a while, the database going away."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from emulator import Emulator, EmulatorConfig
from storage import db
from storage.models import InboundEvent, OutboxItem
from tests.processes import Replica, all_processed, free_port, write_config
from tests.waiting import wait_until


async def test_sigkill_under_load_loses_nothing_and_welcomes_once(sqlite_url: str, tmp_path: Path) -> None:
    emu = Emulator(EmulatorConfig(callback_retry_delay=0.2))
    await emu.start()
    port = free_port()
    cfg = write_config(tmp_path / "bot.toml", db_url=sqlite_url, api_base=emu.base_url, port=port)
    bot = await Replica(cfg, port, tmp_path / "bot.log").start()
    emu.connect(f"{bot.url}/wecom/callback")
    friends = [f"wmKill{i:03d}" for i in range(30)]
    talkers = [f"wmTalk{i:03d}" for i in range(10)]
    try:
        deliveries = await asyncio.gather(*(emu.add_friend("zhang.wei", e) for e in friends),
                                          *(emu.customer_says(e, "你好") for e in talkers))
        assert all(d.acked for d in deliveries)
        await bot.kill()  # SIGKILL right after the last ack: work is queued, claimed or in flight
        await bot.start()  # the restarted process resumes from the database

        engine = db.create_engine(sqlite_url)
        sessions = db.session_factory(engine)
        settled = await wait_until(lambda: all_processed(sessions), timeout=30)
        assert settled, (tmp_path / "bot.log").read_text()[-2000:]
        async with sessions() as s:
            statuses = (await s.execute(select(OutboxItem.status, func.count()).group_by(OutboxItem.status))).all()
        await engine.dispose()
        assert dict(statuses) == {"sent": 40}
        for ext in friends:  # welcome codes are single use: a re-send after the crash cannot double up
            assert len(emu.customer_inbox(ext)) == 1, ext
        for ext in talkers:  # every accepted message was answered (at least once; see README on kf/send_msg)
            assert len(emu.customer_inbox(ext)) >= 1, ext
    finally:
        await bot.stop()
        await emu.stop()


async def test_wecom_failing_for_a_while_loses_nothing_and_late_welcomes_expire(wanzi, wecom, clock) -> None:
    wecom.faults.inject("send_welcome_msg", errcode=-1, times=None)
    wecom.faults.inject("kf/send_msg", status=502, times=3)
    wecom.faults.inject("kf/send_msg", errcode=45009, times=3)
    await wecom.add_friend("zhang.wei", "wmOutage01")
    await wecom.customer_says("wmOutage02", "你好")
    await wanzi.drain()
    clock.advance(30)  # WeCom recovers, but the welcome code died 20 s after the event
    wecom.faults.clear()
    await wanzi.drain()
    clock.advance(600)
    await wanzi.drain()
    async with wanzi.sessions() as s:
        rows = {r.api: r for r in (await s.scalars(select(OutboxItem))).all()}
    welcome = rows["externalcontact/send_welcome_msg"]
    assert welcome.status == "expired" and welcome.last_errcode == -1
    assert "deadline" in welcome.last_error
    assert rows["kf/send_msg"].status == "sent"
    assert len(wecom.customer_inbox("wmOutage02")) == 1
    assert wecom.customer_inbox("wmOutage01") == []


@pytest.mark.postgres
async def test_database_outage_answers_503_and_recovers_without_half_state(postgres_url: str, wecom, clock) -> None:
    from tests.harness import BotUnderTest, friend_added_xml, make_config
    from tests.tcpproxy import TcpProxy

    proxy = await TcpProxy("127.0.0.1", 5432).start()
    url = make_url(postgres_url).set(port=proxy.port).render_as_string(hide_password=False)
    bot = await BotUnderTest.start(make_config(url, wecom.base_url), clock)
    wecom.connect(f"{bot.url}/wecom/callback")
    try:
        proxy.down()
        xml = friend_added_xml("zhang.wei", "wmDbDown01", welcome_code="", create_time=int(clock.time()))
        assert await bot.post(xml) == 503  # WeCom will resend it
        async with bot.http.get(f"{bot.url}/healthz") as r:
            assert r.status == 503
        proxy.restore()
        assert await bot.post(xml) == 200
        assert await bot.post(xml) == 200  # WeCom's own retry: still one event
        await bot.drain()
        assert await bot.count(InboundEvent) == 1
        assert await bot.count(InboundEvent, InboundEvent.status == "done") == 1
        async with bot.http.get(f"{bot.url}/healthz") as r:
            assert r.status == 200
    finally:
        await bot.stop()
        await proxy.stop()
