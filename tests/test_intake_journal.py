"""The intake journal (`[server] intake_journal`): a callback is acked once it is fsync'd in a local
file, so the ack never waits for the database; it still reaches inbound_event exactly once, even
when the process dies between the ack and the drain, and a resend is acked without a second event."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path
from typing import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.appkeys import INTAKE
from bot.clock import FakeClock
from bot.intake import Arrival, Intake
from bot.journal import HEADER, IntakeJournal, JournalInUse, Record, read_segment
from emulator import Emulator, EmulatorConfig
from storage import db
from storage.models import InboundEvent
from tests.harness import BotUnderTest, friend_added_xml, make_config
from tests.processes import Replica, free_port, write_config
from tests.waiting import wait_until


def arrival(n: int, *, urgent: bool = False) -> Arrival:
    return Arrival(f"msg:{n}", "xml", "text", {"Content": f"第{n}条", "MsgId": str(n)}, urgent)


async def rows(url: str) -> list[InboundEvent]:
    engine = db.create_engine(url)
    try:
        async with db.session_factory(engine)() as s:
            return list((await s.scalars(select(InboundEvent).order_by(InboundEvent.id))).all())
    finally:
        await engine.dispose()


@pytest.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = db.create_engine(db_url)
    yield db.session_factory(engine)
    await engine.dispose()


async def test_journaled_callbacks_left_undrained_are_stored_once_at_the_next_start(
        tmp_path: Path, db_url: str, sessions: async_sessionmaker[AsyncSession]) -> None:
    clock = FakeClock(1_700_000_000)
    before = Intake(sessions, clock, journal=tmp_path / "journal")
    before.open()
    assert (await before.store(arrival(1, urgent=True))).new
    assert (await before.store(arrival(2))).new
    assert not (await before.store(arrival(2))).new  # a resend while journaled: acked, not written twice
    await before.journal.drain_once()  # type: ignore[union-attr]  # 1 and 2 are in the table
    assert (await before.store(arrival(3))).new  # acked, never drained: then the process dies
    before.close()  # (its files close with it)

    after = Intake(sessions, clock, journal=tmp_path / "journal")
    assert after.open() == 1  # only 3 is left to drain
    await after.journal.drain_once()  # type: ignore[union-attr]
    stored = await rows(db_url)
    assert [r.payload["MsgId"] for r in stored] == ["1", "2", "3"]
    assert stored[0].deadline is not None and stored[1].deadline is None  # the welcome's 20 s
    assert stored[0].received_at.timestamp() == pytest.approx(clock.time())  # the arrival, not the drain


async def test_a_record_replayed_after_its_drain_committed_is_not_stored_twice(
        tmp_path: Path, db_url: str, sessions: async_sessionmaker[AsyncSession]) -> None:
    clock = FakeClock(1_700_000_000)
    first = Intake(sessions, clock, journal=tmp_path / "journal")
    first.open()
    await first.store(arrival(7))
    segment = next((tmp_path / "journal").glob("intake-*.log"))
    kept = segment.read_bytes()
    await first.journal.drain_once()  # type: ignore[union-attr]
    segment.write_bytes(kept)  # died after the commit, before the drained segment was deleted
    first.close()

    second = Intake(sessions, clock, journal=tmp_path / "journal")
    assert second.open() == 1
    await second.journal.drain_once()  # type: ignore[union-attr]
    assert [r.payload["MsgId"] for r in await rows(db_url)] == ["7"]
    assert not segment.exists()  # drained: deleted


async def test_journaled_acks_still_refuse_a_malformed_callback_with_a_log_line(
        tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    bot = await BotUnderTest.start(make_config(db_url, server={"intake_journal": str(tmp_path / "j")}),
                                   FakeClock())
    try:
        with caplog.at_level(logging.WARNING):
            assert await bot.post_raw(b"<xml><Encrypt>not base64</Encrypt></xml>") == 400
        assert [r for r in caplog.records if r.getMessage() == "callback rejected"]
        assert await bot.post(friend_added_xml("zhang.wei", "wmJournal01", welcome_code="CODE-J-1")) == 200
        assert await bot.count(InboundEvent) == 0  # journaled: the drainer stores it
        await bot.app[INTAKE].journal.drain_once()  # type: ignore[union-attr]
        assert await bot.count(InboundEvent) == 1
    finally:
        await bot.stop()


def test_a_torn_last_record_was_never_acked_and_is_ignored(tmp_path: Path) -> None:
    whole = Record("msg:1", "xml", "text", {"Content": "你好"}, 1.0, False).encode()
    torn = Record("msg:2", "xml", "text", {"Content": "在吗"}, 2.0, False).encode()
    segment = tmp_path / "intake-1.log"
    segment.write_bytes(whole + torn[:HEADER.size + 3])  # the process died inside the second write
    assert [r.dedupe_key for r in read_segment(segment)] == ["msg:1"]
    segment.write_bytes(whole + torn[:-1] + b"x")  # a corrupt body: its CRC does not match
    assert [r.dedupe_key for r in read_segment(segment)] == ["msg:1"]


@pytest.mark.parametrize("own_thread", [False, True], ids=["one loop", "intake thread"])
async def test_a_welcome_acked_just_before_a_crash_is_sent_once_after_the_restart(
        tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, own_thread: bool) -> None:
    """SIGKILL between the ack and the drain (another process holds SQLite's write lock, so the
    drain cannot run); restarted, the bot drains the journal, welcomes once, and acks WeCom's
    resend of the same callback without a second event. With `intake_thread` the callbacks are
    served on a thread of their own and the port's other routes still answer (forwarded)."""
    monkeypatch.setenv("WANZI_SERVER__INTAKE_JOURNAL", str(tmp_path / "journal"))
    monkeypatch.setenv("WANZI_SERVER__INTAKE_THREAD", str(own_thread).lower())
    emu = Emulator(EmulatorConfig(callback_retry_delay=0.2))
    await emu.start()
    port = free_port()
    cfg = write_config(tmp_path / "bot.toml", db_url=sqlite_url, api_base=emu.base_url, port=port)
    bot = await Replica(cfg, port, tmp_path / "bot.log").start()
    emu.connect(f"{bot.url}/wecom/callback")
    path = db.sqlite_path(sqlite_url)
    assert path is not None
    blocker = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # the bot's drain now waits for the write lock
        delivery = await emu.add_friend("zhang.wei", "wmJournalCrash01")
        assert delivery.acked  # from the journal alone: the table is locked
        await bot.kill()
        blocker.execute("ROLLBACK")
        assert not [r for r in await rows(sqlite_url) if r.kind == "friend_added"]  # it was only journaled

        await bot.start()
        welcomes = await wait_until(lambda: [c for c in emu.calls("externalcontact/send_welcome_msg") if c.ok],
                                    timeout=20)
        assert len(welcomes) == 1, (tmp_path / "bot.log").read_text()[-2000:]
        again = await emu.driver.send(delivery.plain)  # type: ignore[union-attr]  # WeCom resends it
        assert again.acked
        added = [r for r in await rows(sqlite_url) if r.kind == "friend_added"]
        assert [r.status for r in added] == ["done"]
        assert len([c for c in emu.calls("externalcontact/send_welcome_msg") if c.ok]) == 1
        assert "replaying callbacks acked before the last stop" in (tmp_path / "bot.log").read_text()
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{bot.url}/metrics") as r:  # served by the main loop either way
                assert r.status == 200 and "friend_added" in await r.text()
            async with http.get(f"{bot.url}/nowhere") as r:
                assert r.status == 404
            async with http.get(f"{bot.url}/console/", allow_redirects=False) as r:  # its redirect kept
                assert r.status == 302 and r.headers["Location"].startswith("/console/login")
            async with http.post(f"{bot.url}/console/login", data={"user": "zhang.wei", "password": "x"},
                                 headers={"Origin": bot.url}) as r:
                assert r.status != 403  # the Host came along: a same-origin form is not refused
    finally:
        blocker.close()
        await bot.kill()  # a SIGTERM this soon after a start can wait for the model's warm-up thread
        await emu.stop()


