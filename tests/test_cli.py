"""The operator's commands: db upgrade, outbox list/retry, persona check, digest's day."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import SystemClock
from storage import db
from storage.models import OutboxItem

KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[wecom]\ncorp_id = "ww1"\ntoken = "T"\nencoding_aes_key = "{KEY}"\n'
                    f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/cli.db"\n')
    return path


async def add_dead_row(url: str) -> None:
    engine = db.create_engine(url)
    now = SystemClock().now()
    async with db.session_factory(engine).begin() as s:
        s.add(OutboxItem(api="kf/send_msg", payload={}, kind="answer", status="dead", attempts=8, due_at=now,
                         last_errcode=-1, last_error="-1: system busy; gave up after 8 attempts", created_at=now))
        s.add(OutboxItem(api="message/send", payload={}, kind="notice", status="sent", attempts=1, due_at=now,
                         last_error="", created_at=now))
    await engine.dispose()


def test_outbox_list_shows_dead_rows_and_retry_requeues_only_them(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path)
    assert main(["db", "upgrade", "--config", str(cfg)]) == 0
    import asyncio

    asyncio.run(add_dead_row(f"sqlite+aiosqlite:///{tmp_path}/cli.db"))
    capsys.readouterr()
    assert main(["outbox", "list", "--status", "dead", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "kf/send_msg" in out and "gave up after 8 attempts" in out and "message/send" not in out
    assert main(["outbox", "retry", "--all", "--config", str(cfg)]) == 0
    assert "1 row(s) queued again" in capsys.readouterr().out
    assert main(["outbox", "list", "--status", "dead", "--config", str(cfg)]) == 0
    assert "(no rows)" in capsys.readouterr().out


def test_serve_refuses_an_unmigrated_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--config", str(write_config(tmp_path))]) == 1
    assert "wanzi db upgrade" in capsys.readouterr().err


def test_persona_check_names_file_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from persona import default_persona_path

    bad = tmp_path / "bad.toml"
    bad.write_text(default_persona_path().read_text(encoding="utf-8") + '\n[templates.nonsense]\nhello = ["x"]\n',
                   encoding="utf-8")
    assert main(["persona", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "templates.nonsense.hello" in err
    assert main(["persona", "check", str(default_persona_path())]) == 0


def test_digest_refuses_a_day_that_has_not_come(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    cfg = write_config(tmp_path)
    assert main(["db", "upgrade", "--config", str(cfg)]) == 0
    today = SystemClock().now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    tomorrow = today + timedelta(days=1)
    assert main(["--config", str(cfg), "digest", "--date", f"{tomorrow:%Y-%m-%d}"]) == 1
    err = capsys.readouterr().err
    assert f"--date: {tomorrow:%Y-%m-%d} has not come yet in Asia/Shanghai (today is {today:%Y-%m-%d})" in err
    assert main(["--config", str(cfg), "digest", "--date", f"{today:%Y-%m-%d}"]) == 0  # today so far is fine
    assert f"{today:%Y-%m-%d}" in capsys.readouterr().out
