"""The CLI tells an operator what is wrong and what to do: the sandbox's config for the CLI, no
database, a status that does not exist, a config not yet filled in for a real corp."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path

import pytest

from bot.cli import main
from tests.processes import ROOT, free_port
from tests.waiting import wait_until

EXAMPLE = ROOT / "config.example.toml"


@pytest.fixture
def no_wanzi_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in [v for v in os.environ if v.startswith("WANZI_")]:
        monkeypatch.delenv(var)


def http(url: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as r:
        answer: dict = json.loads(r.read() or b"{}")
        return answer


def wait_for(check, timeout: float = 30.0):
    """tests.waiting.wait_until for this synchronous test; a refused connection means "not yet"."""
    def answer():
        try:
            return check()
        except OSError:
            return None

    return asyncio.run(wait_until(answer, timeout=timeout, interval=0.2))


def test_the_sandbox_writes_its_config_so_the_cli_reads_its_outbox(
        tmp_path: Path, no_wanzi_env: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from emulator import EmulatorConfig

    bot_port, emu_port = free_port(), free_port()
    banner = tmp_path / "sandbox.err"
    with banner.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "sandbox", "--port", str(bot_port),
                                 "--emulator-port", str(emu_port), "--db", str(tmp_path / "sandbox.db")],
                                cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=err)
    try:
        assert wait_for(lambda: http(f"http://127.0.0.1:{bot_port}/healthz")["status"] == "ok"), "no sandbox"
        console = f"http://127.0.0.1:{emu_port}/console/api"
        assert http(f"{console}/add_friend", {"staff": "zhang.wei", "ext": "wmCli0001"})["ok"]
        welcomed = wait_for(lambda: [c for c in http(f"{console}/calls")["calls"]
                                     if c["api"] == "externalcontact/send_welcome_msg"])
        assert welcomed

        written = tmp_path / "sandbox.toml"
        assert f"WANZI_CONFIG={written} wanzi outbox list" in banner.read_text()
        text = written.read_text(encoding="utf-8")
        emu = EmulatorConfig()
        for secret in (emu.callback_token, emu.encoding_aes_key, *emu.secrets.values(), *emu.webhook_keys):
            assert secret not in text
        assert "password" not in tomllib.loads(text)["console"]
        assert oct(written.stat().st_mode & 0o777) == "0o600"

        capsys.readouterr()
        monkeypatch.setenv("WANZI_CONFIG", str(written))
        assert main(["outbox", "list", "--status", "sent"]) == 0
        assert "externalcontact/send_welcome_msg" in capsys.readouterr().out
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.parametrize("command", [["outbox", "list"], ["outbox", "retry", "--all"], ["digest"]])
def test_without_a_configured_database_the_cli_says_so_and_creates_none(
        command: list[str], tmp_path: Path, no_wanzi_env: None, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(command) == 1
    err = capsys.readouterr().err
    assert "no database at" in err and "--config" in err and "WANZI_CONFIG" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no ./wanzi.db appeared


def test_a_config_naming_a_missing_database_is_an_error_not_a_new_database(
        tmp_path: Path, no_wanzi_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/data/typo.db"\n')
    assert main(["outbox", "list", "--config", str(cfg)]) == 1
    assert "wanzi db upgrade" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def test_an_unknown_outbox_status_names_the_valid_ones(tmp_path: Path, no_wanzi_env: None,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["outbox", "list", "--status", "dead,bogus"]) == 1
    err = capsys.readouterr().err
    assert "'bogus'" in err
    for status in ("pending", "sending", "sent", "dead", "expired", "cancelled"):
        assert status in err


def test_config_check_of_the_example_explains_what_a_real_corp_must_fill(
        no_wanzi_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", "--config", str(EXAMPLE)]) == 1
    err = capsys.readouterr().err
    for key in ("wecom.corp_id", "wecom.token", "wecom.encoding_aes_key", "wecom.agent_id", "wecom.app_secret",
                "wecom.open_kfid", "WANZI_WECOM__APP_SECRET", "企业ID", "Connecting a real WeCom corp"):
        assert key in err, key


def test_config_check_with_the_callback_keys_warns_about_the_rest(
        tmp_path: Path, no_wanzi_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[wecom]\ncorp_id = "ww1"\ntoken = "T"\n'
                   'encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"\n')
    assert main(["config", "check", "--config", str(cfg)]) == 0
    out, err = capsys.readouterr()
    assert "config ok" in out
    assert "wecom.agent_id" in err and "wecom.app_secret" in err and "41004" in err


def test_the_written_config_loads_as_the_same_config() -> None:
    from bot.app import config_from
    from bot.config.writing import as_toml
    from bot.sandbox import demo_community

    data = {"wecom": {"corp_id": "ww1", "agent_id": 1000002, "token": "T"},
            "staff": {"admins": ["zhang.wei"], "names": ["zhang.wei=张伟"]},
            "channels": {"spring_sale": {"tags": ["渠道:春日焕新"], "stage": "new"}},
            "escalation": {"sla_minutes_by_level": ["vip=15", "金柚=10"]}, **demo_community("zhang.wei")}
    config = config_from(data, {})
    assert config_from(tomllib.loads(as_toml(config, leave_out=frozenset())), {}) == config
    assert "token" not in tomllib.loads(as_toml(config))["wecom"]
