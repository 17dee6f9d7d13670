"""Logs name what failed, and keep secrets and customers' words out, even at DEBUG."""

from __future__ import annotations

import logging
from typing import Iterator

import pytest
from sqlalchemy import select

from bot.logs import setup_logging
from storage.models import AccessToken

DRIVERS = ("aiosqlite", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.engine.Engine", "asyncpg")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in DRIVERS}
    yield
    root.handlers[:], root.level = handlers, level
    for name, lvl in levels.items():
        logging.getLogger(name).setLevel(lvl)


async def test_at_debug_level_sql_parameters_stay_out_of_the_log(
        wanzi, wecom, capsys: pytest.CaptureFixture[str], restore_logging: None) -> None:
    setup_logging("DEBUG", as_json=True)  # what `wanzi serve` does with [log] level = "DEBUG"
    await wecom.customer_says("wmLog0001", "我的手机号是13800001234，帮我查下订单")
    await wanzi.drain()
    async with wanzi.sessions() as s:
        tokens = list((await s.scalars(select(AccessToken.token))).all())
    err = capsys.readouterr().err
    assert "callback accepted" in err  # the log is on, at DEBUG
    assert tokens and not [t for t in tokens if t in err]
    assert "13800001234" not in err


async def test_database_echo_still_logs_sql_when_asked(restore_logging: None) -> None:
    setup_logging("INFO", as_json=True, sql=True)
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() <= logging.INFO
    setup_logging("DEBUG", as_json=True)
    assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() > logging.INFO
    assert logging.getLogger("aiosqlite").getEffectiveLevel() > logging.INFO


async def test_a_failed_api_call_is_logged_with_its_api_errcode_and_errmsg(
        wanzi, wecom, capsys: pytest.CaptureFixture[str], restore_logging: None) -> None:
    from bot.outbox import Outbox

    setup_logging("INFO", as_json=False)  # the terminal format (the sandbox's)
    async with wanzi.sessions.begin() as s:
        Outbox(s, wanzi.clock).app_text(1000002, "nobody.here", "工单提醒")
    await wanzi.drain()
    (call,) = wecom.calls("message/send")
    assert call.errcode == 81013
    lines = capsys.readouterr().err.splitlines()
    failed = [line for line in lines if "wecom api error" in line]
    assert failed and all("message/send" in line and "81013" in line and "invalid" in line for line in failed)
    (dead,) = [line for line in lines if "outbox item not delivered" in line]
    assert "message/send" in dead and "81013" in dead
