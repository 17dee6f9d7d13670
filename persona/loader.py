"""Load and lint persona TOML files: unknown templates, facts, stages or tags fail at load, never mid-send.

A custom file written before a release added template keys still loads: each missing key gets the
text of the preset its `profile.model` names (one warning at load lists them, `Persona.borrowed`
keeps them, and `wanzi persona check` reports them), so an upgrade does not stop the bot. A missing
key whose preset text needs a fact the file does not declare is still an error.

A persona file has these tables (presets in persona/presets/ show every one):
[profile] voice and identity, [cadence] push caps and quiet hours, [facts] campaign facts,
[templates] every text the code renders, [stages.<name>] lifecycle stages, [holidays.<name>]
and [channels.<name>] partial template overlays, [[rules]] tagging rules, [[faq]] answers.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from typing import Any, Collection

from persona import times
from persona.faq import parse_faq
from persona.model import (
    SITUATIONS,
    TIME_SLOTS,
    Cadence,
    Holiday,
    Persona,
    PersonaError,
    Profile,
    Stage,
    Template,
    placeholders,
    read_toml,
)
from persona.rules import TagRef, parse_rules
from persona.templates import COMMON, TEMPLATES, spec_for

log = logging.getLogger(__name__)

PRESETS = Path(__file__).parent / "presets"
SECTIONS = ("profile", "cadence", "facts", "templates", "stages", "holidays", "channels", "rules", "faq",
            "broadcasts", "scripts")
NAMED_TEXT_FACTS = frozenset({"name"})  # [broadcasts] and [scripts]: the customer's name
SCRIPT_BYTES = 2048  # a [scripts] text goes into a chat as a text message (outbound.md: ≤2048 bytes)
MODELS = ("interest", "expert", "advisor", "guide")
FACT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def default_persona_path(preset: str = "interest") -> Path:
    return PRESETS / f"{preset}.toml"


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESETS.glob("*.toml"))


def _table(data: dict[str, Any], key: str, source: str, where: str = "") -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise PersonaError(source, f"{where}.{key}" if where else key, "must be a table")
    return value


def _variants(source: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise PersonaError(source, key, "must be a non-empty list of texts")
    return tuple(value)


class _Linter:
    """Checks texts against the registry, the persona's facts and its stages."""

    def __init__(self, source: str, facts: Collection[str], stages: Collection[str]) -> None:
        self.source, self.facts, self.stages = source, frozenset(facts), frozenset(stages)

    def check(self, where: str, key: str, texts: tuple[str, ...]) -> None:
        spec = spec_for(key)
        if spec is None:
            raise PersonaError(self.source, where, "unknown template")
        if key.startswith("stage.") and key.partition(".")[2] not in self.stages:
            raise PersonaError(self.source, where, f"unknown stage {key.partition('.')[2]!r}; declare "
                                                   f"[stages.{key.partition('.')[2]}] first")
        allowed = spec.facts | COMMON | self.facts
        for text in texts:
            try:
                used = placeholders(text)
            except ValueError as exc:
                raise PersonaError(self.source, where, f"broken placeholder: {exc}") from None
            unknown = used - allowed
            if unknown:
                raise PersonaError(self.source, where, f"unknown fact {{{sorted(unknown)[0]}}}; allowed: "
                                                       f"{', '.join(sorted(allowed))}")
            static = re.sub(r"\{[^{}]*\}", "", text)
            if len(static.encode("utf-8")) > spec.limit:
                raise PersonaError(self.source, where, f"longer than the {spec.limit} bytes WeCom allows here")

    def templates(self, node: dict[str, Any], where: str) -> dict[str, Template]:
        """A (possibly partial) [templates] tree: variants, or a table of time-slot (and situation) variants."""
        found: dict[str, Template] = {}

        def walk(prefix: str, branch: dict[str, Any]) -> None:
            for name, value in branch.items():
                key = f"{prefix}.{name}" if prefix else name
                path = f"{where}.{key}"
                if isinstance(value, dict) and spec_for(key) is None:
                    walk(key, value)
                    continue
                if isinstance(value, dict):
                    variants = _variants(self.source, f"{path}.variants", value.get("variants"))
                    by_slot = {}
                    for slot, texts in value.items():
                        if slot == "variants":
                            continue
                        if slot not in TIME_SLOTS + SITUATIONS:
                            raise PersonaError(self.source, f"{path}.{slot}",
                                               f"unknown time slot; use {', '.join(TIME_SLOTS + SITUATIONS)}")
                        by_slot[slot] = _variants(self.source, f"{path}.{slot}", texts)
                else:
                    variants, by_slot = _variants(self.source, path, value), {}
                for texts in (variants, *by_slot.values()):
                    self.check(path, key, texts)
                found[key] = Template(key=key, variants=variants, by_slot=by_slot)

        walk("", node)
        return found


