"""A welcome in flight when the process dies still reaches the customer inside WeCom's 20 seconds.

The real `wanzi serve` with the shipped worker and retry settings; WeCom answers -1 (system busy),
slowly, so the first try is still in flight when the process is SIGKILLed 1.5 s after the
callback; it is restarted at once and WeCom is fine again soon after.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Awaitable, Callable

from emulator import Emulator, EmulatorConfig
from emulator.calls import RecordedCall
from emulator.driver import Delivery
from tests.processes import Replica, free_port, write_config
from tests.waiting import wait_until

WELCOME_WINDOW_S = 20.0  # WeCom's welcome_code / kf welcome_code lifetime
KILL_AFTER_S = 1.5


async def first(find: Callable[[], list[RecordedCall]], timeout: float) -> RecordedCall | None:
    found = await wait_until(find, timeout=timeout)
    return found[0] if found else None


async def crash_while_welcoming(tmp_path: Path, db_url: str, api: str,
                                arrive: Callable[[Emulator], Awaitable[Delivery]]) -> None:
    """`arrive` makes a customer show up with a welcome code; the bot is SIGKILLed mid-try and restarted."""
    emu = Emulator(EmulatorConfig(callback_retry_delay=0.2))
    await emu.start()
    port = free_port()
    cfg = write_config(tmp_path / "bot.toml", db_url=db_url, api_base=emu.base_url, port=port, retry_base_s=None,
                       lease_s=None)
    bot = await Replica(cfg, port, tmp_path / "bot.log").start()
    emu.connect(f"{bot.url}/wecom/callback")
    # System busy: the first two tries get -1, each after 2 s; later ones go through.
    emu.faults.inject(api, errcode=-1, delay=2.0, times=2)
    try:
        callback_at = emu.clock.time()
        delivery = await arrive(emu)
        assert delivery.acked
        assert await first(lambda: emu.calls(api), 10.0) is not None, (tmp_path / "bot.log").read_text()[-2000:]
        await asyncio.sleep(max(0.0, callback_at + KILL_AFTER_S - emu.clock.time()))
        await bot.kill()  # the first try is still waiting for WeCom's answer
        await bot.start()

        accepted = await first(lambda: [c for c in emu.calls(api) if c.ok], WELCOME_WINDOW_S + 5)
        log = (tmp_path / "bot.log").read_text()[-3000:]
        assert accepted is not None, ([(c.at - callback_at, c.errcode) for c in emu.calls(api)], log)
        assert accepted.at - callback_at <= WELCOME_WINDOW_S
        assert [c.errcode for c in emu.calls(api)][:2] == [-1, -1]  # it was really refused first
    finally:
        await bot.stop()
        await emu.stop()


async def test_a_new_friend_is_welcomed_although_the_bot_died_while_wecom_was_busy(tmp_path: Path,
                                                                                    sqlite_url: str) -> None:
    async def add_friend(emu: Emulator) -> Delivery:
        return await emu.add_friend("zhang.wei", "wmCrashWelcome01")

    await crash_while_welcoming(tmp_path, sqlite_url, "externalcontact/send_welcome_msg", add_friend)


async def test_a_kf_visitor_is_welcomed_although_the_bot_died_while_wecom_was_busy(tmp_path: Path,
                                                                                   sqlite_url: str) -> None:
    async def enter(emu: Emulator) -> Delivery:
        return await emu.customer_enters_kf("wmCrashKfWelcome01")

    await crash_while_welcoming(tmp_path, sqlite_url, "kf/send_msg_on_event", enter)
