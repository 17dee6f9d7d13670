"""Load and lint persona TOML files: unknown templates or facts fail at load, never mid-send."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from persona.model import TIME_SLOTS, Persona, PersonaError, Profile, Template, placeholders
from persona.templates import COMMON, TEMPLATE_FACTS

PRESETS = Path(__file__).parent / "presets"


def default_persona_path(preset: str = "interest") -> Path:
    return PRESETS / f"{preset}.toml"


def _variants(source: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise PersonaError(source, key, "must be a non-empty list of texts")
    return tuple(value)


def _check_facts(source: str, key: str, texts: tuple[str, ...]) -> None:
    allowed = TEMPLATE_FACTS[key] | COMMON
    where = f"templates.{key}"
    for text in texts:
        try:
            used = placeholders(text)
        except ValueError as exc:
            raise PersonaError(source, where, f"broken placeholder: {exc}") from None
        unknown = used - allowed
        if unknown:
            raise PersonaError(source, where, f"unknown fact {{{sorted(unknown)[0]}}}; allowed: "
                                            f"{', '.join(sorted(allowed))}")


def parse_persona(data: dict[str, Any], source: str) -> Persona:
    prof = data.get("profile")
    if not isinstance(prof, dict):
        raise PersonaError(source, "profile", "missing [profile] table")
    for required in ("name", "brand", "intro"):
        if not isinstance(prof.get(required), str) or not prof[required]:
            raise PersonaError(source, f"profile.{required}", "is required")
    profile = Profile(name=prof["name"], brand=prof["brand"], intro=prof["intro"],
                      address=str(prof.get("address", "亲")), signoff=str(prof.get("signoff", "")),
                      emoji=bool(prof.get("emoji", True)))
    raw = data.get("templates", {})
    if not isinstance(raw, dict):
        raise PersonaError(source, "templates", "must be a table")
    templates: dict[str, Template] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for name, value in node.items():
            key = f"{prefix}.{name}" if prefix else name
            if isinstance(value, dict) and key not in TEMPLATE_FACTS:
                walk(key, value)
                continue
            if key not in TEMPLATE_FACTS:
                raise PersonaError(source, f"templates.{key}", "unknown template")
            if isinstance(value, dict):
                variants = _variants(source, f"templates.{key}.variants", value.get("variants"))
                by_slot = {}
                for slot in value:
                    if slot == "variants":
                        continue
                    if slot not in TIME_SLOTS:
                        raise PersonaError(source, f"templates.{key}.{slot}", "unknown time slot")
                    by_slot[slot] = _variants(source, f"templates.{key}.{slot}", value[slot])
            else:
                variants, by_slot = _variants(source, f"templates.{key}", value), {}
            for texts in (variants, *by_slot.values()):
                _check_facts(source, key, texts)
            templates[key] = Template(key=key, variants=variants, by_slot=by_slot)

    walk("", raw)
    missing = sorted(set(TEMPLATE_FACTS) - set(templates))
    if missing:
        raise PersonaError(source, f"templates.{missing[0]}", "missing (every template key needs a text)")
    settings = {k: v for k, v in data.items() if k not in ("profile", "templates")}
    return Persona(profile=profile, templates=templates, source=source, settings=settings)


def load_persona(path: str | Path) -> Persona:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PersonaError(str(p), "file", "not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PersonaError(str(p), "file", f"not valid TOML: {exc}") from None
    return parse_persona(data, str(p))