def test_a_second_process_on_the_same_journal_is_refused(tmp_path: Path) -> None:
    async def store(records: list[Record]) -> None:
        return None

    first = IntakeJournal(tmp_path / "journal", store)
    first.open()
    try:
        with pytest.raises(JournalInUse, match="directory of its own"):
            IntakeJournal(tmp_path / "journal", store).open()
    finally:
        first.close()
    second = IntakeJournal(tmp_path / "journal", store)
    second.open()  # the first one stopped: free again
    second.close()


async def test_a_failed_write_is_answered_503_and_later_callbacks_are_not_lost_behind_it(
        tmp_path: Path, db_url: str, sessions: async_sessionmaker[AsyncSession],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up halfway through a record: that callback is refused (WeCom resends it),
    and the ones acked after it must still be read back, though a torn record ends a segment."""
    intake = Intake(sessions, FakeClock(1_700_000_000), journal=tmp_path / "journal")
    intake.open()
    assert (await intake.store(arrival(1))).new
    real = IntakeJournal._write

    def half_then_full(self: IntakeJournal, file: object, data: bytes) -> None:
        file.write(data[:len(data) // 2])  # type: ignore[attr-defined]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(IntakeJournal, "_write", half_then_full)
    with pytest.raises(OSError):
        await intake.store(arrival(2))
    monkeypatch.setattr(IntakeJournal, "_write", real)
    assert (await intake.store(arrival(3))).new
    intake.close()  # the process dies before any drain

    after = Intake(sessions, FakeClock(1_700_000_000), journal=tmp_path / "journal")
    assert after.open() == 2
    await after.journal.drain_once()  # type: ignore[union-attr]
    assert [r.payload["MsgId"] for r in await rows(db_url)] == ["1", "3"]


async def test_a_drained_welcome_code_tells_the_inbox_to_take_it_first(
        tmp_path: Path, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Journaled callbacks reach the table in the drain's batches; a batch holding a welcome code
    wakes the inbox as one (it takes codes between the transactions of the batch at work), a batch
    of other events or kf notices only as work."""
    intake = Intake(sessions, FakeClock(1_700_000_000), journal=tmp_path / "journal")
    intake.open()
    woken: list[bool] = []
    drain = asyncio.create_task(intake.drain_forever(woken.append))
    try:
        await intake.store(arrival(1))
        await wait_until(lambda: len(woken) == 1)
        await intake.store(Arrival("kf:1", "xml", "kf_notified", {"Token": "t", "OpenKfId": "wk1"}, True))
        await wait_until(lambda: len(woken) == 2)
        await intake.store(arrival(2, urgent=True))  # a friend added, with a welcome code
        await wait_until(lambda: len(woken) == 3)
    finally:
        drain.cancel()
        await asyncio.gather(drain, return_exceptions=True)
        intake.close()
    assert woken == [False, False, True]
