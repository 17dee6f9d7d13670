"""The persona is data: every preset lints, mistakes are named with file and key at load time, and
the renderer varies phrasing, follows the clock, holidays, channels and the voice rules."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from persona import PersonaError, default_persona_path, load_persona, preset_names
from persona.model import variant_id
from persona.templates import TEMPLATES, spec_for

PRESET = default_persona_path("interest")


@pytest.fixture(scope="module")
def persona():
    return load_persona(PRESET)


def variant_of(tmp_path: Path, old: str, new: str) -> Path:
    """The default persona with one piece of text changed."""
    text = PRESET.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "mine.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_four_operating_model_presets_ship_and_lint() -> None:
    assert preset_names() == ["advisor", "expert", "guide", "interest"]
    models = set()
    for name in preset_names():
        persona = load_persona(default_persona_path(name))
        models.add(persona.profile.model)
        assert set(TEMPLATES) <= set(persona.templates)
        assert persona.rules and persona.stages and persona.cadence.quiet_start is not None
    assert models == {"interest", "expert", "advisor", "guide"}


def test_presets_differ_in_tone_and_cadence() -> None:
    loaded = {name: load_persona(default_persona_path(name)) for name in preset_names()}
    assert len({p.profile.name for p in loaded.values()}) == 4
    assert loaded["guide"].cadence.weekly_cap > loaded["advisor"].cadence.weekly_cap
    assert not loaded["advisor"].profile.emoji


def test_an_unknown_template_fails_persona_check_naming_file_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = variant_of(tmp_path, "kf_welcome = [", "kf_welcom = [")
    assert main(["persona", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "templates.greeting.kf_welcom" in err and "unknown template" in err


def test_persona_check_accepts_the_default_persona(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["persona", "check", str(PRESET)]) == 0
    assert "小柚" in capsys.readouterr().out


@pytest.mark.parametrize("old,new,key,problem", [
    ("很开心认识你～护肤", "很开心认识{nickname}～护肤", "templates.greeting.new_friend", "unknown fact {nickname}"),
    ('opt_in = ["欢迎回来！', 'opt_inn = ["欢迎回来！', "templates.reply.opt_inn", "unknown template"),
    ('stage = "considering"', 'stage = "considring"', "rules.price_question.stage", "unknown stage"),
    ('add = ["肤质:干皮"]', 'add = ["干皮"]', "rules.dry_skin.add", "group:name"),
    ('regex = "订单号', 'regex = "(订单号', "rules.order_number.regex", "not a valid regex"),
    ('dates = ["05-20"]', 'dates = ["05-32"]', "holidays.may20.dates", "not MM-DD"),
    ('quiet_hours = "22:00-08:00"', 'quiet_hours = "22h-8h"', "cadence.quiet_hours", "not HH:MM"),
    ("[templates.stage]\ninterested", "[templates.stage]\ninteresting", "templates.stage.interesting",
     "unknown stage"),
])
def test_persona_mistakes_are_named_at_load_time(tmp_path: Path, old: str, new: str, key: str,
                                                 problem: str) -> None:
    path = variant_of(tmp_path, old, new)
    with pytest.raises(PersonaError) as info:
        load_persona(path)
    assert info.value.source == str(path) and info.value.key == key and problem in info.value.problem


def test_an_older_custom_file_without_newer_keys_speaks_its_presets_text_and_persona_check_names_them(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    advisor = default_persona_path("advisor").read_text(encoding="utf-8")
    path = tmp_path / "mine.toml"  # written before 猜你想问 and suggestions existed
    path.write_text("\n".join(line for line in advisor.splitlines()
                              if not line.startswith(("suggestion = ", "clarify."))), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        persona = load_persona(path)
    (warning,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert getattr(warning, "keys", None) == ["reply.clarify", "reply.suggestion"]
    assert persona.borrowed == ("reply.clarify", "reply.suggestion")
    thanks = persona.render("reply.suggestion", name="").text
    assert "感谢您" in thanks  # the advisor preset's own voice, not another preset's
    assert main(["persona", "check", str(path)]) == 1  # it runs, but the linter still says what is missing
    err = capsys.readouterr().err
    assert str(path) in err and "reply.clarify, reply.suggestion" in err


def test_a_missing_template_whose_preset_text_needs_an_undeclared_fact_is_named(tmp_path: Path) -> None:
    text = PRESET.read_text(encoding="utf-8")  # a file with no {community} fact, and no group welcome
    start = text.index("group_welcome = [")
    end = text.index("]\n", start) + 2
    path = tmp_path / "mine.toml"
    path.write_text((text[:start] + text[end:]).replace("{community}", "护肤群")
                    .replace('community = "柚见护肤同好群"\n', ""), encoding="utf-8")
    with pytest.raises(PersonaError, match="templates.greeting.group_welcome: missing.*community"):
        load_persona(path)


def test_a_preset_missing_a_template_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import persona.loader

    path = tmp_path / "interest.toml"  # stands in for the shipped preset: it has no preset to borrow from
    path.write_text(PRESET.read_text(encoding="utf-8").replace(
        'opt_in = ["欢迎回来！活动和福利消息会继续第一时间告诉你～"]', ""), encoding="utf-8")
    monkeypatch.setattr(persona.loader, "PRESETS", tmp_path)
    with pytest.raises(PersonaError, match="templates.reply.opt_in: missing"):
        load_persona(path)


def test_a_text_longer_than_wecom_allows_is_refused(tmp_path: Path) -> None:
    path = variant_of(tmp_path, 'help = ["可用指令：', f'help = ["{"长" * 700}可用指令：')
    with pytest.raises(PersonaError, match="2048 bytes"):
        load_persona(path)


def test_never_the_same_phrasing_twice_in_a_row(persona) -> None:
    last = None
    seen = []
    for _ in range(12):
        rendered = persona.render("reply.fallback", seed="same-seed", last_variant=last, name="")
        seen.append(rendered.text)
        last = rendered.variant
    assert all(a != b for a, b in zip(seen, seen[1:], strict=False))
    ids = {variant_id(t) for t in persona.templates["reply.fallback"].variants}
    assert last in ids  # the id names the phrasing, so it survives reordering the file


def test_time_of_day_picks_the_slot_texts(persona) -> None:
    morning = persona.render("greeting.new_friend", seed="x", hour=8, name="", staff="", channel="")
    afternoon = persona.render("greeting.new_friend", seed="x", hour=15, name="", staff="", channel="")
    assert morning.text in {t.replace("{address}", "宝子").replace("{brand}", "柚见").replace("{persona}", "小柚")
                            for t in persona.templates["greeting.new_friend"].by_slot["morning"]}
    assert "早" in morning.text and "早" not in afternoon.text


def test_holidays_and_channels_overlay_the_base_text(persona) -> None:
    facts = {"name": "", "staff": "", "channel": ""}
    assert "520" in persona.render("greeting.new_friend", on=date(2026, 5, 20), **facts).text
    assert "520" not in persona.render("greeting.new_friend", on=date(2026, 5, 21), **facts).text
    on_sale = persona.render("greeting.new_friend", on=date(2026, 5, 20), channel_override="spring_sale", **facts)
    assert "春日焕新季" in on_sale.text  # the channel is more specific than the holiday
    assert "满199减30" in on_sale.text  # campaign facts from [facts]


def test_a_voice_without_emoji_strips_them_even_from_facts(tmp_path: Path) -> None:
    persona = load_persona(variant_of(tmp_path, "emoji = true", "emoji = false"))
    text = persona.render("reply.faq", seed="x", name="", answer="好的✨", question="").text
    assert "✨" not in text and "好的" in text


def test_family_keys_resolve_to_their_spec() -> None:
    assert spec_for("stage.anything") is not None and spec_for("stage") is None and spec_for("nope.x") is None


@pytest.mark.parametrize("preset", preset_names())
def test_an_answer_and_the_persona_s_follow_up_read_as_chinese_without_a_stray_space(preset: str) -> None:
    # "…生产日期印在瓶底。 还有什么想问的" showed a Latin space after 。 in the chat.
    voice = load_persona(default_persona_path(preset))
    for seed in map(str, range(40)):
        text = voice.render("reply.faq", seed=seed, name="", answer="开封后建议 12 个月内用完。", question="").text
        assert "。 " not in text, text
        assert "12 个月" in text  # spaces inside the answer stay