def _profile(data: dict[str, Any], source: str) -> Profile:
    prof = data.get("profile")
    if not isinstance(prof, dict):
        raise PersonaError(source, "profile", "missing [profile] table")
    for required in ("name", "brand", "intro"):
        if not isinstance(prof.get(required), str) or not prof[required]:
            raise PersonaError(source, f"profile.{required}", "is required")
    model = str(prof.get("model", "interest"))
    if model not in MODELS:
        raise PersonaError(source, "profile.model", f"must be one of {', '.join(MODELS)}")
    if not isinstance(prof.get("emoji", True), bool):
        raise PersonaError(source, "profile.emoji", "must be true or false")
    return Profile(name=prof["name"], brand=prof["brand"], intro=prof["intro"],
                   address=str(prof.get("address", "亲")), signoff=str(prof.get("signoff", "")),
                   emoji=prof.get("emoji", True), model=model)


def parse_cadence(raw: dict[str, Any], source: str, where: str = "cadence") -> Cadence:
    caps = {}
    for name, default in (("daily_cap", 1), ("weekly_cap", 3)):
        value = raw.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise PersonaError(source, f"{where}.{name}", "must be a whole number ≥ 0")
        caps[name] = value
    quiet = str(raw.get("quiet_hours", "") or "")
    start = end = None
    if quiet:
        try:
            first, second = times.window(quiet)
        except ValueError as exc:
            raise PersonaError(source, f"{where}.quiet_hours", str(exc)) from None
        start, end = times.clock_of(first), times.clock_of(second)
    unknown = sorted(set(raw) - {"daily_cap", "weekly_cap", "quiet_hours"})
    if unknown:
        raise PersonaError(source, f"{where}.{unknown[0]}", "unknown key")
    return Cadence(daily_cap=caps["daily_cap"], weekly_cap=caps["weekly_cap"], quiet_start=start, quiet_end=end)


def _stages(raw: dict[str, Any], source: str) -> dict[str, Stage]:
    stages = {}
    for name, item in raw.items():
        key = f"stages.{name}"
        if not isinstance(item, dict) or not isinstance(item.get("label"), str) or not item["label"]:
            raise PersonaError(source, key, "needs a label")
        rank = item.get("rank")
        if not isinstance(rank, int) or isinstance(rank, bool):
            raise PersonaError(source, f"{key}.rank", "must be an integer (stages only move to a higher rank)")
        tags = tuple(str(TagRef.parse(t, source=source, key=f"{key}.tags")) for t in item.get("tags", []))
        stages[name] = Stage(name=name, label=item["label"], rank=rank, tags=tags)
    return stages


def _holiday_dates(value: Any, source: str, key: str) -> tuple[str, ...]:
    dates = _variants(source, key, value)
    for text in dates:
        try:
            date.fromisoformat(text if len(text) == 10 else f"2000-{text}")  # 2000 is a leap year: 02-29 ok
        except ValueError:
            raise PersonaError(source, key, f"{text!r} is not MM-DD or YYYY-MM-DD") from None
    return dates


def _named_texts(data: dict[str, Any], section: str, source: str, facts: Collection[str], *,
                 limit: int | None = None) -> dict[str, str]:
    """[broadcasts] / [scripts]: name = text, with {name} and the common and persona facts."""
    texts = {}
    for name, text in _table(data, section, source).items():
        key = f"{section}.{name}"
        if not isinstance(text, str) or not text.strip():
            raise PersonaError(source, key, "must be a non-empty text")
        try:
            strangers = placeholders(text) - NAMED_TEXT_FACTS - COMMON - set(facts)
        except ValueError as exc:
            raise PersonaError(source, key, f"broken placeholder: {exc}") from None
        if strangers:
            raise PersonaError(source, key, f"unknown fact {{{sorted(strangers)[0]}}}")
        if limit is not None and len(re.sub(r"\{[^{}]*\}", "", text).encode("utf-8")) > limit:
            raise PersonaError(source, key, f"longer than the {limit} bytes WeCom allows in a text message")
        texts[name] = text
    return texts


