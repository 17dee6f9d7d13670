"""Configuration: documented example loads, env overrides secrets, bad keys are named."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.app import config_from as from_mapping
from bot.app import load_config as load
from bot.cli import main
from bot.config.model import PLATFORM_SECTIONS
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def test_the_example_config_is_valid_and_documents_every_key() -> None:
    text = (ROOT / "config.example.toml").read_text()
    config = from_mapping(tomllib.loads(text), {})
    shapes = {name: type(getattr(config, name)) for name in PLATFORM_SECTIONS}
    shapes.update({name: section.cls for name, section in config.sections.items()})  # a family: one table's keys
    for section, shape in shapes.items():
        for key in shape.__dataclass_fields__:
            assert f"\n{key} =" in text, f"{section}.{key} is not documented in config.example.toml"
    assert config.server.port == 8080
    assert config.database.url == "sqlite+aiosqlite:///./wanzi.db"
    assert config.wecom.api_base == "https://qyapi.weixin.qq.com"


def test_secrets_come_from_the_environment() -> None:
    config = from_mapping({}, {"WANZI_WECOM__TOKEN": "EnvToken1", "WANZI_WECOM__APP_SECRET": "s3cr3t",
                               "WANZI_STAFF__ADMINS": "zhang.wei, li.na", "WANZI_SERVER__PORT": "9090"})
    assert config.wecom.token == "EnvToken1"
    assert config.wecom.app_secret == "s3cr3t"
    assert config.staff.admins == ("zhang.wei", "li.na")
    assert config.server.port == 9090


@pytest.mark.parametrize("data,key", [
    ({"server": {"port": "eighty"}}, "server.port"),
    ({"server": {"prot": 80}}, "server.prot"),
    ({"wecom": {"encoding_aes_key": "tooshort"}}, "wecom.encoding_aes_key"),
    ({"database": {"url": "mysql://x"}}, "database.url"),
    ({"persona": {"timezone": "Mars/Olympus"}}, "persona.timezone"),
    ({"nonsense": {}}, "nonsense"),
    ({"server": {"intake_thread": True}}, "server.intake_thread"),  # without the journal
    ({"server": {"switch_interval_ms": -1}}, "server.switch_interval_ms"),
    ({"server": {"ack_credit_s": 0.05}}, "server.ack_credit_s"),  # less than one wait
    ({"server": {"event_loop": "trio"}}, "server.event_loop"),
    ({"server": {"json": "ujson"}}, "server.json"),
])
def test_a_bad_value_names_its_key(data: dict, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        from_mapping(data, {})
    assert info.value.key == key


def test_config_check_command_reports_the_bad_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[wecom]\ncorp_id = "ww1"\ntoken = "T"\nencoding_aes_key = "{KEY}"\n[server]\nport = -1\n')
    assert main(["--config", str(bad), "config", "check"]) == 1
    assert "server.port" in capsys.readouterr().err
    good = tmp_path / "good.toml"
    good.write_text(f'[wecom]\ncorp_id = "ww1"\ntoken = "T"\nencoding_aes_key = "{KEY}"\n')
    assert main(["config", "check", "--config", str(good)]) == 0


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load(tmp_path / "nope.toml", {})
