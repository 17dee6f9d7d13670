"""The persona's config sections are documented, validated, and checked against the persona file."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from bot.app import config_from as from_mapping
from bot.cli import main
from bot.errors import ConfigError
from handlers import FEATURES
from handlers.greeting.config import ChannelConfig
from handlers.wiring import build_services
from persona import default_persona_path, load_persona

ROOT = Path(__file__).resolve().parent.parent
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WECOM = f'[wecom]\ncorp_id = "ww1"\ntoken = "T"\nencoding_aes_key = "{KEY}"\n'


def test_every_new_key_is_documented_in_the_example() -> None:
    text = (ROOT / "config.example.toml").read_text()
    config = from_mapping(tomllib.loads(text), {})
    for section in ("antispam", "faq", "tagging"):
        for key in (f.name for f in dataclasses.fields(config.sections[section].cls)):
            assert f"\n{key} =" in text, f"{section}.{key} is not documented in config.example.toml"
    for key in (f.name for f in dataclasses.fields(ChannelConfig)):
        assert f"\n{key} =" in text, f"channels.<state>.{key} is not documented in config.example.toml"
    assert config.tables(ChannelConfig)["spring_sale"].tags == ("渠道:春日焕新",)


@pytest.mark.parametrize("data,key", [
    ({"channels": {"spring_sale": {"tags": ["春日焕新"]}}}, "channels.spring_sale.tags"),
    ({"channels": {"spring_sale": {"colour": "red"}}}, "channels.spring_sale.colour"),
    ({"channels": {"spring_sale": {"link_title": "券"}}}, "channels.spring_sale.link_url"),
    ({"channels": {"x" * 31: {}}}, "channels." + "x" * 31),
    ({"antispam": {"quiet_hours": "late"}}, "antispam.quiet_hours"),
    ({"antispam": {"daily_cap": -1}}, "antispam.daily_cap"),
    ({"faq": {"threshold": 1.5}}, "faq.threshold"),
    ({"persona": {"preset": "influencer"}}, "persona.preset"),
])
def test_a_bad_value_names_its_key(data: dict, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        from_mapping(data, {})
    assert info.value.key == key


def test_config_check_names_a_channel_stage_the_persona_lacks(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(WECOM + '[channels.fair]\nstage = "honeymoon"\n', encoding="utf-8")
    assert main(["config", "check", "--config", str(bad)]) == 1
    assert "channels.fair.stage" in capsys.readouterr().err
    good = tmp_path / "good.toml"
    good.write_text(WECOM + '[channels.fair]\nstage = "new"\n', encoding="utf-8")
    assert main(["config", "check", "--config", str(good)]) == 0


def test_config_check_names_a_channel_overlay_the_persona_lacks(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(WECOM + '[channels.fair]\nwelcome = "autumn_fair"\n', encoding="utf-8")
    assert main(["config", "check", "--config", str(bad)]) == 1
    assert "channels.fair.welcome" in capsys.readouterr().err


def test_operator_rules_and_knowledge_base_files_join_the_personas(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rules]]\nname = "camping"\nkeywords = ["露营"]\nadd = ["兴趣:户外"]\nstage = "interested"\n',
                     encoding="utf-8")
    kb = tmp_path / "kb.csv"
    kb.write_text("question,answer\n门店在哪里,杭州西湖区柚见路 1 号。\n", encoding="utf-8")
    config = from_mapping({"tagging": {"rules_path": str(rules)}, "faq": {"path": str(kb)}}, {})
    found = build_services(config, load_persona(default_persona_path()), FEATURES)
    assert [r.name for r in found.rules.matching("周末去露营")] == ["camping"]
    assert [e.id for e in found.knowledge.entries] == ["kb-1"]  # the operator's file replaces the demo one


def test_a_rule_in_the_operators_file_must_name_a_persona_stage(tmp_path: Path) -> None:
    from persona import PersonaError

    rules = tmp_path / "rules.toml"
    rules.write_text('[[rules]]\nname = "x"\nkeywords = ["k"]\nstage = "honeymoon"\n', encoding="utf-8")
    config = from_mapping({"tagging": {"rules_path": str(rules)}}, {})
    with pytest.raises(PersonaError) as info:
        build_services(config, load_persona(default_persona_path()), FEATURES)
    assert (info.value.source, info.value.key) == (str(rules), "rules.x.stage")