def parse_persona(data: dict[str, Any], source: str) -> Persona:
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise PersonaError(source, unknown[0], f"unknown section; known: {', '.join(SECTIONS)}")
    profile = _profile(data, source)
    facts = _table(data, "facts", source)
    for name, value in facts.items():
        if not FACT_NAME.match(name) or name in COMMON:
            raise PersonaError(source, f"facts.{name}", "fact names are lower_case and not persona/brand/...")
        if not isinstance(value, str):
            raise PersonaError(source, f"facts.{name}", "must be a text")
    stages = _stages(_table(data, "stages", source), source)
    lint = _Linter(source, facts, stages)
    templates = lint.templates(_table(data, "templates", source), "templates")
    missing = sorted(set(TEMPLATES) - set(templates))
    if missing:
        templates.update(_borrow(missing, profile.model, lint))
        log.warning("persona templates missing, the preset's texts stand in",
                    extra={"source": source, "preset": profile.model, "keys": missing})
    holidays = []
    for name, item in _table(data, "holidays", source).items():
        if not isinstance(item, dict):
            raise PersonaError(source, f"holidays.{name}", "must be a table")
        holidays.append(Holiday(name=name, dates=_holiday_dates(item.get("dates"), source, f"holidays.{name}.dates"),
                                templates=lint.templates(_table(item, "templates", source, f"holidays.{name}"),
                                                         f"holidays.{name}.templates")))
    channels = {}
    for name, item in _table(data, "channels", source).items():
        if not isinstance(item, dict) or set(item) - {"templates"}:
            raise PersonaError(source, f"channels.{name}", "holds only a templates table")
        channels[name] = lint.templates(_table(item, "templates", source, f"channels.{name}"),
                                        f"channels.{name}.templates")
    broadcasts = _named_texts(data, "broadcasts", source, facts)
    scripts = _named_texts(data, "scripts", source, facts, limit=SCRIPT_BYTES)
    return Persona(profile=profile, templates=templates, source=source, broadcasts=broadcasts, scripts=scripts,
                   cadence=parse_cadence(_table(data, "cadence", source), source), facts=dict(facts),
                   stages=stages, holidays=tuple(holidays), channels=channels,
                   rules=parse_rules(data.get("rules"), source, stages), faq=parse_faq(data.get("faq"), source),
                   borrowed=tuple(missing))


def _borrow(missing: list[str], model: str, lint: _Linter) -> dict[str, Template]:
    """The preset's templates for keys a file lacks, linted against that file (its facts, stages)."""
    path = default_persona_path(model)
    if str(path) == lint.source:  # a preset itself must be complete
        raise PersonaError(lint.source, f"templates.{missing[0]}", "missing (every template key needs a text)")
    preset = load_persona(path)
    found = {}
    for key in missing:
        template = preset.templates[key]
        try:
            for texts in (template.variants, *template.by_slot.values()):
                lint.check(f"templates.{key}", key, texts)
        except PersonaError as exc:
            problem = f"missing, and the {model} preset's text does not fit this file ({exc.problem})"
            raise PersonaError(lint.source, f"templates.{key}", problem) from None
        found[key] = template
    return found


def load_persona(path: str | Path) -> Persona:
    p = Path(path)
    return parse_persona(read_toml(p), str(p))


# The shipped presets' own names and brand, which a shop's persona copied from a preset must not keep.
DEMO_NAMES = ("小柚福利官", "柚子老师", "小柚", "柚见")


def demo_names(persona: Persona) -> list[str]:
    """`wanzi persona check`: the texts of a file (not a preset's borrowed ones) that still name the demo
    persona or brand its profile no longer is ("小柚教你…" left in a copied preset), as "key: name"."""
    own = (persona.profile.name, persona.profile.brand)
    names = [n for n in DEMO_NAMES if not any(n in mine for mine in own)]
    texts = [("profile.intro", persona.profile.intro), ("profile.signoff", persona.profile.signoff)]
    texts += [(f"facts.{key}", text) for key, text in persona.facts.items()]
    overlays = [("templates", persona.templates),
                *((f"holidays.{h.name}.templates", h.templates) for h in persona.holidays),
                *((f"channels.{name}.templates", tables) for name, tables in persona.channels.items())]
    for prefix, templates in overlays:
        for key, template in templates.items():
            if prefix == "templates" and key in persona.borrowed:
                continue
            texts += [(f"{prefix}.{key}", text) for options in (template.variants, *template.by_slot.values())
                      for text in options]
    texts += [(f"broadcasts.{key}", text) for key, text in persona.broadcasts.items()]
    texts += [(f"scripts.{key}", text) for key, text in persona.scripts.items()]
    texts += [(f"faq.{entry.id}", entry.answer) for entry in persona.faq]
    found: dict[str, str] = {}
    for key, text in texts:
        name = next((n for n in names if n in text), None)
        if name is not None and key not in found:
            found[key] = name
    return [f"{key}: {name}" for key, name in found.items()]
